"""Waiting on a condition in a Pilot test, instead of sleeping and hoping."""

from __future__ import annotations

import time
from collections.abc import Callable


async def until(pilot, condition: Callable[[], bool], timeout: float = 10.0, what: str = "the condition") -> None:
    """Let the app run until condition() is true; AssertionError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        await pilot.pause(0.01)
