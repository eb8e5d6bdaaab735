"""Waiting on a condition instead of sleeping and hoping: in a Pilot test (`until`), without an app
(`wait_for`), and the notifications an app showed, read through its public `notify`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def until(pilot, condition: Callable[[], Any], timeout: float = 10.0, what: str = "the condition",
                describe: Callable[[], object] | None = None) -> None:
    """Let the app run until condition() is true; AssertionError naming `what` (and describe(), the state seen)
    after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            seen = f"; saw {describe()!r}" if describe is not None else ""
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}{seen}")
        await pilot.pause(0.01)


def wait_for(condition: Callable[[], T], timeout: float = 20.0, interval: float = 0.01, what: str = "the condition",
             describe: Callable[[], object] | None = None) -> T:
    """Call condition() until it returns something true, and return that (no app running: plain polling)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            seen = f"; saw {describe()!r}" if describe is not None else ""
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}{seen}")
        time.sleep(interval)
    return value


def record_notifications(app) -> list[str]:
    """The messages app.notify is called with from now on (a widget's notify goes through it too)."""
    messages: list[str] = []
    notify = app.notify

    def recording(message: str, **options) -> None:
        messages.append(message)
        notify(message, **options)

    app.notify = recording
    return messages
