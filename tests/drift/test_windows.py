"""Drift over time windows: a numeric log field (`latency_ms` over the last hour against the same hour a week
ago) and a metric series (a PromQL query's values over two windows, from a real Prometheus), through
`mlops-tui drift --log-field` / `--metric`; the score agrees with scipy on the values the windows hold."""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import scipy.stats as sp
from support.cli import run_cli


def write_log(folder: Path, now: datetime) -> tuple[list[float], list[float]]:
    """JSON lines: a week ago latency ~ N(100, 15), in the last hour ~ N(140, 15), the worker's always 5."""
    rng = random.Random(3)
    week, hour = [], []
    (folder / "logs").mkdir()
    with (folder / "logs" / "api.log").open("w") as out:
        for base, kept, mean in ((now - timedelta(days=7, hours=1), week, 100), (now - timedelta(hours=1), hour, 140)):
            for i in range(3000):
                at = base + timedelta(seconds=60 + i * 3400 / 3000)  # a minute inside: the test may be slow
                value = round(rng.gauss(mean, 15), 1)
                kept.append(value)
                out.write(json.dumps({"timestamp": at.isoformat(), "level": "info", "service": "api",
                                      "latency_ms": value, "message": "served"}) + "\n")
                out.write(json.dumps({"timestamp": at.isoformat(), "level": "info", "service": "worker",
                                      "latency_ms": 5, "message": "polled"}) + "\n")
    return week, hour


def test_a_log_field_over_the_last_hour_against_the_same_hour_a_week_ago(tmp_path: Path):
    week, hour = write_log(tmp_path, datetime.now(UTC))
    result = run_cli(["drift", "--log-field", "latency_ms", "--search", "service=api", "7d1h..7d", "1h", "--json"],
                     cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # drifted
    report = json.loads(result.stdout)
    (column,) = report["columns"]
    assert column["column"] == "latency_ms" and column["rows"] == [3000, 3000]  # the api's records only
    expected = sp.wasserstein_distance(week, hour) / np.std(week)
    assert column["test"] == "wasserstein" and column["score"] == pytest.approx(expected, rel=1e-9)
    assert report["reference"].startswith("logs latency_ms ") and report["current"].startswith("logs latency_ms ")

    same = run_cli(["drift", "--log-field", "latency_ms", "--search", "service=api", "7d1h..7d", "7d30m..7d"],
                   cwd=tmp_path)
    assert same.returncode == 0 and "dataset: no drift" in same.stdout, same.stdout + same.stderr
    first = same.stdout.splitlines()[0]  # the two windows, named
    assert first.startswith("logs latency_ms ") and " against logs latency_ms " in first


@pytest.mark.parametrize("args, said", [
    (["--log-field", "latency_ms", "1h..2h", "1h"], "it ends before it starts"),
    (["--log-field", "latency_ms", "soon..now", "1h"], "window 'soon..now'"),
    (["--log-field", "latency_ms", "--repo", ".", "2h", "1h"], "--repo: only for sample files"),
    (["--search", "service=api", "a.csv", "b.csv"], "--search: only with --log-field"),
    (["--metric", "up", "2h", "1h"], "--metric needs --source"),
    (["--log-field", "latency_ms", "--search", "service=nobody", "7d1h..7d", "1h"], "no log records in the window"),
])
def test_bad_windows_and_options_exit_2_with_a_message(tmp_path: Path, args: list[str], said: str):
    write_log(tmp_path, datetime.now(UTC))
    result = run_cli(["drift", *args], cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr, result.stderr


@pytest.mark.skipif(shutil.which("prometheus") is None, reason="needs Debian's prometheus")
def test_a_metric_series_over_two_windows_from_a_real_prometheus(tmp_path: Path):
    """vector(time()) takes other values in every window: it drifts; time() % 60 is the same saw in both."""
    from remote.servers import start_prometheus

    (tmp_path / "data").mkdir()
    prometheus = start_prometheus(tmp_path, tmp_path / "data")
    try:
        (tmp_path / "mlops-tui.yaml").write_text(f"metrics:\n  prometheus: [{{name: prod, url: '{prometheus.url}'}}]\n")
        moved = run_cli(["drift", "--metric", "vector(time())", "--source", "prod", "2h..1h", "1h", "--json"],
                        cwd=tmp_path)
        saw = run_cli(["drift", "--metric", "vector(time() % 60)", "--source", "prod", "2h..1h", "1h", "--json"],
                      cwd=tmp_path)
    finally:
        prometheus.stop()
    assert moved.returncode == 1, moved.stderr
    (column,) = json.loads(moved.stdout)["columns"]
    assert column["column"] == "value" and column["drifted"] and min(column["rows"]) > 1000
    assert saw.returncode == 0, saw.stdout + saw.stderr
    (column,) = json.loads(saw.stdout)["columns"]
    assert not column["drifted"]


def test_a_drift_rule_over_a_log_field_s_windows_fires_in_alerts_check(tmp_path: Path):
    """The windows are taken before each evaluation: 7d1h..7d against 1h, as on the command line."""
    week, hour = write_log(tmp_path, datetime.now(UTC))
    (tmp_path / "mlops-tui.yaml").write_text("""
alerts:
  rules:
    - {name: latency moved, kind: drift, log_field: latency_ms, search: 'service=api', reference: 7d1h..7d,
       current: 1h, threshold: 0.5, severity: critical}
    - {name: worker latency, kind: drift, log_field: latency_ms, search: 'service=worker', reference: 7d1h..7d,
       current: 1h, test: psi, threshold: 0.2}
""")
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "firing   critical latency moved", lines
    score = float(lines[1].split()[2])
    assert score == pytest.approx(sp.wasserstein_distance(week, hour) / np.std(week), rel=1e-3)  # as printed
    assert "worker latency" in result.stdout and "firing   warning  worker latency" not in result.stdout


@pytest.mark.parametrize("rule, said", [
    ("{name: x, kind: drift, log_field: latency_ms, reference: 'soon..now', current: 1h}", "reference: window"),
    ("{name: x, kind: drift, log_field: a, metric: up, reference: 2h, current: 1h}", "a drift rule compares one"),
    ("{name: x, kind: drift, metric: up, source: nowhere, reference: 2h, current: 1h}", "no metrics source named"),
    ("{name: x, kind: log, source: files, log_field: a}", "log_field: only for drift rules"),
])
def test_a_bad_window_drift_rule_is_a_settings_error(tmp_path: Path, rule: str, said: str):
    (tmp_path / "mlops-tui.yaml").write_text(f"alerts:\n  rules:\n    - {rule}\n")
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr, result.stderr


async def test_the_drift_pane_compares_two_windows_of_a_log_field(tmp_path: Path):
    from support.app_factory import make_app
    from support.waits import until

    write_log(tmp_path, datetime.now(UTC))
    app = make_app([f"logs.files=['{tmp_path}/logs/*.log']", "drift.log_field=latency_ms", "drift.search='service=api'",
                    "drift.reference=7d1h..7d", "drift.current=1h"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        drift = app.query_one("#drift-pane")
        await until(pilot, lambda: drift.report is not None, timeout=60, what="the report",
                    describe=lambda: str(app.query_one("#drift-title").render()))
        (column,) = drift.report.columns
        assert column.column == "latency_ms" and column.drifted and column.rows == (3000, 3000)
        title = str(app.query_one("#drift-title").render())
        assert title.startswith("DRIFT: 1 of 1 columns drifted") and "logs latency_ms" in title, title


def test_a_pane_window_that_does_not_parse_is_a_settings_error(tmp_path: Path):
    (tmp_path / "mlops-tui.yaml").write_text("drift:\n  log_field: latency_ms\n  reference: soon\n  current: 1h\n")
    result = run_cli(["config", "check"], cwd=tmp_path)
    assert result.returncode == 2 and "drift" in result.stderr and "reference: window 'soon'" in result.stderr, \
        result.stderr
