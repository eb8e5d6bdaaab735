"""Run the real command line as a child process and measure what the issue's figures count: exit code,
stderr, wall time and the child's own peak RSS (os.wait4 gives that one process's rusage), and tally
each run into the suite's figures (printed at the end of the run by conftest.pytest_terminal_summary)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# A CLI command's own bound on itself: the hostile inputs must end well inside it. Reaching it kills the
# child and counts as a hang (a failure), never as a pass.
HANG_AFTER = 45.0
PEAK_BOUND_MIB = 400  # peak RSS allowed to one command on hostile input (an idle `mlops-tui` is ~40-90 MiB)

# The command is started by this small shim, which reports its child's rusage. Linux charges the RSS of the
# process that forks to the child's ru_maxrss at exec, so a child forked straight from pytest (hundreds of MiB
# late in a full run) would report pytest's peak, not its own: 290 MiB for a command that used 64 MiB.
SHIM = """
import os, sys
report, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.execv(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as out:
    out.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""

# Permission bits do not stop root (CI runs as root): a run that must meet them drops, for that child only,
# the two capabilities that bypass them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) from its bounding set. It stays
# uid 0, so it still reads the interpreter and the venv (under /root on CI) by their owner bits; a file or
# folder of mode 0 is then refused to it as to any user. (Switching to `nobody` instead would lose /root.)
AS_ORDINARY_USER = (["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                     "--inh-caps=-dac_override,-dac_read_search"] if os.geteuid() == 0 else [])

FIGURES: Counter[str] = Counter()
ESCAPE = re.compile(r"[\x1b\x9b\x9d\x07]")


@dataclass
class Run:
    args: tuple[str, ...]
    code: int
    out: str
    err: str
    seconds: float
    peak_mib: float
    hung: bool

    def __str__(self) -> str:
        return (f"mlops-tui {' '.join(self.args)[:200]}: exit {self.code} in {self.seconds:.1f} s, "
                f"peak {self.peak_mib:.0f} MiB\nstderr: {self.err[-2000:]}")


def run(args: Sequence[str], cwd: Path | None = None, env: Mapping[str, str] | None = None,
        hang_after: float = HANG_AFTER, peak_bound_mib: float = PEAK_BOUND_MIB, ordinary_user: bool = False) -> Run:
    """`python -m mlops_tui ARGS`, tallied: a crash (exit 70 or a traceback), a hang (killed at hang_after),
    a run over peak_bound_mib, an escape sequence on stdout/stderr. `ordinary_user`: permission bits hold for
    the child even when the suite runs as root (see AS_ORDINARY_USER)."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as report:
        started = time.monotonic()
        prefix = [shutil.which(AS_ORDINARY_USER[0]) or AS_ORDINARY_USER[0], *AS_ORDINARY_USER[1:]] \
            if ordinary_user and AS_ORDINARY_USER else []
        child = subprocess.Popen([sys.executable, "-c", SHIM, report.name, *prefix, sys.executable, "-m", "mlops_tui",
                                  *args],
                                 cwd=cwd, env=full_env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
        hung = threading.Event()

        def kill() -> None:
            hung.set()
            os.killpg(child.pid, signal.SIGKILL)

        timer = threading.Timer(hang_after, kill)
        timer.start()
        _, status, _ = os.wait4(child.pid, 0)
        timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        peak_kib = float(report.read() or 0)  # empty when the shim was killed (a hang)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        result = Run(tuple(args), child.returncode, out.read().decode("utf-8", "replace"),
                     err.read().decode("utf-8", "replace"), seconds, peak_kib / 1024, hung.is_set())
    tally(result, peak_bound_mib)
    return result


def tally(result: Run, peak_bound_mib: float = PEAK_BOUND_MIB) -> None:
    FIGURES["inputs and faults tried"] += 1
    if result.code == 70 or "Traceback" in result.err:
        FIGURES["crashes"] += 1
    if result.hung:
        FIGURES["hangs past the deadline"] += 1
    if result.peak_mib > peak_bound_mib:
        FIGURES["runs over the memory bound"] += 1
    if ESCAPE.search(result.out) or ESCAPE.search(result.err):
        FIGURES["escapes that took effect"] += 1


def count(figure: str, n: int = 1) -> None:
    """Tally a figure observed outside `run` (a pane under Pilot, a secret found, a write found)."""
    FIGURES[figure] += n


def ok_refusal(result: Run, code: int, *needles: str) -> None:
    """The run ended by itself, with `code`, a one-line-per-problem message naming each needle, no traceback."""
    assert not result.hung, f"hung: {result}"
    assert "Traceback" not in result.err, str(result)
    assert result.code == code, str(result)
    for needle in needles:
        assert needle in result.err, str(result)
