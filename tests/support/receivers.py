"""Receivers on 127.0.0.1 for notification tests.

- `RecordingHTTPReceiver`: a stand-in for the servers of Slack, Discord and Twilio (and any webhook receiver),
  which cannot run here: a real HTTP server (http.server in a thread) that records every request and answers
  204, or, when told to, a scripted answer first (a 429 with Discord's `retry_after`, a 500).
- `smtp_server`: a real SMTP server (aiosmtpd) with STARTTLS or implicit TLS and AUTH, over a throwaway
  certificate made by openssl.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from support.ports import free_port


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self):
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class RecordingHTTPReceiver:
    port: int = 0
    requests: list[Request] = field(default_factory=list)
    script: list[tuple[int, dict[str, str], bytes, float]] = field(default_factory=list)
    """Answers given before the default 204, first one first (status, headers, body, seconds to wait first)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer_next(self, status: int, body: object = b"", headers: dict[str, str] | None = None,
                    delay: float = 0.0) -> None:
        raw = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.script.append((status, {"Content-Type": "application/json", **(headers or {})}, raw, delay))


@contextmanager
def http_receiver() -> Iterator[RecordingHTTPReceiver]:
    receiver = RecordingHTTPReceiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                receiver.requests.append(Request("POST", self.path, dict(self.headers), body, time.monotonic()))
                status, headers, raw, delay = receiver.script.pop(0) if receiver.script else (204, {}, b"", 0.0)
            time.sleep(delay)  # a slow server, for clients' timeouts
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left, as the slow-server tests want

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert, key), made by the openssl command line."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


@dataclass
class SMTPServer:
    port: int
    messages: list = field(default_factory=list)
    """(envelope sender, recipients, message text, login used) of each message received."""


@contextmanager
def smtp_server(cert: Path, key: Path, *, implicit_tls: bool = False, user: str = "alerts",
                password: str = "s3cret") -> Iterator[SMTPServer]:
    """aiosmtpd on a free port: AUTH required (LOGIN/PLAIN, after TLS), STARTTLS offered and required, or
    implicit TLS from the first byte."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = SMTPServer(free_port())

    def authenticator(_server, session, _envelope, _mechanism, data) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    class Handler:
        async def handle_DATA(self, _server, session, envelope):  # noqa: N802 (aiosmtpd's naming)
            login = getattr(session.auth_data, "login", b"").decode()
            server.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                    envelope.content.decode(errors="replace"), login))
            return "250 OK"

    tls_options = {"ssl_context": context} if implicit_tls else {}
    smtp_options = {"authenticator": authenticator, "auth_required": True}
    if implicit_tls:  # aiosmtpd only counts STARTTLS as TLS for AUTH; here the socket is TLS from the start
        smtp_options["auth_require_tls"] = False
    else:
        smtp_options.update(tls_context=context, require_starttls=True)
    controller = Controller(Handler(), hostname="127.0.0.1", port=server.port, server_hostname="127.0.0.1",
                            **smtp_options, **tls_options)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
