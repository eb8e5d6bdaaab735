"""Our rule engine against Prometheus' own: the same rules over the same series give the same firing alerts at
the same evaluation times.

The series of each case are written (promtool's `a+bxn` notation, `_` for a missing sample) once into a real
Prometheus' TSDB and once into a `promtool test rules` file. Our engine evaluates every case against that
Prometheus minute by minute through the app's own settings and inputs; what it finds firing at each minute
becomes the test file's `exp_alerts`, and `promtool test rules` (Prometheus' reference evaluator) must agree.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from remote.servers import create_blocks, start_prometheus

from mlops_tui.settings.model import Settings
from mlops_tui.sources.alerts.engine import AlertEngine

pytestmark = pytest.mark.slow


@dataclass
class Case:
    name: str
    series: dict[str, str]
    expr: str
    op: str
    threshold: float
    minutes: int = 12
    for_: str = "0s"
    keep_firing_for: str = "0s"
    labels: dict[str, str] = field(default_factory=dict)


CASES = [
    Case("fires_at_once", {'c1{job="a"}': "0 2 2 0 0 2 0 0"}, "c1", ">", 1, minutes=8),
    Case("for_two_minutes", {'c2{job="a"}': "0 2 2 2 2 0 2 2 2 0"}, "c2", ">", 1, minutes=10, for_="2m"),
    Case("flapping_never_fires", {'c3{job="a"}': "2 0 2 0 2 0 2 0 2 0"}, "c3", ">", 1, minutes=10, for_="2m"),
    Case("keep_firing_for", {'c4{job="a"}': "2 2 0 0 0 0 0 0 2 0 0"}, "c4", ">", 1, minutes=11,
         keep_firing_for="3m"),
    Case("for_and_keep_firing", {'c5{job="a"}': "2 2 2 0 2 0 0 0 0 0"}, "c5", ">=", 2, for_="1m",
         keep_firing_for="2m"),
    Case("one_alert_per_series", {'c6{job="a",instance="x"}': "5 5 0 5 5 5", 'c6{job="a",instance="y"}': "0 5 5 5 0 0",
                                  'c6{job="b",instance="x"}': "0 0 0 0 0 0"}, "c6", ">", 1, minutes=6, for_="1m"),
    # A series that stops is still seen for Prometheus' 5-minute lookback, then vanishes: its alert resolves.
    Case("series_vanish_and_appear", {'c7{job="gone"}': "3 3 3", 'c7{job="late"}': "_ _ _ _ _ 3 3 3 3 3"}, "c7", ">", 1,
         minutes=10, for_="1m"),
    Case("below_threshold", {'c8{job="a"}': "10-1x9"}, "c8", "<", 5, minutes=10, for_="1m"),
    Case("rate_of_a_counter", {'c9_total{job="a"}': "0+60x4 240+600x5"}, "rate(c9_total[2m])", ">", 5, minutes=10,
         for_="1m"),
    Case("rule_labels", {'c10{job="a",severity="low"}': "9 9 9"}, "c10", ">", 1, minutes=3,
         labels={"severity": "page", "team": "ml"}),
    Case("no_data", {'c11{job="a"}': "1"}, "c11_missing", ">", 0, minutes=3),
    # keep_firing_for holds an alert through a flapping value, then lets it resolve once the value stays down.
    Case("flapping_held_by_keep_firing", {'c12{job="a"}': "2 0 2 0 2 0 2 0 0 0 0 0"}, "c12", ">", 1, minutes=12,
         keep_firing_for="2m"),
    # A series that vanishes while firing: seen for the 5-minute lookback, then kept firing for keep_firing_for.
    Case("vanish_while_keep_firing", {'c13{job="a"}': "2 2 2"}, "c13", ">", 1, minutes=16, for_="1m",
         keep_firing_for="4m"),
    # A gap shorter than the lookback is no gap: the last sample still counts, `for` keeps running.
    Case("gap_within_lookback", {'c14{job="a"}': "2 2 _ _ 2 2 _ _ _ _ _ _ _"}, "c14", ">", 1, minutes=12, for_="3m"),
]


def expand(values: str) -> list[float | None]:
    """promtool's series notation: numbers, `_` for no sample, `a+bxn` / `a-bxn` for n steps after a."""
    out: list[float | None] = []
    for token in values.split():
        if token == "_":
            out.append(None)
        elif "x" in token:
            start_step, count = token.split("x")
            sign = "+" if "+" in start_step[1:] else "-"
            start, step = start_step[0] + start_step[1:].split(sign)[0], start_step[1:].split(sign)[1]
            a, b = float(start), float(step) * (1 if sign == "+" else -1)
            out += [a + b * k for k in range(int(count) + 1)]
        else:
            out.append(float(token))
    return out


def test_the_notation_is_expanded_as_promtool_documents_it():
    assert expand("-2+4x3") == [-2, 2, 6, 10]
    assert expand("1-2x4") == [1, -1, -3, -5, -7]
    assert expand("1 _ 3") == [1, None, 3]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A real Prometheus holding every case's series, minute 0 at `base` (hours behind now, as blocks must be)."""
    base = (int(time.time()) // 3600 - 6) * 3600
    lines: list[str] = []
    for case in CASES:
        for selector, values in case.series.items():
            name = selector.split("{")[0]
            lines.append(f"# TYPE {name} gauge")
            for minute, value in enumerate(expand(values)):
                if value is not None:
                    lines.append(f"{selector} {value:g} {base + 60 * minute}")
    lines.append("# EOF")
    workdir = tmp_path_factory.mktemp("alerts-prometheus")
    create_blocks("\n".join(lines) + "\n", workdir / "data")
    server = start_prometheus(workdir, workdir / "data")
    yield server, base
    server.stop()


def our_firing(case: Case, url: str, base: int) -> dict[int, list[dict[str, str]]]:
    """Minute -> labels of each alert our engine has firing after that minute's evaluation."""
    settings = Settings.model_validate({
        "metrics": {"prometheus": [{"name": "p", "url": url}]},
        "alerts": {"interval": "1m", "rules": [{
            "name": case.name, "source": "p", "expr": case.expr, "op": case.op, "threshold": case.threshold,
            "for": case.for_, "keep_firing_for": case.keep_firing_for, "labels": case.labels}]},
    })
    engine = AlertEngine(settings)
    firing: dict[int, list[dict[str, str]]] = {}
    try:
        for minute in range(case.minutes + 1):
            engine.evaluate(base + 60 * minute)
            (view,) = engine.views()
            assert view.health.value != "error", view.reason
            firing[minute] = [dict(instance.labels) for instance in view.firing]
    finally:
        engine.close()
    return firing


def test_promtool_agrees_with_every_case(seeded, tmp_path: Path):
    server, base = seeded
    rules, tests, fired = [], [], 0
    for case in CASES:
        rule = {"alert": case.name, "expr": f"({case.expr}) {case.op} {case.threshold:g}"}
        if case.for_ != "0s":
            rule["for"] = case.for_
        if case.keep_firing_for != "0s":
            rule["keep_firing_for"] = case.keep_firing_for
        if case.labels:
            rule["labels"] = case.labels
        rules.append(rule)
        firing = our_firing(case, server.url, base)
        fired += sum(map(len, firing.values()))
        tests.append({
            "interval": "1m",
            "input_series": [{"series": s, "values": v} for s, v in case.series.items()],
            "alert_rule_test": [{"alertname": case.name, "eval_time": f"{minute}m",
                                 "exp_alerts": [{"exp_labels": labels} for labels in alerts]}
                                for minute, alerts in firing.items()],
        })
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "cases", "rules": rules}]}))
    (tmp_path / "test.yml").write_text(yaml.safe_dump(
        {"rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": tests}))
    result = subprocess.run(["promtool", "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert fired > 20  # the cases do fire: agreement is not two empty lists


def test_the_expected_shape_of_one_case_by_hand(seeded):
    """for: 2m over `0 2 2 2 2 0 2 2 2 0`: pending at minute 1, firing at minutes 3 and 4, resolved at 5,
    pending again at 6, firing at 8 (held 2 minutes), resolved at 9."""
    server, base = seeded
    firing = our_firing(CASES[1], server.url, base)
    assert [minute for minute, alerts in firing.items() if alerts] == [3, 4, 8]


def test_a_query_with_no_series_is_no_data_not_ok(seeded):
    server, base = seeded
    settings = Settings.model_validate({
        "metrics": {"prometheus": [{"name": "p", "url": server.url}]},
        "alerts": {"rules": [{"name": "x", "source": "p", "expr": "c11_missing", "threshold": 0}]}})
    engine = AlertEngine(settings)
    try:
        engine.evaluate(base + 60)
        (view,) = engine.views()
        assert (view.state, view.reason) == ("no data", "the query returned no series")
    finally:
        engine.close()


def test_the_held_vanished_and_gap_cases_fire_as_documented(seeded):
    """What promtool agreed with above, written out: keep_firing_for 2m holds the flapping c12 firing from
    minute 0 through minute 8 (2m after its last high sample at 6); c13 fires at minute 1, its last sample at
    2 is seen until 7 (the 5-minute lookback, its end included), then held 4m more, to minute 11; c14's 2-minute gaps are
    within the lookback, so `for: 3m` completes at minute 3 and the alert fires until the lookback runs out
    after its last sample (minute 5, seen until 10)."""
    server, base = seeded
    cases = {case.name: case for case in CASES}

    def firing_minutes(name: str) -> list[int]:
        return [minute for minute, alerts in our_firing(cases[name], server.url, base).items() if alerts]

    assert firing_minutes("flapping_held_by_keep_firing") == list(range(0, 9))
    assert firing_minutes("vanish_while_keep_firing") == list(range(1, 12))
    assert firing_minutes("gap_within_lookback") == list(range(3, 11))
