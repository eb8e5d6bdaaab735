"""A stand-in HTTP server that misbehaves on purpose: slow, 500, malformed JSON, or a recorded body.

No real Prometheus or InfluxDB can be made to fail this way on demand, so this one plays the broken
server. The path picks the behaviour: /slow/..., /500/..., /malformed/..., /deep/... (nested 100,000 deep), /flux/... (annotated CSV,
and /flux/ping answering as InfluxDB 2.7).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StandInMisbehavingServer:
    """Serves on 127.0.0.1; `url(mode)` is a base URL whose every request misbehaves in that mode."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.flux_body = ""
        self.flux_status = 200
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                owner.requests.append((self.path, dict(self.headers), body))
                mode = self.path.strip("/").split("/", 1)[0]
                if mode == "slow":
                    owner.release.wait(10)
                    self._send(200, "application/json", b'{"status":"success","data":{}}')
                elif mode == "500":
                    self._send(500, "text/html", b"<html><body>Internal Server Error</body></html>")
                elif mode == "malformed":
                    self._send(200, "application/json", b'{"status":"success","data":{"resultType":"vec')
                elif mode == "deep":  # valid JSON nested past what a recursive parser can follow
                    self._send(200, "application/json", b'{"status":"success","data":' + b"[" * 100_000 + b"]" * 100_000 + b"}")
                elif mode == "flux" and self.path.endswith("/ping"):
                    self._send(204, "application/json", b"", {"X-Influxdb-Version": "v2.7.10"})
                elif mode == "flux":
                    content = "text/csv" if owner.flux_status == 200 else "application/json"
                    self._send(owner.flux_status, content, owner.flux_body.encode())
                else:
                    self._send(404, "text/plain", b"not found")

            def _send(self, status: int, content_type: str, body: bytes, headers: dict | None = None) -> None:
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = _answer
            do_POST = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="stand-in-http", daemon=True)

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{mode}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
