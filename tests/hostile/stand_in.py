"""A stand-in HTTP server that is hostile on purpose: no real Prometheus or InfluxDB can be made to
trickle, inflate or lie on demand, so this one plays the broken or malicious backend.

The first path segment picks the behaviour:
- /trickle/...       status line and headers at once, then the body one byte a second, forever
- /trickle-head/...  the status line itself one byte a second
- /huge/...          a 1 GiB answer announced by Content-Length
- /endless/...       a chunked answer with no length that never ends (valid JSON whitespace)
- /gzip-bomb/...     Content-Encoding: gzip whose body inflates to 2 GiB (compressed as it is sent)
- /redirect/...      302 to another host, with a token in the target's query
An InfluxDB /ping in any mode answers 204 as a 2.x server, so the Flux query that follows meets the fault.
Every request is recorded; its method is checked by the read-only tests (only GET may reach a backend).
"""

from __future__ import annotations

import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GIB = 1024 ** 3


class StandInHostileServer:
    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.requests: list[tuple[str, str]] = []  # (method, path)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def handle_one_request(self) -> None:
                try:
                    super().handle_one_request()
                except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
                    self.close_connection = True

            def _answer(self) -> None:
                owner.requests.append((self.command, self.path))
                if self.path.split("?", 1)[0].endswith("/ping"):  # InfluxDB's flavour check passes: 2.x
                    self._head(204, {"X-Influxdb-Version": "v2.7.10", "Content-Length": "0"})
                    return
                mode = self.path.strip("/").split("/", 1)[0]
                getattr(self, "_" + mode.replace("-", "_"), self._missing)()

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def _head(self, status: int, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.flush()

            def _drip(self, data: bytes) -> None:
                for byte in data:
                    if owner.stopping.wait(1.0):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()

            def _trickle(self) -> None:
                self._head(200, {"Content-Type": "application/json", "Content-Length": "1000000"})
                self._drip(b'{"status":"success","data":{"resultType":"vector","result":[' + b" " * 999_000)

            def _trickle_head(self) -> None:
                self.close_connection = True
                self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + b"X-Pad: " + b"a" * 10_000)

            def _huge(self) -> None:
                self._head(200, {"Content-Type": "application/json", "Content-Length": str(GIB)})
                block = b" " * (1024 * 1024)
                for _ in range(1024):
                    if owner.stopping.is_set():
                        return
                    self.wfile.write(block)

            def _endless(self) -> None:
                self._head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
                chunk = b" " * (1024 * 1024)
                frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
                while not owner.stopping.is_set():
                    self.wfile.write(frame)

            def _gzip_bomb(self) -> None:
                self.close_connection = True
                self._head(200, {"Content-Type": "application/json", "Content-Encoding": "gzip"})
                packer = zlib.compressobj(9, zlib.DEFLATED, 31)
                block = b" " * (1024 * 1024)
                self.wfile.write(packer.compress(b'{"status":"success","data":'))
                for _ in range(2048):
                    if owner.stopping.is_set():
                        return
                    self.wfile.write(packer.compress(block))
                self.wfile.write(packer.compress(b"{}}") + packer.flush())

            def _redirect(self) -> None:
                self._head(302, {"Location": "http://elsewhere.invalid:8080/api/v1/query?token=s3cr3t-in-url",
                                 "Content-Type": "text/html", "Content-Length": "0"})

            def _missing(self) -> None:
                self._head(404, {"Content-Type": "text/plain", "Content-Length": "0"})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="stand-in-hostile-http", daemon=True)

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{mode}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
