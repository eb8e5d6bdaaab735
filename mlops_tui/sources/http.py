"""The one place where network calls get their timeout, deadline, size bound and retry policy.

`fetch` is how a backend reads an answer: it streams the body and stops at limits.http_answer_bytes
(counted after gzip is undone, so a small compressed bomb is stopped too) and at the call's deadline,
limits.http_deadline, which spans the connection, every read and every retry of `with_retries`: a
per-read timeout alone never fires on a server that trickles a byte a second. A socket watchdog ends a
fresh connection at the deadline even while the status line and headers are trickling in.
"""

from __future__ import annotations

import base64
import contextvars
import json
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from mlops_tui.settings.base import Endpoint
from mlops_tui.sources import limits

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({429, 502, 503, 504})


class BackendError(Exception):
    """A backend did not answer usefully; str() is the message shown to the user."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class EndpointConfigError(ValueError):
    """An endpoint's settings cannot be used (e.g. an unreadable ca_file); str() is the message."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: base * 2**attempt, capped, for at most `retries` retries."""

    retries: int = 3
    base: float = 0.25
    cap: float = 4.0

    def delays(self) -> list[float]:
        return [min(self.cap, self.base * 2**attempt) for attempt in range(self.retries)]


def client_for(endpoint: Endpoint) -> httpx.Client:
    """An httpx client with the endpoint's base URL, auth, TLS and timeout."""
    auth = None
    headers = {}
    if endpoint.username is not None:
        password = endpoint.password.get_secret_value() if endpoint.password else ""
        auth = httpx.BasicAuth(endpoint.username, password)
    if endpoint.token is not None:
        headers["Authorization"] = f"Bearer {endpoint.token.get_secret_value()}"
    api_key = getattr(endpoint, "api_key", None)  # (search engines only)
    if api_key is not None:
        key = api_key.get_secret_value()
        if ":" in key:  # id:key as created; base64 never holds a colon
            key = base64.b64encode(key.encode()).decode()
        headers["Authorization"] = f"ApiKey {key}"
    verify: bool | ssl.SSLContext = endpoint.verify_tls
    if endpoint.ca_file:
        try:
            verify = ssl.create_default_context(cafile=endpoint.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise EndpointConfigError(f"ca_file {endpoint.ca_file}: {exc.strerror or exc}") from None
    pinned = getattr(endpoint, "ssl_assert_fingerprint", None)
    if pinned:
        return httpx.Client(base_url=endpoint.url.rstrip("/"), auth=auth, headers=headers,
                            transport=_pinned_transport(pinned, endpoint.ca_file), trust_env=False,
                            timeout=httpx.Timeout(endpoint.timeout))
    return httpx.Client(
        base_url=endpoint.url.rstrip("/"),
        auth=auth,
        headers=headers,
        verify=verify,
        timeout=httpx.Timeout(endpoint.timeout),
    )


def _pinned_transport(fingerprint: str, ca_file: str | None) -> httpx.HTTPTransport:
    """A transport whose TLS connections are refused, after the handshake and before any byte of a request,
    unless the server's certificate or one of its chain has this SHA-256 fingerprint (elasticsearch-py's
    ssl_assert_fingerprint). The chain is verified only against a given ca_file."""
    import hashlib

    import httpcore

    if ca_file:
        context = ssl.create_default_context(cafile=ca_file)
    else:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: httpcore.NetworkStream) -> None:
            self.inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self.inner.read(max_bytes, timeout)

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self.inner.write(buffer, timeout)

        def close(self) -> None:
            self.inner.close()

        def get_extra_info(self, info: str) -> Any:
            return self.inner.get_extra_info(info)

        def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                      timeout: float | None = None) -> httpcore.NetworkStream:
            secured = self.inner.start_tls(ssl_context, server_hostname, timeout)
            tls = secured.get_extra_info("ssl_object")  # httpcore gives ssl's low-level _SSLSocket
            tls = getattr(tls, "_sslobj", tls)
            chain = [tls.getpeercert(True)] if tls is not None else []
            unverified = getattr(tls, "get_unverified_chain", None)  # (the whole chain; public in 3.13)
            if unverified is not None:
                import _ssl

                chain += [c.public_bytes(_ssl.ENCODING_DER) for c in unverified() or []]
            seen = sorted({hashlib.sha256(der).hexdigest() for der in chain if der})
            if fingerprint not in seen:
                secured.close()
                presented = ", ".join(_colons(f) for f in seen) or "no certificate"
                raise httpcore.ConnectError(f"refused: the server's TLS certificates are not ssl_assert_fingerprint "
                                            f"{_colons(fingerprint)} (it presented {presented})")
            return Stream(secured)

    class Backend(httpcore.NetworkBackend):
        def __init__(self) -> None:
            self.inner = httpcore.SyncBackend()

        def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                        socket_options=None) -> httpcore.NetworkStream:  # noqa: ANN001 - httpcore's signature
            return Stream(self.inner.connect_tcp(host, port, timeout, local_address, socket_options))

        def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):  # noqa: ANN001, ANN201
            return self.inner.connect_unix_socket(path, timeout, socket_options)

        def sleep(self, seconds: float) -> None:
            self.inner.sleep(seconds)

    transport = httpx.HTTPTransport(verify=context, trust_env=False)
    transport._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=Backend())  # noqa: SLF001
    return transport


def _colons(fingerprint: str) -> str:
    return ":".join(fingerprint[i:i + 2] for i in range(0, len(fingerprint), 2)).upper()


class Deadline:
    """When a backend call (with its retries) must be over: now + limits.http_deadline."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = limits.current().http_deadline if seconds is None else seconds
        self.at = time.monotonic() + self.seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def error(self, where: str = "") -> BackendError:
        return BackendError(f"{where + ': ' if where else ''}timed out: no complete answer within "
                            f"{self.seconds:g} s (limits.http_deadline)")


_deadline: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("mlops_tui_http_deadline", default=None)


@contextmanager
def deadline_scope(deadline: Deadline | None = None) -> Iterator[Deadline]:
    """Run the enclosed fetches under one deadline (the one already in force, else a new one)."""
    current = _deadline.get()
    if current is not None:
        yield current
        return
    token = _deadline.set(deadline or Deadline())
    try:
        yield _deadline.get()  # type: ignore[misc]
    finally:
        _deadline.reset(token)


def with_retries(call: Callable[[], T], policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep) -> T:
    """Run call, retrying retryable BackendErrors and transport errors with backoff, all of it within one
    deadline (limits.http_deadline): no retry starts, and no backoff sleeps, past it."""
    delays = policy.delays()
    with deadline_scope() as deadline:
        for attempt in range(len(delays) + 1):
            if deadline.expired():
                raise deadline.error()
            try:
                return call()
            except BackendError as exc:
                if not exc.retryable or attempt == len(delays) or deadline.expired():
                    raise
            except (httpx.TransportError,) as exc:
                if attempt == len(delays) or deadline.expired():
                    raise BackendError(describe_transport_error(exc), retryable=True) from None
            wait = min(delays[attempt], deadline.remaining())
            if wait > 0:
                sleep(wait)
    raise AssertionError("unreachable")


@dataclass
class Answer:
    """A backend's answer read whole, within the bounds: what the decoders use of an httpx.Response."""

    status_code: int
    reason_phrase: str
    headers: httpx.Headers
    content: bytes = field(repr=False)

    def json(self) -> Any:
        return json.loads(self.content)


class _Watchdog:
    """Shuts a fresh connection's socket down at the deadline, which wakes a read blocked on a trickle."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.fired = False
        self.timers: list[threading.Timer] = []

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, (socket.socket, ssl.SSLSocket)):
            timer = threading.Timer(max(0.0, self.deadline.remaining()), self._fire, (sock,))
            timer.daemon = True
            timer.start()
            self.timers.append(timer)

    def _fire(self, sock: socket.socket) -> None:
        self.fired = True
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        for timer in self.timers:
            timer.cancel()


def _decoded(response: httpx.Response, bound: int) -> Iterator[bytes]:
    """The answer's bytes as sent, inflated when gzip or deflate encoded, each piece at most `bound + 1` bytes.

    httpx's own decoder inflates a whole network read at once: one read of a gzip bomb can become hundreds of
    MiB before the caller sees a byte to count. Inflating with zlib's max_length keeps every piece small, so the
    bound is met before the memory is spent."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate"):
        yield from (response.iter_raw() if encoding == "identity" else response.iter_bytes())
        return
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32 if encoding != "deflate" else zlib.MAX_WBITS)
    try:
        for raw in response.iter_raw():
            data = raw
            while data:
                piece = inflater.decompress(data, bound + 1)
                if piece:
                    yield piece
                data = inflater.unconsumed_tail
        tail = inflater.flush()
        if tail:
            yield tail
    except zlib.error as exc:
        raise httpx.DecodingError(str(exc)) from None


def fetch(client: httpx.Client, path: str, params: Mapping[str, Any] | None = None, *, where: str,
          method: str = "GET", json_body: Any = None, headers: Mapping[str, str] | None = None) -> Answer:
    """GET path (or POST a query where the API has no GET, as InfluxDB's Flux /api/v2/query: a read all the
    same) and read the answer within limits.http_answer_bytes and the deadline in force (see `deadline_scope`;
    with_retries opens one). Raises BackendError with a one-line message, or httpx.TransportError for
    with_retries to retry."""
    bound = limits.current().http_answer_bytes
    with deadline_scope() as deadline:
        if deadline.expired():
            raise deadline.error(where)
        per_read = client.timeout.read if client.timeout.read is not None else deadline.seconds
        timeout = httpx.Timeout(min(per_read, max(0.001, deadline.remaining())))
        watchdog = _Watchdog(deadline)
        try:
            # Connection: close: the watchdog can only reach the socket of a connection opened for this call (its
            # connect event carries it); a kept-alive one reused by the next call would let a server that turns
            # to trickling hold that call past the deadline (seen: InfluxDB's /ping, then a Flux query)
            with client.stream(method, path, params=params, timeout=timeout, json=json_body,
                               headers={"Connection": "close", **(headers or {})},
                               extensions={"trace": watchdog.trace}) as response:
                declared = response.headers.get("content-length", "")
                if (declared.isdigit() and int(declared) > bound
                        and response.headers.get("content-encoding", "identity") == "identity"):
                    raise _too_big(where, path, bound)
                chunks: list[bytes] = []
                total = 0
                for chunk in _decoded(response, bound):  # what gzip inflates to is what is counted
                    total += len(chunk)
                    if total > bound:
                        raise _too_big(where, path, bound)
                    if deadline.expired():
                        raise deadline.error(where)
                    chunks.append(chunk)
                return Answer(response.status_code, response.reason_phrase, response.headers, b"".join(chunks))
        except httpx.DecodingError as exc:
            raise BackendError(f"{where}: the answer to {path} cannot be decoded: {exc}") from None
        except (httpx.TransportError, httpx.StreamError):
            if watchdog.fired or deadline.expired():
                raise deadline.error(where) from None
            raise
        finally:
            watchdog.cancel()


def _too_big(where: str, path: str, bound: int) -> BackendError:
    return BackendError(f"{where}: the answer to {path} is larger than {bound:,} bytes "
                        f"(limits.http_answer_bytes): refused")


def describe_transport_error(exc: httpx.TransportError) -> str:
    """A one-line reason for a failed connection, without a traceback."""
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {exc}"
    return f"{type(exc).__name__}: {exc}"


def json_object(response: httpx.Response | Answer, where: str, path: str) -> dict:
    """The answer's JSON object, or a one-line BackendError: an HTTP error without JSON, malformed JSON, JSON
    nested deeper than the parser follows (a hostile or broken server), or JSON that is not an object."""
    status = response.status_code
    try:
        body = response.json()
    except RecursionError:
        raise BackendError(f"{where}: the answer to {path} is nested too deeply to read", status=status) from None
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        if 300 <= status < 400:
            location = response.headers.get("location", "")
            raise BackendError(f"{where}: HTTP {status} redirect to {_origin(location)} (not followed)", status=status)
        if status >= 400:
            raise BackendError(f"{where}: HTTP {status} {response.reason_phrase}", status=status,
                               retryable=status in RETRYABLE_STATUS) from None
        raise BackendError(f"{where}: malformed JSON in the answer to {path}", status=status) from None
    if not isinstance(body, dict):
        raise BackendError(f"{where}: unexpected answer to {path} (not a JSON object)", status=status)
    return body


def _origin(location: str) -> str:
    """scheme://host[:port] of a redirect target: no path or query that could carry a token."""
    try:
        url = httpx.URL(location)
    except (httpx.InvalidURL, TypeError):
        return "an unreadable location"
    if not url.host:
        return "another path on the same server"
    return f"{url.scheme}://{url.host}{':' + str(url.port) if url.port else ''}"
