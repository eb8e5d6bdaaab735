"""Figure: data drift of 1,000,000 rows x 20 columns (15 numeric, 5 text), mlops-tui vs Evidently's data drift
preset (legacy Report + DataDriftPreset, 0.7.x, in its own venv under bench/.peers) in the same run.

Run: .venv/bin/python bench/drift.py [--rows 1000000]
Prints our seconds (`drift_files`, as the CLI: both CSV files read at once, then compared; comparing alone), Evidently's (pandas.read_csv, then
the report), each timed after its imports, the ratio, and whether both chose the same test and verdict for every column. Evidently needs
pandas<3 (0.7.23 imports a pandas 2 internal).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import OUT, peer_venv  # noqa: E402

from mlops_tui.sources.drift import compare, drift_files, read_sample  # noqa: E402

NUMERIC, TEXT = 15, 5
# Evidently's names of the tests, as in its report, to ours.
NAMES = {"Wasserstein distance (normed)": "wasserstein", "Jensen-Shannon distance": "jensenshannon",
         "K-S p_value": "ks", "chi-square p_value": "chisquare", "Z-test p_value": "z", "PSI": "psi"}

EVIDENTLY = r"""
import json, sys, time
import pandas as pd
from evidently.legacy.report import Report
from evidently.legacy.metric_preset import DataDriftPreset
start = time.perf_counter()
ref, cur = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
read = time.perf_counter() - start
report = Report(metrics=[DataDriftPreset()])
report.run(reference_data=ref, current_data=cur)
result = report.as_dict()["metrics"][1]["result"]
total = time.perf_counter() - start
print(json.dumps({"read": read, "total": total, "dataset_drift": bool(result["dataset_drift"]),
                  "columns": {k: [v["stattest_name"], bool(v["drift_detected"])]
                              for k, v in result["drift_by_columns"].items()}}))
"""


def write(path: Path, rows: int, shift: float, seed: int) -> None:
    """Skewed, heavy-tailed and few-valued numeric columns, the first three shifted; text columns of 7 to 2000
    categories, the first one re-weighted."""
    rng = np.random.default_rng(seed)
    columns, names = [], []
    for i in range(NUMERIC):
        shape = i % 3
        if shape == 0:
            v = rng.lognormal(0, 1, rows)
        elif shape == 1:
            v = rng.standard_t(3, rows)
        else:
            v = rng.integers(0, 4, rows).astype(float)
        v = v + (shift if i < 3 else 0.0)
        columns.append(np.char.mod("%.5g", v))
        names.append(f"num{i}")
    for i in range(TEXT):
        k = (7, 50, 2000, 3, 12)[i]
        weights = rng.random(k) + (shift * np.arange(k) / k if i == 0 else 0)
        columns.append(np.array([f"cat{j}" for j in range(k)])[rng.choice(k, rows, p=weights / weights.sum())])
        names.append(f"text{i}")
    with path.open("w") as out:
        out.write(",".join(names) + "\n")
        out.write("\n".join(",".join(row) for row in zip(*columns)))
        out.write("\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = OUT / "drift"
    folder.mkdir(parents=True, exist_ok=True)
    ref, cur = folder / f"ref-{args.rows}.csv", folder / f"cur-{args.rows}.csv"
    if not (ref.exists() and cur.exists()):
        write(ref, args.rows, 0.0, 1)
        write(cur, args.rows, 0.3, 2)

    # Each side is timed after its imports, as Evidently's script below is (its imports take about 4 s): ours
    # are imported lazily, on the first call, so they are imported here first.
    import pyarrow.compute  # noqa: F401
    import pyarrow.csv  # noqa: F401
    import scipy.special  # noqa: F401
    import scipy.stats  # noqa: F401

    import mlops_tui.sources.limits  # noqa: F401 - the settings loader, which the CLI has imported already

    start = time.perf_counter()
    report = drift_files(str(ref), str(cur))  # what `mlops-tui drift` runs: both files read at once
    total = time.perf_counter() - start
    samples = read_sample(str(ref)), read_sample(str(cur))
    start = time.perf_counter()
    compare(*samples)
    compared = time.perf_counter() - start
    read = total - compared
    print(f"mlops-tui: {total:.2f} s ({read:.2f} s reading both CSV files at once, {compared:.2f} s comparing); "
          f"{len(report.drifted)} of {len(report.tested)} columns drifted, dataset drift {report.dataset_drift}")

    venv = peer_venv("evidently", "evidently>=0.7,<0.8")
    if venv is not None and not (venv / ".pandas2").exists():  # 0.7.23 imports a pandas 2 internal
        if subprocess.run([str(venv / "bin/pip"), "install", "-q", "pandas<3"]).returncode == 0:
            (venv / ".pandas2").write_text("pandas<3")
    if venv is None:
        print("evidently: missing (could not be installed); no ratio")
        return
    run = subprocess.run([str(venv / "bin/python"), "-c", EVIDENTLY, str(ref), str(cur)], capture_output=True,
                         text=True, env={**os.environ, "EVIDENTLY_DISABLE_TELEMETRY": "1"})
    if run.returncode != 0:
        print(f"evidently: failed: {run.stderr.strip().splitlines()[-1:]}")
        return
    peer = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"evidently: {peer['total']:.2f} s ({peer['read']:.2f} s pandas.read_csv, "
          f"{peer['total'] - peer['read']:.2f} s the report); dataset drift {peer['dataset_drift']}")
    print(f"ratio: {peer['total'] / total:.1f}x overall, "
          f"{(peer['total'] - peer['read']) / compared:.1f}x comparing alone")
    differ = [f"{c.column}: ours {c.test}/{c.drifted}, evidently {NAMES.get(t, t)}/{d}"
              for c in report.columns for t, d in [peer["columns"][c.column]]
              if (c.test, c.drifted) != (NAMES.get(t, t), d)]
    print("same test and verdict for every column" if not differ else "differ: " + "; ".join(differ))


if __name__ == "__main__":
    main()
