"""The evaluation cycle the pane and `alerts watch` share: silences, acknowledgements and restarts, against a
real log file and a real HTTP receiver on 127.0.0.1 (stand-in for a webhook receiver)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from support.receivers import http_receiver

from mlops_tui.settings import load_settings
from mlops_tui.sources.alerts.service import AlertService
from mlops_tui.sources.alerts.silences import SilenceError, alert_labels, parse_matchers, parse_silence


def make_settings(folder: Path, url: str):
    now = datetime.now(timezone.utc)
    (folder / "logs").mkdir(exist_ok=True)
    lines = [json.dumps({"timestamp": (now - timedelta(seconds=5 * i)).isoformat(), "level": "error",
                         "message": f"boom {i}"}) for i in range(5, 0, -1)]
    (folder / "logs" / "app.log").write_text("\n".join(lines) + "\n")
    settings, _ = load_settings(None, [
        f"logs.files=['{folder}/logs/*.log']", f"alerts.history='{folder}/alerts.sqlite'", "alerts.repeat_interval=1m",
        "alerts.rules=[{name: api errors, kind: log, source: files, expr: 'level>=error', threshold: 3, window: 1h,"
        " severity: critical, labels: {team: ml}}]",
        f"alerts.channels=[{{kind: webhook, name: hook, url: '{url}', retries: 0}}]",
    ], environ={}, cwd=folder)
    return settings


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_group_is_repeated_until_someone_acknowledges_it(tmp_path: Path):
    with http_receiver() as receiver:
        clock = Clock()
        service = AlertService(make_settings(tmp_path, receiver.url), clock=clock, me="test:1")
        try:
            assert [i.state.value for i in service.cycle().views[0].instances] == ["firing"]
            clock.now += 61
            service.cycle()
            assert len(receiver.requests) == 2  # repeat_interval passed: sent again
            view = service.engine.views()[0]
            service.history.acknowledge(view.rule.name, view.instances[0].labels, view.instances[0].active_at, "me")
            clock.now += 61
            service.cycle()
            assert service.is_acked(view, view.instances[0])
            assert len(receiver.requests) == 2  # acknowledged: no repeat
        finally:
            service.close()


def test_a_silence_mutes_matching_alerts_until_it_expires(tmp_path: Path):
    with http_receiver() as receiver:
        clock = Clock()
        service = AlertService(make_settings(tmp_path, receiver.url), clock=clock, me="test:1")
        try:
            silence = service.history.add_silence(parse_matchers('alertname="api errors", team=~"m."'),
                                                  clock.now + 30, "me", now=clock.now)
            cycle = service.cycle()
            assert cycle.views[0].firing and receiver.requests == []
            assert service.silenced_by(cycle.views[0], cycle.views[0].firing[0]).id == silence
            clock.now += 31  # the silence ran out: the alert is news now
            service.cycle()
            (request,) = receiver.requests
            assert request.json()["alerts"][0]["labels"]["team"] == "ml"
        finally:
            service.close()


def test_a_silence_that_does_not_match_lets_the_message_through(tmp_path: Path):
    with http_receiver() as receiver:
        service = AlertService(make_settings(tmp_path, receiver.url), me="test:1")
        try:
            service.history.add_silence(parse_matchers("severity=warning"), time.time() + 600, "me")
            service.cycle()
            assert len(receiver.requests) == 1
        finally:
            service.close()


def test_a_restart_takes_a_firing_alert_up_with_its_since_when(tmp_path: Path):
    with http_receiver() as receiver:
        settings = make_settings(tmp_path, receiver.url)
        first = AlertService(settings, me="test:1")
        fired = first.cycle().views[0].firing[0].fired_at
        first.close()
        second = AlertService(settings, me="test:2")
        try:
            cycle = second.cycle()
            assert cycle.changes == []  # nothing new: the same alert goes on firing
            assert cycle.views[0].firing[0].fired_at == fired
            assert len(receiver.requests) == 1  # and it is not sent again
        finally:
            second.close()


def test_matchers_read_as_amtool_writes_them():
    labels = alert_labels("api errors", "critical", (("instance", "db-1"),))
    assert all(m.matches(labels) for m in parse_matchers('alertname="api errors", instance=~"db-.*"'))
    assert not parse_matchers("instance!=db-1")[0].matches(labels)
    assert parse_matchers("instance!~web.*")[0].matches(labels)
    assert parse_silence('2h alertname="a, b"')[0] == 7200.0
    assert parse_silence('2h alertname="a, b"')[1][0].value == "a, b"
    with pytest.raises(SilenceError, match="start with how long"):
        parse_silence("alertname=x")
    with pytest.raises(SilenceError, match="not a matcher"):
        parse_matchers("just words")
    with pytest.raises(SilenceError, match="not a regular expression"):
        parse_matchers("x=~(")
