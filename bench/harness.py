"""Shared bench plumbing: run a terminal program in a pseudo-terminal, time its first paint, read RSS.

Each bench script prints its figure and, where a peer runs here, the ratio measured in the same run.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PEERS = BENCH / ".peers"
OUT = BENCH / "out"
PYTHON = sys.executable


class Terminal:
    """A program running in a pty of a given size; output is drained so it never blocks."""

    def __init__(self, argv: Sequence[str], size: tuple[int, int] = (80, 24), cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        full_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(size[0]), "LINES": str(size[1]),
                    **(env or {})}
        self.started = time.perf_counter()
        self.process = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=full_env,
                                        start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.output = bytearray()

    def drain(self, timeout: float = 0.05) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                self.output += os.read(self.master, 1 << 16)
            except OSError:
                pass

    def wait_for(self, marker: bytes, timeout: float = 30.0) -> float:
        """Seconds from process start until marker appeared on the terminal."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            self.drain()
            if marker in self.output:
                return time.perf_counter() - self.started
            if self.process.poll() is not None:
                self.drain()
                raise RuntimeError(f"{self.process.args[0]} exited ({self.process.returncode}): "
                                   f"{bytes(self.output[-400:])!r}")
        raise TimeoutError(f"{marker!r} not seen within {timeout}s")

    def idle(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            self.drain(0.2)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.close(self.master)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def rss_bytes(pid: int) -> int:
    """Resident memory of pid and its children, from /proc."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except FileNotFoundError:
            pass
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of pid (not its children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peer_venv(name: str, requirement: str) -> Path | None:
    """A venv under bench/.peers/NAME with requirement installed; None (and a note) when pip cannot."""
    venv = PEERS / name
    marker = venv / ".installed"
    if not marker.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        result = subprocess.run([str(venv / "bin/pip"), "install", "-q", requirement], capture_output=True, text=True)
        if result.returncode != 0:
            print(f"note: cannot install peer {requirement}: {result.stderr.strip().splitlines()[-1:]}")
            return None
        marker.write_text(requirement)
    return venv


def which(program: str) -> str | None:
    found = shutil.which(program)
    if not found:
        print(f"note: peer {program} is not installed here; its ratio is not measured")
    return found


def prepared_demo() -> Path:
    """A demo sandbox made by `mlops-tui demo --prepare` (once per bench output folder)."""
    root = OUT / "demo-sandbox"
    if not root.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run([PYTHON, "-m", "mlops_tui", "demo", "--prepare", str(root)], check=True,
                       stdout=subprocess.DEVNULL)
    return root


def demo_argv(root: Path) -> list[str]:
    from mlops_tui.demo.sandbox import demo_overrides

    return [PYTHON, "-m", "mlops_tui", *demo_overrides(root)]


def best(fn, runs: int = 3) -> tuple[float, object]:
    """The fastest of `runs` calls of fn (seconds) and its last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result
