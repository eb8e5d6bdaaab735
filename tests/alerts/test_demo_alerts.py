"""The demo's alert rules: `demo --prepare DIR` leaves settings whose log-count rule fires with no server, the
error-rate rule fires over the demo's real Prometheus scraping the demo's exporter, and the demo's receiver
logs what the webhook channel sent it."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.cli import run_cli
from support.waits import wait_for

from mlops_tui.demo.alerting import LOG_RULE, AlertReceiver, error_rate_rule
from mlops_tui.demo.sandbox import demo_overrides, prepare
from mlops_tui.settings import load_settings
from mlops_tui.sources.alerts.engine import AlertEngine
from mlops_tui.sources.alerts.notify import Alert, Group, send


def test_prepare_leaves_settings_whose_log_rule_fires_with_no_server(tmp_path: Path):
    folder = tmp_path / "sb"
    assert run_cli(["demo", "--prepare", str(folder)]).returncode == 0
    assert (folder / "mlops-tui.yaml").is_file()
    result = run_cli(["alerts", "check", "--json"], cwd=folder)
    assert result.returncode == 1, result.stdout + result.stderr  # 1: an alert is firing
    (view,) = json.loads(result.stdout)
    assert (view["name"], view["state"], view["severity"]) == (LOG_RULE["name"], "firing", "critical")
    assert view["alerts"][0]["value"] > LOG_RULE["threshold"]
    assert view["alerts"][0]["summary"].endswith("error records in the last hour")
    plain = run_cli(["alerts", "check"], cwd=folder)
    assert plain.stdout.splitlines()[0] == "firing   critical errors in the logs"
    # The sandbox stays a clean checkout, and the history goes to the sandbox's own file, not the user's.
    status = run_cli(["config", "check"], cwd=folder)
    assert status.returncode == 0, status.stderr
    history = run_cli(["alerts", "history"], cwd=folder)
    assert history.stdout.rstrip().endswith("(history file: .mlops-tui/alerts.sqlite)"), history.stdout
    assert run_cli(["alerts", "history"]).stdout.rstrip().endswith("mlops-tui/alerts.sqlite)")
    git = subprocess.run(["git", "status", "--porcelain"], cwd=folder, capture_output=True, text=True, check=True)
    assert git.stdout == ""


def test_the_log_rule_reads_the_backlog_it_was_built_with(tmp_path: Path):
    root = prepare(tmp_path / "sb", now=datetime.now(UTC))
    settings, _ = load_settings(None, demo_overrides(root), environ={}, cwd=tmp_path)
    assert [r.name for r in settings.alerts.rules] == ["errors in the logs"]  # no Prometheus: no error-rate rule
    engine = AlertEngine(settings)
    try:
        engine.catch_up()
        (view,) = engine.views()
    finally:
        engine.close()
    assert view.state == "firing", view.reason
    assert dict(view.firing[0].labels) == {"team": "ml-platform"}


@pytest.mark.skipif(shutil.which("prometheus") is None, reason="needs Debian's prometheus")
def test_the_error_rate_rule_fires_over_the_demos_prometheus(tmp_path: Path):
    from mlops_tui.demo.exporter import MetricsExporter
    from mlops_tui.demo.prometheus import SOURCE_NAME, start_demo_prometheus

    root = prepare(tmp_path / "sb")
    with MetricsExporter() as exporter:
        for i in range(400):  # the demo's traffic: a few percent of 500s
            exporter.metrics.observe_request("POST", "/v1/predict/churn", 500 if i % 20 == 0 else 200, 0.05)
        prometheus = start_demo_prometheus(exporter.address)
        try:
            settings, _ = load_settings(None, demo_overrides(root, prometheus.url), environ={}, cwd=tmp_path)
            assert settings.alerts.rules[1].expr == error_rate_rule(SOURCE_NAME)["expr"]

            def evaluated():
                for i in range(40):  # rate() needs two scrapes with a rise between them
                    exporter.metrics.observe_request("POST", "/v1/predict/churn", 500 if i % 20 == 0 else 200, 0.05)
                engine = AlertEngine(settings)
                try:
                    engine.evaluate()
                    view = engine.views()[1]
                finally:
                    engine.close()
                return view if view.instances else None

            view = wait_for(evaluated, 60, interval=0.5, what="an error rate from Prometheus")
        finally:
            prometheus.stop()
    assert view.state == "pending"  # for: 30s
    assert view.instances[0].value == pytest.approx(0.05, abs=0.01)


def test_the_receiver_logs_what_the_webhook_channel_sent(tmp_path: Path):
    from mlops_tui.settings.alerts import AlertChannel

    log = tmp_path / "logs" / "alert-receiver.log"
    with AlertReceiver(log) as receiver:
        channel = AlertChannel(kind="webhook", name="demo-receiver", url=receiver.url)
        group = Group("errors in the logs", "critical", "firing",
                      (Alert((("team", "ml-platform"),), 12.0, 1e9, summary="12 error records in the last hour"),))
        assert send(channel, group).ok
    (line,) = log.read_text().splitlines()
    assert line.split(" ", 2)[2].startswith("INFO     alert-receiver [")
    assert line.endswith("received firing alert 'errors in the logs' severity=critical (team=ml-platform) "
                         "for demo-receiver: 12 error records in the last hour")


async def test_the_demos_alerts_pane_notifies_its_receiver(tmp_path: Path):
    from support.app_factory import make_app
    from support.waits import until

    root = prepare(tmp_path / "sb", now=datetime.now(UTC))
    log = root / "logs" / "alert-receiver.log"
    with AlertReceiver(log) as receiver:
        app = make_app(demo_overrides(root, None, receiver.url), cwd=root)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("5")
            await until(pilot, lambda: log.exists(), timeout=30, what="the receiver's log")
    (line,) = log.read_text().splitlines()
    assert "received firing alert 'errors in the logs' severity=critical (team=ml-platform) for demo-receiver:" in line
    assert (root / ".mlops-tui" / "alerts.sqlite").is_file()  # the demo's own history, not the user's
