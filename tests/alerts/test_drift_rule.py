"""Drift rules through `mlops-tui alerts check`: a column's score and the dataset's share over two real files."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from support.cli import run_cli

RULES = """
alerts:
  rules:
    - name: age drift
      kind: drift
      reference: train.csv
      current: prod.csv
      expr: age
      threshold: 0.1
      summary: "age moved {{ $value }} reference standard deviations"
      severity: critical
    - name: plan drift by chi-squared
      kind: drift
      reference: train.csv
      current: prod.csv
      expr: plan
      test: chisquare
      op: "<"
      threshold: 0.05
    - name: dataset drift
      kind: drift
      reference: train.csv
      current: prod.csv
      expr: dataset
      op: ">="
      threshold: 0.5
"""


def write(path: Path, n: int, age_mean: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["age", "plan", "clicks"])
        for _ in range(n):
            writer.writerow([f"{rng.normal(age_mean, 10):.1f}", rng.choice(["free", "pro"], p=[0.7, 0.3]),
                             int(rng.poisson(20))])


def test_a_drift_rule_fires_over_two_files_and_others_stay_inactive(tmp_path: Path):
    (tmp_path / "mlops-tui.yaml").write_text(RULES)
    write(tmp_path / "train.csv", 3000, 40, 1)
    write(tmp_path / "prod.csv", 2000, 46, 2)  # age moved 0.6 standard deviations; plan and clicks did not
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "firing   critical age drift"
    assert lines[1].split()[:3] == ["firing", "value", lines[1].split()[2]]
    assert 0.5 < float(lines[1].split()[2]) < 0.7
    assert "column=age, test=wasserstein" in lines[1] and "reference standard deviations" in lines[1]
    assert lines[2] == "inactive warning  plan drift by chi-squared"
    assert lines[3] == "inactive warning  dataset drift"  # 1 of 3 columns is under half


def test_the_same_files_do_not_fire_and_a_missing_file_is_an_error(tmp_path: Path):
    (tmp_path / "mlops-tui.yaml").write_text(RULES)
    write(tmp_path / "train.csv", 3000, 40, 1)
    write(tmp_path / "prod.csv", 2000, 40, 2)
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["inactive"] * 3
    (tmp_path / "prod.csv").unlink()
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 3
    assert "error    critical age drift: prod.csv: cannot read: No such file or directory" in result.stdout


def test_drift_rule_settings_are_checked_when_loaded(tmp_path: Path):
    bad = {
        "kind: drift\n      expr: age\n      current: prod.csv": "drift rules need reference",
        "kind: drift\n      reference: train.txt\n      current: prod.csv": "reference: train.txt: not a sample file",
        "kind: drift\n      reference: a.csv\n      current: b.csv\n      expr: age\n      test: t-test": "'t-test' is not one of",
        "kind: metric\n      expr: cpu\n      reference: a.csv": "reference: only for drift rules",
    }
    for body, message in bad.items():
        (tmp_path / "mlops-tui.yaml").write_text(f"alerts:\n  rules:\n    - name: r\n      {body}\n")
        result = run_cli(["alerts"], cwd=tmp_path)
        assert result.returncode == 2, (body, result.stdout, result.stderr)
        assert message in result.stderr, (body, result.stderr)
