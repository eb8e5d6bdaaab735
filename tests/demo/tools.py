"""Running the real dvc, gto and git CLIs on a sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


def tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env["DVC_NO_ANALYTICS"] = "1"
    env["GTO_EMOJIS"] = "false"
    return env


def run(cwd: Path, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a real CLI (dvc and gto from the test venv, git from PATH) in `cwd`."""
    program = str(BIN / argv[0]) if (BIN / argv[0]).exists() else argv[0]
    result = subprocess.run([program, *argv[1:]], cwd=cwd, capture_output=True, text=True, env=tool_env(),
                            timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def run_json(cwd: Path, *argv: str) -> Any:
    return json.loads(run(cwd, *argv).stdout)


class Terminal:
    """A program in a pseudo-terminal, its output drained so it never blocks (for `mlops-tui demo`)."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (100, 30)) -> None:
        import fcntl
        import pty
        import struct
        import termios

        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.output = bytearray()

    def drain(self, timeout: float = 0.05) -> None:
        import select

        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                self.output += os.read(self.master, 1 << 16)
            except OSError:
                pass

    def wait_for(self, condition, timeout: float = 60.0) -> bool:
        """Drain output until condition() holds (True) or the time runs out (False)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.drain()
            if condition():
                return True
        return condition()

    def send(self, text: str) -> None:
        os.write(self.master, text.encode())

    def close(self) -> None:
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        os.close(self.master)


def demo_in_terminal(tmp_path: Path) -> tuple[Terminal, Path]:
    """`mlops-tui demo` started in a pseudo-terminal with its own TMPDIR (returned: the sandbox and anything
    the demo starts live there, and it must be empty again after quit)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "TERM": "xterm-256color", "DVC_NO_ANALYTICS": "1"}
    return Terminal([sys.executable, "-m", "mlops_tui", "demo"], env), tmp
