"""`of: rate` (a series' change per second between evaluations) and `no_data: firing` (no series at all holds
the condition, as Prometheus' absent() would): through `alerts check` over a real Prometheus, whose own clock
gives a series that grows one per second, and through the engine with a scripted input."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from alerts.test_notify_pacing import ScriptedInput
from support.cli import run_cli

from mlops_tui.settings.alerts import AlertsSettings
from mlops_tui.sources.alerts.engine import AlertEngine
from mlops_tui.sources.alerts.inputs import RateInput

needs_prometheus = pytest.mark.skipif(shutil.which("prometheus") is None, reason="needs Debian's prometheus")


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    from remote.servers import start_prometheus

    folder = tmp_path_factory.mktemp("prometheus")
    (folder / "data").mkdir()
    server = start_prometheus(folder, folder / "data")
    yield server
    server.stop()


@needs_prometheus
def test_rate_rules_compare_the_change_per_second(tmp_path: Path, prometheus):
    """vector(time()) grows 1 per second: its rate is 1 at every evaluation (the replay of `for` gives the
    previous evaluations); vector(5) does not change: rate 0."""
    (tmp_path / "mlops-tui.yaml").write_text(f"""
metrics:
  prometheus: [{{name: prod, url: '{prometheus.url}'}}]
alerts:
  interval: 15s
  rules:
    - {{name: clock moves, source: prod, expr: 'vector(time())', of: rate, threshold: 0.5, for: 1m}}
    - {{name: still, source: prod, expr: 'vector(5)', of: rate, op: '!=', threshold: 0, for: 1m}}
    - {{name: still value, source: prod, expr: 'vector(5)', threshold: 4}}
""")
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "firing   warning  clock moves"
    assert lines[1].split()[:3] == ["firing", "value", "1"]  # one per second, exactly
    assert "inactive warning  still" in lines  # the rate of a constant is 0
    assert "firing   warning  still value" in lines  # `of: value` (the default) compares the value itself


@needs_prometheus
def test_no_data_firing_fires_on_a_query_with_no_series(tmp_path: Path, prometheus):
    (tmp_path / "mlops-tui.yaml").write_text(f"""
metrics:
  prometheus: [{{name: prod, url: '{prometheus.url}'}}]
alerts:
  rules:
    - {{name: exporter gone, source: prod, expr: 'up{{job="model-server"}}', no_data: firing, severity: critical}}
    - {{name: quiet about it, source: prod, expr: 'up{{job="model-server"}}'}}
""")
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("firing   critical exporter gone: the query returned no series: that fires"), lines
    assert lines[1].split() == ["firing", "value", "1", "absent=true"], lines
    assert any(line.startswith("no data  warning  quiet about it") for line in lines), lines


def engine_of(rule: dict, script: dict[float, dict[str, float]], rate: bool = False) -> AlertEngine:
    alerts = AlertsSettings.model_validate({"interval": "15s", "rules": [rule]})
    read = ScriptedInput(script)
    return AlertEngine(SimpleNamespace(alerts=alerts), inputs={0: RateInput(read) if rate else read})


def test_a_rate_says_why_it_has_nothing_at_its_first_evaluation():
    engine = engine_of({"name": "growth", "expr": "x", "of": "rate", "threshold": 1},
                       {0: {"api": 10}, 15: {"api": 40}, 30: {"api": 40}, 45: {"web": 1}}, rate=True)
    engine.evaluate(0)
    (view,) = engine.views()
    assert view.health.value == "no data" and view.reason == "a rate needs two evaluations: the next one gives it"
    engine.evaluate(15)  # (40 - 10) / 15 s = 2 per second > 1
    (view,) = engine.views()
    assert view.health.value == "ok" and [(i.state.value, i.value) for i in view.instances] == [("firing", 2.0)]
    engine.evaluate(30)  # no change: resolved
    assert [i.state.value for i in engine.views()[0].instances] == ["inactive"]
    engine.evaluate(45)  # a new series: no rate yet for it
    assert engine.views()[0].reason == "a rate needs two evaluations: the next one gives it"


def test_an_absent_alert_waits_for_its_for_and_resolves_when_a_series_comes_back():
    engine = engine_of({"name": "gone", "expr": "x", "threshold": 0, "no_data": "firing", "for": "30s"},
                       {0: {}, 15: {}, 30: {}, 45: {"api": 0}})
    states = []
    for at in (0, 15, 30, 45):
        engine.evaluate(at)
        states.append([(dict(i.labels), i.state.value) for i in engine.views()[0].instances])
    assert states == [[({"absent": "true"}, "pending")], [({"absent": "true"}, "pending")],
                      [({"absent": "true"}, "firing")], [({"absent": "true"}, "inactive")]]
