"""The one place where network calls get their timeout and retry policy."""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx

from mlops_tui.settings.base import Endpoint

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
    verify: bool | ssl.SSLContext = endpoint.verify_tls
    if endpoint.ca_file:
        try:
            verify = ssl.create_default_context(cafile=endpoint.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise EndpointConfigError(f"ca_file {endpoint.ca_file}: {exc.strerror or exc}") from None
    return httpx.Client(
        base_url=endpoint.url.rstrip("/"),
        auth=auth,
        headers=headers,
        verify=verify,
        timeout=httpx.Timeout(endpoint.timeout),
    )


def with_retries(call: Callable[[], T], policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep) -> T:
    """Run call, retrying retryable BackendErrors and transport errors with backoff."""
    delays = policy.delays()
    for attempt in range(len(delays) + 1):
        try:
            return call()
        except BackendError as exc:
            if not exc.retryable or attempt == len(delays):
                raise
        except (httpx.TransportError,) as exc:
            if attempt == len(delays):
                raise BackendError(describe_transport_error(exc), retryable=True) from None
        sleep(delays[attempt])
    raise AssertionError("unreachable")


def describe_transport_error(exc: httpx.TransportError) -> str:
    """A one-line reason for a failed connection, without a traceback."""
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {exc}"
    return f"{type(exc).__name__}: {exc}"


def json_object(response: httpx.Response, where: str, path: str) -> dict:
    """The answer's JSON object, or a one-line BackendError: an HTTP error without JSON, malformed JSON, JSON
    nested deeper than the parser follows (a hostile or broken server), or JSON that is not an object."""
    status = response.status_code
    try:
        body = response.json()
    except RecursionError:
        raise BackendError(f"{where}: the answer to {path} is nested too deeply to read", status=status) from None
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        if status >= 400:
            raise BackendError(f"{where}: HTTP {status} {response.reason_phrase}", status=status,
                               retryable=status in RETRYABLE_STATUS) from None
        raise BackendError(f"{where}: malformed JSON in the answer to {path}", status=status) from None
    if not isinstance(body, dict):
        raise BackendError(f"{where}: unexpected answer to {path} (not a JSON object)", status=status)
    return body
