"""A bug inside the running app ends the command as a bug in the CLI does: exit 70, one masked line, the
traceback in the owner-only crash file with secrets masked (Textual's own exit code is 1)."""

from __future__ import annotations

import os
import stat
import sys
import textwrap
from pathlib import Path

from demo.tools import Terminal
from hostile.measure import count

SECRET = "sk-live-crashcrash1234567890"


def test_a_crash_inside_the_app_exits_70_with_a_masked_line_and_crash_file(tmp_path: Path) -> None:
    count("inputs and faults tried")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent(f"""
        import mlops_tui.app

        def broken_help(self):
            raise RuntimeError("help broke, token={SECRET}")

        mlops_tui.app.MlopsApp.action_help = broken_help
    """))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")]),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "TERM": "xterm-256color"}
    terminal = Terminal([sys.executable, "-m", "mlops_tui"], env, size=(80, 24))
    try:
        assert terminal.wait_for(lambda: b"Metrics" in terminal.output, timeout=60), terminal.output[-2000:]
        terminal.send("?")
        assert terminal.wait_for(lambda: terminal.process.poll() is not None, timeout=60), "the app did not end"
    finally:
        terminal.close()
    shown = terminal.output.decode("utf-8", "replace")
    if terminal.process.returncode != 70:
        count("crashes")
    assert terminal.process.returncode == 70, shown[-2000:]
    assert "internal error: RuntimeError: help broke" in shown
    assert SECRET not in shown
    crash = tmp_path / "state" / "mlops-tui" / "crash.log"
    report = crash.read_text()
    assert "broken_help" in report and "Traceback" in report and SECRET not in report
    assert stat.S_IMODE(crash.stat().st_mode) == 0o600
