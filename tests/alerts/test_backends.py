"""The Backends view: a real Prometheus evaluating its own alerting rules and a real Alertmanager with an alert
and a silence (both Debian's, on free loopback ports), listed read-only beside the app's own alerts."""

from __future__ import annotations

import html
import json
import re
import shutil
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from remote.servers import Server, _spawn, _wait_ready
from support.app_factory import make_app
from support.ports import free_port
from support.waits import until, wait_for
from textual.widgets import DataTable

from mlops_tui.settings.alerts import AlertmanagerSource
from mlops_tui.settings.metrics import PrometheusSource
from mlops_tui.sources.alerts.backends import read_backends

pytestmark = pytest.mark.skipif(not (shutil.which("prometheus") and shutil.which("prometheus-alertmanager")),
                                reason="needs Debian's prometheus and prometheus-alertmanager")

RULES = """groups:
  - name: serving
    interval: 1s
    rules:
      - alert: always firing
        expr: vector(1) > 0
        labels: {severity: warning}
        annotations: {summary: "the model server is on fire"}
      - alert: never
        expr: vector(0) > 1
"""


def screen_lines(app) -> list[str]:
    """The screen's rows as the user reads them."""
    svg = app.export_screenshot()
    rows: dict[int, str] = {}
    for number, text in re.findall(r'clip-path="url\(#terminal-\d+-line-(\d+)\)">([^<]*)<', svg):
        rows[int(number)] = rows.get(int(number), "") + html.unescape(text).replace("\xa0", " ")
    return [rows.get(n, "") for n in range(app.size.height)]


def post(url: str, body: object) -> bytes:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[tuple[Server, Server]]:
    work = tmp_path_factory.mktemp("backends")
    (work / "rules.yml").write_text(RULES)
    (work / "prometheus.yml").write_text(f"global: {{evaluation_interval: 1s}}\nrule_files: [{work / 'rules.yml'}]\n")
    port = free_port()
    prometheus = _spawn("prometheus", [shutil.which("prometheus"), f"--config.file={work / 'prometheus.yml'}",
                                       f"--storage.tsdb.path={work / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                        work, port)
    _wait_ready(prometheus, "/-/ready", (200,))
    (work / "am.yml").write_text("route: {receiver: nowhere}\nreceivers: [{name: nowhere}]\n")
    port = free_port()
    alertmanager = _spawn("alertmanager", [shutil.which("prometheus-alertmanager"), f"--config.file={work / 'am.yml'}",
                                           f"--storage.path={work / 'am'}", f"--web.listen-address=127.0.0.1:{port}",
                                           "--cluster.listen-address="], work, port)
    _wait_ready(alertmanager, "/-/ready", (200,))
    # What the servers hold (written by the test, as a user's Prometheus and amtool would: never by the app)
    now = datetime.now(UTC)
    post(f"{alertmanager.url}/api/v2/alerts", [{"labels": {"alertname": "disk full", "instance": "db-1"},
                                               "annotations": {"summary": "/var at 97%"}}])
    post(f"{alertmanager.url}/api/v2/silences", {
        "matchers": [{"name": "alertname", "value": "disk full", "isRegex": False, "isEqual": True}],
        "startsAt": now.isoformat(), "endsAt": (now + timedelta(hours=2)).isoformat(),
        "createdBy": "dana", "comment": "resizing the volume"})
    try:
        yield prometheus, alertmanager
    finally:
        prometheus.stop()
        alertmanager.stop()


def endpoints(servers):
    prometheus, alertmanager = servers
    return [PrometheusSource(name="prod", url=prometheus.url)], [AlertmanagerSource(name="am", url=alertmanager.url)]


EXPECTED = [
    ("prometheus prod", "rule", "firing", "always firing"),
    ("prometheus prod", "rule", "inactive", "never"),
    ("prometheus prod", "alert", "firing", "always firing"),
    ("alertmanager am", "alert", "suppressed", "disk full"),  # the silence holds it
    ("alertmanager am", "silence", "active", 'alertname="disk full"'),
]


def test_read_backends_lists_rules_alerts_and_silences(servers):
    seen: list = []

    def settled():
        # (each server gets there in its own time: Prometheus evaluates every second, Alertmanager marks the
        # alert suppressed once it has matched the silence against it)
        items, problems = read_backends(*endpoints(servers))
        assert problems == []
        seen[:] = [(i.source, i.kind, i.state, i.name) for i in items]
        return items if all(row in seen for row in EXPECTED) else None

    items = wait_for(settled, 30, interval=0.2, what="the servers' rules, alerts and silences",
                     describe=lambda: seen)
    rows = [(i.source, i.kind, i.state, i.name) for i in items]
    assert all(row in rows for row in EXPECTED)
    (alert,) = [i for i in items if i.kind == "alert" and i.source == "prometheus prod"]
    assert alert.detail == "value 1e+00  the model server is on fire  severity=warning"
    (silence,) = [i for i in items if i.kind == "silence"]
    assert "by dana  resizing the volume" in silence.detail


def test_a_server_that_is_down_is_a_problem_line_not_an_exception(servers):
    dead = PrometheusSource(name="gone", url=f"http://127.0.0.1:{free_port()}", retries=0)
    items, problems = read_backends([dead], endpoints(servers)[1])
    assert len(problems) == 1 and problems[0].startswith("prometheus gone")
    assert any(i.source == "alertmanager am" for i in items)


async def test_the_backends_view_at_80x24(servers, tmp_path: Path):
    prometheus, alertmanager = servers
    app = make_app([f"metrics.prometheus=[{{name: prod, url: '{prometheus.url}'}}]",
                    f"alerts.alertmanagers=[{{name: am, url: '{alertmanager.url}'}}]",
                    f"alerts.history={tmp_path}/alerts.sqlite", "alerts.rules=[{name: mine, expr: memory}]"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5", "v", "v")
        table = app.query_one("#alerts-backends", DataTable)

        def names() -> list[str]:
            return [str(table.get_row_at(i)[3]) for i in range(table.row_count)]

        await until(pilot, lambda: "always firing" in names() and "disk full" in names(), timeout=30,
                    what="the servers' alerts", describe=names)
        assert app.query_one("#alerts-views").active == "alerts-backends"
        rows = [[str(c) for c in table.get_row_at(i)][:4] for i in range(table.row_count)]
        assert rows[0] == ["prometheus prod", "rule", "firing", "always firing"]  # firing first
        assert rows[-1] == ["alertmanager am", "silence", "active", 'alertname="disk full"']  # silences last


async def test_at_80x24_the_reason_a_server_is_down_is_shown_whole_under_the_table(servers, tmp_path: Path):
    """The problem row's Detail column is cut at 80 columns; the selected row is shown whole under the table."""
    prometheus, alertmanager = servers
    dead = free_port()
    app = make_app([f"metrics.prometheus=[{{name: prod, url: '{prometheus.url}'}}]",
                    f"alerts.alertmanagers=[{{name: am, url: '{alertmanager.url}'}}, "
                    f"{{name: backup-alertmanager-eu-west, url: 'http://127.0.0.1:{dead}'}}]",
                    f"alerts.history={tmp_path}/alerts.sqlite", "alerts.rules=[{name: mine, expr: memory}]"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5", "v", "v")
        table = app.query_one("#alerts-backends", DataTable)
        await until(pilot, lambda: table.row_count and str(table.get_row_at(0)[0]) == "error", timeout=30,
                    what="the problem row")
        reason = str(table.get_row_at(0)[5])
        assert reason.startswith("alertmanager backup-alertmanager-eu-west") and f":{dead}" in reason
        await pilot.pause()
        words = " ".join(reason.split())
        row_line = next(line for line in screen_lines(app) if line.lstrip().startswith("error"))
        assert words not in " ".join(row_line.split())  # the table's own row is cut at 80 columns
        await until(pilot, lambda: words in " ".join(" ".join(screen_lines(app)).split()),
                    what="the whole reason on screen", describe=lambda: screen_lines(app)[-8:])
        await pilot.press("down")  # the next row's detail replaces it
        await until(pilot, lambda: words not in " ".join(" ".join(screen_lines(app)).split()),
                    what="the next row's detail")
