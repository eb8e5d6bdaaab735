"""The Linux driver's input thread: it sleeps while no key comes, and still delivers keys, a lone Escape
and the exit."""

from __future__ import annotations

import asyncio
import os
import pty
import signal
import sys
import threading
import time
import tty
from pathlib import Path

import pytest
from textual import events
from textual.app import App
from textual.drivers.linux_driver import LinuxDriver

from mlops_tui.app import MlopsApp
from mlops_tui.driver import QuietLinuxDriver
from mlops_tui.settings import Settings

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc (Linux)")


class KeyRecorder:
    """Stands where the app would: the driver posts what it parsed here."""

    def __init__(self) -> None:
        self.keys: asyncio.Queue[str] = asyncio.Queue()

    async def _post_message(self, message: object) -> bool:
        if isinstance(message, events.Key):
            await self.keys.put(message.key)
        return True


def voluntary_switches(thread: threading.Thread) -> int:
    status = Path(f"/proc/self/task/{thread.native_id}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("voluntary_ctxt_switches")))


@pytest.fixture
def terminal(monkeypatch):
    """A raw pseudo-terminal whose slave end is the driver's stdin; the signal handlers the driver installs
    are put back afterwards."""
    master, slave = pty.openpty()
    tty.setraw(slave)  # as start_application_mode would: bytes arrive as typed, not a line at a time
    monkeypatch.setattr(sys, "__stdin__", os.fdopen(slave, "rb", buffering=0, closefd=False))
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTSTP, signal.SIGCONT)}
    yield master
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    os.close(master)
    os.close(slave)


async def idle_wakeups(driver_class: type[LinuxDriver], recorder: KeyRecorder, seconds: float = 1.0):
    """Start driver_class's input thread, let it idle, and count how often it woke."""
    driver = driver_class(recorder)
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    await asyncio.sleep(0.2)
    before = voluntary_switches(thread)
    await asyncio.sleep(seconds)
    return driver, thread, voluntary_switches(thread) - before


async def test_input_thread_sleeps_until_a_key_comes(terminal):
    recorder = KeyRecorder()
    textual_driver, textual_thread, textual_wakeups = await idle_wakeups(LinuxDriver, recorder)
    textual_driver.exit_event.set()
    textual_thread.join(2)
    driver, thread, wakeups = await idle_wakeups(QuietLinuxDriver, recorder)
    try:
        assert textual_wakeups >= 5, "the measure should see Textual's own driver poll ten times a second"
        assert wakeups <= 2  # a stray signal may wake it once; Textual's own wakes ten times

        os.write(terminal, b"j")
        assert await asyncio.wait_for(recorder.keys.get(), 2) == "j"
        os.write(terminal, b"\x1b[A")  # a whole escape sequence: the Up key
        assert await asyncio.wait_for(recorder.keys.get(), 2) == "up"
        started = time.monotonic()
        os.write(terminal, b"\x1b")  # a lone escape byte is the Escape key once its timeout has passed
        assert await asyncio.wait_for(recorder.keys.get(), 2) == "escape"
        assert time.monotonic() - started < 1.0
    finally:
        driver.exit_event.set()
        thread.join(2)
    assert not thread.is_alive(), "setting the exit event must wake the blocked thread"
    driver.close()
    driver.exit_event.set()  # after close the event no longer writes to the (closed) pipe


def test_the_app_uses_it_where_textual_would_use_its_linux_driver():
    app = MlopsApp(Settings())
    if App.get_driver_class(app) is not LinuxDriver:
        pytest.skip("Textual picks another driver here (TEXTUAL_DRIVER, or not Linux)")
    assert app.driver_class is QuietLinuxDriver
