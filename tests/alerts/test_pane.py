"""The Alerts pane at 80x24, driven with Pilot: it evaluates, records and notifies like `alerts watch` (a real
HTTP receiver on 127.0.0.1 as a stand-in webhook receiver), only while it holds the notifier role; alerts
are acknowledged and silenced from it; the History view and the status line's firing count."""

from __future__ import annotations

import html
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from support.app_factory import make_app
from support.receivers import http_receiver
from support.waits import record_notifications, until
from textual.widgets import DataTable, Input

from mlops_tui.sources.alerts.history import AlertHistory


def write_logs(folder: Path, errors: int = 5) -> None:
    now = datetime.now(timezone.utc)
    (folder / "logs").mkdir(exist_ok=True)
    lines = [json.dumps({"timestamp": (now - timedelta(seconds=5 * i)).isoformat(), "level": "error",
                         "message": f"boom {i}"}) for i in range(errors, 0, -1)]
    (folder / "logs" / "app.log").write_text("\n".join(lines) + "\n")


def dotlist(folder: Path, url: str | None = None) -> list[str]:
    write_logs(folder)
    channels = [f"alerts.channels=[{{kind: webhook, name: hook, url: '{url}', retries: 0}}]"] if url else []
    return [
        f"logs.files=['{folder}/logs/*.log']", f"alerts.history='{folder}/alerts.sqlite'", "alerts.interval=1s",
        "alerts.rules=[{name: api errors, kind: log, source: files, expr: 'level>=error', threshold: 3, window: 1h,"
        " severity: critical, summary: '{{ $value }} errors', labels: {team: ml}},"
        " {name: quiet, kind: log, source: files, expr: 'level>=error', threshold: 100, severity: info}]",
        *channels,
    ]


def screen(app) -> str:
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def table_rows(app, selector: str = "#alerts-table") -> list[list[str]]:
    table = app.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_alerts(pilot) -> None:
    await pilot.press("5")
    await until(pilot, lambda: table_rows(pilot.app) and table_rows(pilot.app)[0][0].startswith("firing"),
                what="the first evaluation", describe=lambda: table_rows(pilot.app))


async def test_the_pane_evaluates_records_notifies_and_counts_in_the_status_line(tmp_path: Path):
    with http_receiver() as receiver:
        app = make_app(dotlist(tmp_path, receiver.url + "/hook/SECRET"))
        async with app.run_test(size=(80, 24)) as pilot:
            await open_alerts(pilot)
            first = table_rows(app)[0]
            assert first[:4] == ["firing", "critical", "api errors", "5"]
            assert first[5] == "5 errors  team=ml"
            assert table_rows(app)[1][:3] == ["ok", "info", "quiet"]
            await until(pilot, lambda: receiver.requests, what="the notification")
            await until(pilot, lambda: "this app records and notifies" in screen(app), what="the note")
            assert "▲ 1 firing critical" in str(app.query_one("#status-line").render())
            await pilot.press("1")  # the count shows on every pane
            assert "▲ 1 firing critical" in str(app.query_one("#status-line").render())
            await pilot.press("5", "v")
            await until(pilot, lambda: len(table_rows(app, "#alerts-history")) >= 3, what="the history")
            events = [row[1] for row in table_rows(app, "#alerts-history")]
            assert events[-2:] == ["firing   api errors value 5  team=ml (was pending)",
                                   "pending  api errors value 5  team=ml (was inactive)"]
            assert "notify   hook: firing api errors (1 alert) sent" in events
            assert "SECRET" not in screen(app)
    assert len(receiver.requests) == 1
    history = AlertHistory(tmp_path / "alerts.sqlite")
    assert [(c.old, c.new) for c in history.changes()] == [("inactive", "pending"), ("pending", "firing")]
    history.close()


async def test_another_holder_of_the_notifier_role_sends_and_the_pane_only_shows(tmp_path: Path):
    with http_receiver() as receiver:
        settings = dotlist(tmp_path, receiver.url + "/hook")
        history = AlertHistory(tmp_path / "alerts.sqlite")
        history.claim("notifier", "box:4242", 3600, time.time())  # an `alerts watch` elsewhere on this file
        app = make_app(settings)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_alerts(pilot)
            await until(pilot, lambda: "box:4242 records and notifies" in screen(app), what="the note")
            await pilot.pause(1.5)  # another evaluation
        assert receiver.requests == []
        assert history.changes() == []  # the holder records, not this app
        history.close()


async def test_acknowledge_and_silence_from_the_pane(tmp_path: Path):
    app = make_app(dotlist(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        told = record_notifications(app)
        await open_alerts(pilot)
        await pilot.press("a")
        await until(pilot, lambda: table_rows(app)[0][0] == "firing ack", what="the acknowledgement")
        await pilot.press("s")
        box = app.query_one("#alerts-silence", Input)
        assert box.display and box.value == '1h alertname="api errors"'
        box.value = "soon team=ml"
        await pilot.press("enter")
        await until(pilot, lambda: any(m.startswith("not a duration: 'soon'") for m in told), what="the refusal")
        assert told[-1].endswith("; start with how long, e.g. 1h")
        assert box.display  # kept, to be corrected
        box.value = '2h team="ml"'
        await pilot.press("enter")
        await until(pilot, lambda: table_rows(app)[0][0] == "firing ack silenced", what="the silence")
        assert table_rows(app)[0][5].startswith("[silenced to ")
        assert "▲" not in str(app.query_one("#status-line").render())  # a silenced alert is not counted
        assert not box.display
        await pilot.press("u")
        await until(pilot, lambda: table_rows(app)[0][0] == "firing ack", what="the silence lifted")
    history = AlertHistory(tmp_path / "alerts.sqlite")
    assert history.silences() == []
    assert len(history.acks()) == 1
    history.close()
