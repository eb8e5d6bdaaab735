"""`mlops-tui alerts` and `alerts check` over real log files and a real Prometheus: exit codes and output."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from support.cli import run_cli

RULES = """
alerts:
  interval: 15s
  rules:
    - name: api errors
      kind: log
      source: files
      expr: 'level>=error service=api'
      threshold: 10
      window: 10m
      for: 1m
      summary: "{{ $value }} errors in 10m"
      severity: critical
    - name: worker errors
      kind: log
      source: files
      expr: 'level>=error service=worker'
      threshold: 0
      window: 10m
"""


def write_log(folder: Path, errors: int, service: str = "api") -> None:
    """JSON lines, one every 10 s back from now: every other one an error of `service`."""
    now = datetime.now(timezone.utc)
    (folder / "logs").mkdir(exist_ok=True)
    with (folder / "logs" / "app.log").open("w") as out:
        for i in range(2 * errors):
            stamp = (now - timedelta(seconds=10 * (2 * errors - i))).isoformat()
            level = "error" if i % 2 else "info"
            out.write(json.dumps({"timestamp": stamp, "level": level, "service": service, "message": f"r{i}"}) + "\n")


def test_a_log_rule_over_its_threshold_fires_and_exits_1(tmp_path: Path):
    (tmp_path / "mlops-tui.yaml").write_text(RULES)
    write_log(tmp_path, errors=15)
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "firing   critical api errors"
    assert lines[1].split() == ["firing", "value", "15", "15", "errors", "in", "10m"]
    assert lines[2] == "inactive warning  worker errors"


def test_check_replays_the_for_window_from_the_logs_own_times(tmp_path: Path):
    """`for: 1m` holds only when errors were over the threshold a minute ago too: a burst in the last 30 s
    leaves the rule pending."""
    (tmp_path / "mlops-tui.yaml").write_text(RULES)
    now = datetime.now(timezone.utc)
    (tmp_path / "logs").mkdir()
    with (tmp_path / "logs" / "app.log").open("w") as out:
        for i in range(12):
            stamp = (now - timedelta(seconds=20 - i)).isoformat()
            out.write(json.dumps({"timestamp": stamp, "level": "error", "service": "api", "message": "x"}) + "\n")
    result = run_cli(["alerts", "check", "--json"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    views = {view["name"]: view for view in json.loads(result.stdout)}
    assert views["api errors"]["state"] == "pending"
    assert [alert["value"] for alert in views["api errors"]["alerts"]] == [12.0]


def test_quiet_logs_exit_0(tmp_path: Path):
    (tmp_path / "mlops-tui.yaml").write_text(RULES)
    write_log(tmp_path, errors=3)
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "inactive critical api errors"


def test_a_rule_that_cannot_be_read_is_error_and_exits_3(tmp_path: Path):
    """No ./logs and no logs.files: the log rules are in error, named, never `inactive` (which reads as ok)."""
    (tmp_path / "mlops-tui.yaml").write_text(RULES)
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 3
    assert result.stdout.splitlines()[0].startswith("error    critical api errors: no log files")


def test_a_rule_naming_an_unknown_source_is_refused_at_load_with_its_key(tmp_path: Path):
    (tmp_path / "mlops-tui.yaml").write_text("alerts:\n  rules:\n    - {name: r, expr: up, source: prom}\n")
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 2
    assert "mlops-tui.yaml: alerts.rules.0.source: no metrics source named 'prom' (known: local)" in result.stderr


def test_a_local_rule_reads_this_machine(tmp_path: Path):
    (tmp_path / "mlops-tui.yaml").write_text(
        "alerts:\n  rules:\n    - {name: mem, expr: memory, op: '>=', threshold: 0}\n"
        "    - {name: typo, expr: memroy, threshold: 0}\n")
    result = run_cli(["alerts", "check", "--json"], cwd=tmp_path)
    views = {view["name"]: view for view in json.loads(result.stdout)}
    assert views["mem"]["state"] == "firing" and 0 < views["mem"]["alerts"][0]["value"] <= 100
    assert views["typo"]["state"] == "error" and "no local series 'memroy'" in views["typo"]["reason"]
    assert result.returncode == 1
