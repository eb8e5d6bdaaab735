"""Waiting on a condition with a deadline, the one way a test waits for something to happen (never a sleep
that hopes), and the notifications an app showed, read through its public `notify`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def until(pilot, condition: Callable[[], Any], timeout: float = 20.0,
                describe: Callable[[], object] = lambda: "") -> None:
    """Let the app run until condition() is true; fail naming describe() after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"condition not reached in {timeout:g} s {describe()}"
        await pilot.pause(0.02)


def wait_for(condition: Callable[[], T], timeout: float = 20.0, interval: float = 0.01,
             describe: Callable[[], object] = lambda: "") -> T:
    """Call condition() until it returns something true, and return that (no app running: plain polling)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"condition not reached in {timeout:g} s {describe()}"
        time.sleep(interval)
    return value


def record_notifications(app) -> list[str]:
    """The messages app.notify is called with from now on (widgets' notify goes through it too)."""
    messages: list[str] = []
    notify = app.notify

    def recording(message: str, **options) -> None:
        messages.append(message)
        notify(message, **options)

    app.notify = recording
    return messages
