"""`mlops-tui demo` end to end in a pseudo-terminal: sandbox built, app open, logs live, all removed on quit."""

from __future__ import annotations

from pathlib import Path

import pytest
from demo.tools import demo_in_terminal


def count_lines(logs: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in logs.iterdir()) if logs.is_dir() else 0


@pytest.mark.slow
def test_demo_opens_the_app_on_a_live_sandbox_and_cleans_up(tmp_path: Path) -> None:
    terminal, tmp = demo_in_terminal(tmp_path)
    try:
        assert terminal.wait_for(lambda: b"Models" in terminal.output and b"Configs" in terminal.output), \
            bytes(terminal.output[-600:])
        sandboxes = list(tmp.glob("mlops-tui-demo-*/sandbox"))
        assert len(sandboxes) == 1
        logs = sandboxes[0] / "logs"
        backlog = count_lines(logs)
        assert backlog > 2000
        assert terminal.wait_for(lambda: count_lines(logs) > backlog + 3, timeout=30), "no live log lines"
        terminal.send("q")
        assert terminal.wait_for(lambda: terminal.process.poll() is not None, timeout=30)
        assert terminal.process.returncode == 0, bytes(terminal.output[-600:])
        after_app = bytes(terminal.output).rpartition(b"\x1b[?1049l")[2]  # printed once the app closed
        assert b"Traceback" not in after_app and b"Error" not in after_app, after_app
        assert list(tmp.iterdir()) == []  # the temporary sandbox is gone
    finally:
        terminal.close()


@pytest.mark.slow
def test_a_hang_up_removes_the_sandbox(tmp_path: Path) -> None:
    """A dropped SSH session: the terminal goes away and the demo gets SIGHUP, as the kernel sends it."""
    import os
    import signal

    terminal, tmp = demo_in_terminal(tmp_path)
    try:
        assert terminal.wait_for(lambda: b"Models" in terminal.output and b"Configs" in terminal.output), \
            bytes(terminal.output[-600:])
        logs = next(tmp.glob("mlops-tui-demo-*/sandbox")) / "logs"
        backlog = count_lines(logs)
        assert terminal.wait_for(lambda: count_lines(logs) > backlog, timeout=30), "no live log lines"
        os.close(terminal.master)  # the terminal is gone: the app's writes now fail
        terminal.master = os.open(os.devnull, os.O_RDONLY)  # (close() closes something)
        os.killpg(terminal.process.pid, signal.SIGHUP)
        terminal.process.wait(30)
        assert terminal.process.returncode == 128 + signal.SIGHUP
        assert list(tmp.iterdir()) == []  # sandbox and anything the demo started in it removed
    finally:
        terminal.close()
