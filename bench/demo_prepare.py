"""Figure: time to build the demo sandbox (`mlops-tui demo --prepare`), vs one `dvc status` in it.

Run: .venv/bin/python bench/demo_prepare.py [--repeat 5]
Prints the median seconds of prepare() in-process and of the `mlops-tui demo --prepare DIR` command
(process start included), the median of a `dvc status` call on the result, and the ratios. Goal:
prepare under 3 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlops_tui.demo.sandbox import prepare

BIN = Path(sys.executable).parent


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    in_process, command, status = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        for i in range(args.repeat):
            root = Path(tmp) / f"in-process-{i}"
            in_process.append(timed(lambda: prepare(root)))
            target = Path(tmp) / f"command-{i}"
            command.append(timed(lambda: subprocess.run(
                [sys.executable, "-m", "mlops_tui", "demo", "--prepare", str(target)],
                check=True, capture_output=True, env=env)))
            result: list[subprocess.CompletedProcess] = []
            status.append(timed(lambda: result.append(subprocess.run(
                [str(BIN / "dvc"), "status"], cwd=root, capture_output=True, text=True, env=env))))
            if "up to date" not in result[0].stdout:
                sys.exit(f"dvc status did not report the sandbox up to date:\n{result[0].stdout}{result[0].stderr}")
    prep, cmd, dvc = (statistics.median(x) for x in (in_process, command, status))
    print(f"prepare() in process:          {prep:.3f} s (median of {args.repeat})")
    print(f"mlops-tui demo --prepare DIR:  {cmd:.3f} s")
    print(f"dvc status on the sandbox:     {dvc:.3f} s")
    print(f"ratio prepare()/dvc status:    {prep / dvc:.2f}")
    print(f"ratio command/dvc status:      {cmd / dvc:.2f}")


if __name__ == "__main__":
    main()
