"""Log rules over a search-engine cluster (`source:` a logs.opensearch entry, `expr` KQL): counted by a real
OpenSearch 2.x holding the seed, in `alerts check` and in the pane, where `l` opens the cluster's view over the
alert's window; a query the parser refuses and a cluster that is down are the rule's error, with the reason."""

from __future__ import annotations

from pathlib import Path

from support.app_factory import make_app
from support.cli import run_cli
from support.ports import free_port
from support.waits import until
from alerts.test_pane import table_rows


def settings(url: str, rules: str) -> str:
    return (f"logs:\n  opensearch:\n    - {{name: prod, url: '{url}', index: 'logs-*', timeout: 60}}\n"
            f"alerts:\n  rules:\n{rules}")


def checkout_errors(opensearch) -> int:
    """The oracle: the seed's own documents (as indexed), counted here."""
    return sum(1 for doc in opensearch.seed.documents
               if doc["log"]["level"] == "ERROR" and doc["service"]["name"] == "checkout")


RULES = """    - {name: checkout errors, kind: log, source: prod, expr: 'log.level: ERROR and service.name: checkout',
       window: 3650d, threshold: 10, severity: critical, summary: '{{ $value }} checkout errors'}
    - {name: no such level, kind: log, source: prod, expr: 'log.level: NOPE', window: 3650d}
"""


def test_alerts_check_counts_the_cluster_s_documents_in_the_window(tmp_path: Path, opensearch):
    expected = checkout_errors(opensearch)
    assert expected > 10
    (tmp_path / "mlops-tui.yaml").write_text(settings(opensearch.url, RULES))
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # one rule fires
    lines = result.stdout.splitlines()
    assert lines[0] == "firing   critical checkout errors"
    assert lines[1].split()[:3] == ["firing", "value", str(expected)]
    assert lines[2] == "inactive warning  no such level"


def test_a_short_window_counts_only_its_documents(tmp_path: Path, opensearch):
    """The seed is days old: over the last hour the engine counts nothing, so the rule stays quiet."""
    rules = """    - {name: recent errors, kind: log, source: prod, expr: 'log.level: ERROR', window: 1h}\n"""
    (tmp_path / "mlops-tui.yaml").write_text(settings(opensearch.url, rules))
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "inactive warning  recent errors"


def test_a_kql_error_and_a_cluster_that_is_down_are_the_rule_s_error(tmp_path: Path, opensearch):
    dead = f"http://127.0.0.1:{free_port()}"
    text = (f"logs:\n  opensearch:\n    - {{name: prod, url: '{opensearch.url}', index: 'logs-*'}}\n"
            f"    - {{name: gone, url: '{dead}', index: 'logs-*', retries: 0}}\n"
            "alerts:\n  rules:\n"
            "    - {name: broken query, kind: log, source: prod, expr: 'log.level: (ERROR', window: 1h}\n"
            "    - {name: down, kind: log, source: gone, expr: 'log.level: ERROR', window: 1h}\n")
    (tmp_path / "mlops-tui.yaml").write_text(text)
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    out = result.stdout + result.stderr
    assert "broken query" in out and "not a KQL query" in out, out
    assert "down" in out and "cannot connect" in out, out


def test_a_log_rule_naming_no_cluster_is_a_settings_error(tmp_path: Path):
    (tmp_path / "mlops-tui.yaml").write_text(
        "alerts:\n  rules:\n    - {name: x, kind: log, source: nowhere, expr: 'a: b'}\n")
    result = run_cli(["alerts", "check"], cwd=tmp_path)
    assert result.returncode == 2 and "alerts.rules.0.source" in result.stderr and "nowhere" in result.stderr


async def test_l_on_a_cluster_rule_opens_the_cluster_view_over_the_alert_s_window(tmp_path: Path, opensearch):
    expected = checkout_errors(opensearch)
    (tmp_path / "mlops-tui.yaml").write_text(settings(opensearch.url, RULES))
    app = make_app([f"alerts.history='{tmp_path}/alerts.sqlite'", "alerts.interval=5s"],
                   config=tmp_path / "mlops-tui.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        await until(pilot, lambda: table_rows(app) and table_rows(app)[0][0].startswith("firing"), timeout=60,
                    what="the first evaluation", describe=lambda: table_rows(app))
        assert table_rows(app)[0][2:4] == ["checkout errors", str(expected)]
        rule_at = app.query_one("#alerts-pane").rows[0].active_at
        await pilot.press("l")
        await until(pilot, lambda: app.active_pane_id == "logs", what="the Logs pane")
        logs = app.query_one("#logs-pane")
        panel = logs.cluster
        assert panel is not None and panel.source.endpoint.name == "prod"
        await until(pilot, lambda: panel.model.window is not None and not panel.model.searching, timeout=60,
                    what="the cluster's search")
        query = panel.model.query
        assert query.text == "log.level: ERROR and service.name: checkout" and query.syntax == "kql"
        assert app.query_one(f"#{panel.id} #cluster-query").value == query.text  # the bar shows what runs
        start, end = query.span
        assert abs(start.timestamp() - (rule_at - 3650 * 86400)) < 1 and end.timestamp() >= rule_at
        assert panel.model.window.total == expected  # the engine's count in the pane is the rule's value
        info = str(app.query_one(f"#{panel.id} #cluster-info").render())
        assert query.range_label in info and f"{expected:,} hits" in info, info
        assert query.range_label.startswith(f"{start.astimezone():%Y-%m-%d}")  # 10 years back: the years shown
        await pilot.press("r")  # the time key leaves the window for the first `last ...` range that holds it
        await until(pilot, lambda: panel.model.query.span is None and not panel.model.searching, what="r")
        assert panel.model.query.range_label == "all time"
