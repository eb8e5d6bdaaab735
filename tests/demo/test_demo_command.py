"""`mlops-tui demo` end to end in a pseudo-terminal: sandbox built, app open, logs live, all removed on quit."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from demo.tools import Terminal


def count_lines(logs: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in logs.iterdir()) if logs.is_dir() else 0


@pytest.mark.slow
def test_demo_opens_the_app_on_a_live_sandbox_and_cleans_up(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "TERM": "xterm-256color", "DVC_NO_ANALYTICS": "1"}
    terminal = Terminal([sys.executable, "-m", "mlops_tui", "demo"], env)
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
