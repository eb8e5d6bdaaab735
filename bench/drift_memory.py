"""Figure: peak memory and time of `mlops-tui drift` on 20,000,000 rows x 20 columns (15 numeric, 5 text) per
file, CSV, reference against current: the files are read in blocks and each numeric column past 1,000,000
values is a uniform sample of that many, so memory stays bounded (the issue's bound: under 500 MB peak).

Run: .venv/bin/python bench/drift_memory.py [--rows 20000000]
Writes both files once under bench/out/drift (about 2.5 GB each), then runs the real command line in a child
process and prints its wall time and its own peak RSS (ru_maxrss through a fork shim: a child forked from a
big parent is charged the parent's RSS at exec). No peer here: Evidently reads a whole file into pandas
(bench/drift.py compares with it at 1,000,000 rows).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import OUT, PYTHON, ROOT  # noqa: E402

NUMERIC, TEXT = 15, 5
CHUNK = 1_000_000

SHIM = """
import os, sys
report, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.execv(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) & 255)
"""


def write(path: Path, rows: int, shift: float, seed: int) -> None:
    """The columns of bench/drift.py (skewed, heavy-tailed and few-valued numbers, the first three shifted; text
    of 7 to 2000 categories, the first re-weighted), written a million rows at a time by pyarrow's CSV writer."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    rng = np.random.default_rng(seed)
    cats = [np.array([f"cat{j}" for j in range(k)]) for k in (7, 50, 2000, 3, 12)]
    weights = [rng.random(len(c)) + (shift * np.arange(len(c)) / len(c) if i == 0 else 0) for i, c in enumerate(cats)]
    partial = path.with_suffix(".partial")
    with pcsv.CSVWriter(str(partial), pa.schema(
            [(f"num{i}", pa.float64()) for i in range(NUMERIC)] + [(f"text{i}", pa.string()) for i in range(TEXT)]),
            write_options=pcsv.WriteOptions(quoting_style="none")) as out:
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            columns = []
            for i in range(NUMERIC):
                shape = i % 3
                v = rng.lognormal(0, 1, n) if shape == 0 else rng.standard_t(3, n) if shape == 1 else \
                    rng.integers(0, 4, n).astype(float)
                columns.append(np.round(v + (shift if i < 3 else 0.0), 4))
            for c, w in zip(cats, weights):
                columns.append(c[rng.choice(len(c), n, p=w / w.sum())])
            out.write_table(pa.table(columns, names=[f"num{i}" for i in range(NUMERIC)] + [f"text{i}" for i in range(TEXT)]))
    partial.rename(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000_000)
    args = parser.parse_args()
    folder = OUT / "drift"
    folder.mkdir(parents=True, exist_ok=True)
    ref, cur = folder / f"big-ref-{args.rows}.csv", folder / f"big-cur-{args.rows}.csv"
    for path, shift, seed in ((ref, 0.0, 1), (cur, 0.3, 2)):
        if not path.exists():
            start = time.perf_counter()
            write(path, args.rows, shift, seed)
            print(f"wrote {path.name}: {path.stat().st_size / 2**30:.2f} GiB in {time.perf_counter() - start:.0f} s")
    with tempfile.NamedTemporaryFile("r") as report:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        start = time.perf_counter()
        run = subprocess.run([PYTHON, "-c", SHIM, report.name, PYTHON, "-m", "mlops_tui", "drift", str(ref), str(cur),
                              "--progress", "never"], capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        peak = int(Path(report.name).read_text() or 0) * 1024
    if run.returncode not in (0, 1):
        print(f"mlops-tui drift failed ({run.returncode}): {run.stderr.strip()[-400:]}")
        return
    lines = run.stdout.splitlines()
    sampled = sum("uniform sample of" in line for line in lines)
    print(f"mlops-tui drift, {args.rows:,} rows x {NUMERIC + TEXT} columns per file: {wall:.1f} s, "
          f"peak RSS {peak / 2**20:.0f} MiB (bound 500 MB = {500e6 / 2**20:.0f} MiB); "
          f"{sampled} numeric columns sampled; {lines[-1]}")


if __name__ == "__main__":
    main()
