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


async def test_d_on_a_drift_alert_opens_the_drift_pane_on_the_rule_s_two_samples(tmp_path: Path):
    from support.app_factory import make_app
    from support.waits import until
    from alerts.test_pane import table_rows

    write(tmp_path / "train.csv", 3000, 40, 1)
    write(tmp_path / "prod.csv", 2000, 46, 2)
    rule = (f"{{name: age drift, kind: drift, reference: '{tmp_path}/train.csv', current: '{tmp_path}/prod.csv',"
            " expr: age, threshold: 0.1, severity: critical}")
    app = make_app([f"alerts.history='{tmp_path}/alerts.sqlite'", "alerts.interval=5s",
                    f"alerts.rules=[{rule}, {{name: busy, source: local, expr: cpu.total, op: '>=', threshold: 0}}]"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        alerts = app.query_one("#alerts-pane")
        await until(pilot, lambda: any(r[2] == "age drift" and r[0].startswith("firing") for r in table_rows(app)),
                    timeout=60, what="the drift alert", describe=lambda: table_rows(app))
        table = app.query_one("#alerts-table")
        rows = [r[2] for r in table_rows(app)]
        table.move_cursor(row=rows.index("busy"))
        await pilot.pause()
        assert not alerts.check_action("drift", ())  # a metric rule has no samples
        table.move_cursor(row=rows.index("age drift"))
        await pilot.pause()
        assert alerts.check_action("drift", ()) and not alerts.check_action("metric", ())
        await pilot.press("d")
        await until(pilot, lambda: app.active_pane_id == "drift", what="the Drift pane")
        drift = app.query_one("#drift-pane")
        await until(pilot, lambda: drift.report is not None, timeout=60, what="the drift report")
        assert drift.report.column("age").drifted and not drift.report.column("plan").drifted
