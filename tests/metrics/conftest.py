"""Fixtures of the local metrics tests: the real CLI run as a subprocess, short-lived real processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`mlops-tui ARGS` in a fresh interpreter, as a user would run it."""
    return subprocess.run([sys.executable, "-m", "mlops_tui", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def sleeper():
    """A real process that lives until the test kills it (or 60 s pass)."""
    procs: list[subprocess.Popen] = []

    def start(seconds: int = 60) -> subprocess.Popen:
        proc = subprocess.Popen(["sleep", str(seconds)])
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
