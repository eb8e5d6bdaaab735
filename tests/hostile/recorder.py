"""A recording pass-through in front of a real backend: every request the app sends is forwarded, byte
for byte, to the real server and its method, path and body kept, so a test can prove that only reads
reached the backend. It is not a stand-in: the answers are the real server's."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class RecordingPassThrough:
    """tls: a server-side SSLContext to answer over HTTPS (its certificate is what a client pins or refuses)."""

    def __init__(self, target: str, tls=None) -> None:  # noqa: ANN001 - an ssl.SSLContext
        self.scheme = "https" if tls is not None else "http"
        parts = urlsplit(target)
        host, port = parts.hostname, parts.port
        self.requests: list[tuple[str, str, bytes, bytes]] = []  # (method, path with query, body, answer)
        self.headers: list[dict[str, str]] = []  # each request's headers, in the same order
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP | {"host"}}
                upstream = http.client.HTTPConnection(host, port, timeout=120)
                try:
                    upstream.request(self.command, self.path, body=body or None, headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                finally:
                    upstream.close()
                owner.requests.append((self.command, self.path, body, data))
                owner.headers.append(dict(self.headers.items()))
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in HOP | {"content-length"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.userinfo = f"{parts.username}:{parts.password}@" if parts.username else ""
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="recording-pass-through", daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.userinfo}127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
