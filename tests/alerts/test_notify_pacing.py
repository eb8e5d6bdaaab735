"""Which messages go out, and when, as the engine's alerts change: grouped by rule, sent when a group starts or
changes, repeated after repeat_interval, sent on resolve; each outcome in the history. The rule's input is
scripted (ScriptedInput) so the series are known at each evaluation; the receiver is a real HTTP server."""

from __future__ import annotations

from types import SimpleNamespace

from support.receivers import http_receiver

from mlops_tui.settings.alerts import AlertsSettings
from mlops_tui.sources.alerts.engine import AlertEngine
from mlops_tui.sources.alerts.history import AlertHistory
from mlops_tui.sources.alerts.notify import Notifier
from mlops_tui.sources.alerts.rules import Sample


class ScriptedInput:
    """Series by evaluation time, as a query would have returned them."""

    def __init__(self, script: dict[float, dict[str, float]]) -> None:
        self.script = script

    def sample(self, at: float) -> list[Sample]:
        return [Sample({"service": name}, value) for name, value in self.script.get(at, {}).items()]

    def close(self) -> None:
        pass


def test_groups_are_sent_on_start_change_repeat_and_resolve(tmp_path):
    script = {0: {"api": 5}, 15: {"api": 5}, 30: {"api": 6, "web": 7}, 45: {"api": 6, "web": 7},
              90: {"api": 6, "web": 7}, 105: {"api": 6}, 120: {}, 135: {}}
    with http_receiver() as receiver:
        alerts = AlertsSettings.model_validate({
            "interval": "15s", "repeat_interval": "1m",
            "rules": [{"name": "errors", "expr": "x", "threshold": 1, "summary": "{{ $value }} errors"}],
            "channels": [{"kind": "webhook", "name": "hook", "url": receiver.url + "/hook"},
                         {"kind": "slack", "name": "chat", "url": receiver.url + "/slack", "send_resolved": False}]})
        engine = AlertEngine(SimpleNamespace(alerts=alerts), inputs={0: ScriptedInput(script)})
        history = AlertHistory(tmp_path / "h.sqlite")
        notifier = Notifier(alerts.channels, 60.0, history)
        sent_at = {}
        for at in sorted(script):
            engine.evaluate(at)
            for note in notifier.handle(engine.views(), at):
                sent_at.setdefault(note.channel, []).append((at, note.status, note.alerts))
        engine.close()
    assert sent_at["hook"] == [(0, "firing", 1), (30, "firing", 2), (90, "firing", 2), (105, "firing", 1),
                               (120, "resolved", 1)]
    assert sent_at["chat"] == [(0, "firing", 1), (30, "firing", 2), (90, "firing", 2), (105, "firing", 1)]
    hook = [r.json() for r in receiver.requests if r.path == "/hook"]
    assert [(a["labels"]["service"], a["status"]) for a in hook[3]["alerts"]] == [("api", "firing"),
                                                                                  ("web", "resolved")]
    assert hook[4]["status"] == "resolved"
    chat = [r.json()["text"] for r in receiver.requests if r.path == "/slack"]
    assert chat[3] == "[FIRING:1] errors (warning)\n- firing: 6 errors (service=api)"  # no resolved line
    assert [(n.channel, n.ok) for n in history.notifications()][-1] == ("hook", True)
    assert len(history.notifications()) == 9
    history.close()


def test_after_a_restart_a_group_sent_as_firing_is_resolved_not_sent_again(tmp_path):
    from mlops_tui.sources.alerts.history import Notification

    script = {100: {"api": 5}, 115: {}}
    with http_receiver() as receiver:
        alerts = AlertsSettings.model_validate({
            "rules": [{"name": "errors", "expr": "x", "threshold": 1}],
            "channels": [{"kind": "slack", "name": "chat", "url": receiver.url + "/slack"}]})
        engine = AlertEngine(SimpleNamespace(alerts=alerts), inputs={0: ScriptedInput(script)})
        notifier = Notifier(alerts.channels, 3600.0)
        notifier.restore([Notification(40, "chat", "errors", "firing", 1, True, 1, "", ((("service", "api"),),)),
                          Notification(50, "chat", "other", "firing", 1, True, 1, "", ((("service", "x"),),)),
                          Notification(60, "chat", "other", "resolved", 1, True, 1, "")])
        for at in sorted(script):
            engine.evaluate(at)
            notifier.handle(engine.views(), at)
        engine.close()
    assert [r.json()["text"] for r in receiver.requests] == ["[RESOLVED] errors (warning)\n"
                                                             "- resolved: value 5 (service=api)"]


def test_a_channels_rate_limit_refuses_what_is_over_it_and_says_so(tmp_path):
    script = {0: {"a": 5}, 15: {"a": 5, "b": 5}, 30: {"a": 5, "b": 5, "c": 5}, 3631: {"a": 5, "b": 5, "c": 5}}
    with http_receiver() as receiver:
        alerts = AlertsSettings.model_validate({
            "interval": "15s", "rules": [{"name": "errors", "expr": "x", "threshold": 1}],
            "channels": [{"kind": "discord", "name": "chat", "url": receiver.url + "/d", "rate_limit": 2}]})
        engine = AlertEngine(SimpleNamespace(alerts=alerts), inputs={0: ScriptedInput(script)})
        history = AlertHistory(tmp_path / "h.sqlite")
        notifier = Notifier(alerts.channels, 3600.0, history)
        for at in sorted(script):
            engine.evaluate(at)
            notifier.handle(engine.views(), at)
        engine.close()
    assert len(receiver.requests) == 3  # at 0 and 15; at 30 refused; at 3631 the repeat, an hour on
    refused = [(n.at, n.attempts, n.detail) for n in history.notifications() if not n.ok]
    assert refused == [(30, 0, "the channel's rate limit of 2 an hour is reached")]
    history.close()


def test_group_wait_gathers_alerts_that_start_together_and_drops_a_blip():
    script = {0: {"a": 5}, 15: {"a": 5, "b": 5}, 30: {"a": 5, "b": 5}, 45: {}, 60: {"c": 5}, 75: {}, 90: {}}
    with http_receiver() as receiver:
        alerts = AlertsSettings.model_validate({
            "interval": "15s", "rules": [{"name": "errors", "expr": "x", "threshold": 1}],
            "channels": [{"kind": "slack", "name": "chat", "url": receiver.url + "/s"}]})
        engine = AlertEngine(SimpleNamespace(alerts=alerts), inputs={0: ScriptedInput(script)})
        notifier = Notifier(alerts.channels, 3600.0, group_wait=30.0)
        sent = []
        for at in sorted(script):
            engine.evaluate(at)
            sent += [(at, n.status, n.alerts) for n in notifier.handle(engine.views(), at)]
        engine.close()
    # a and b go out together once the group has waited 30 s; c fires for 15 s only and is never sent.
    assert sent == [(30, "firing", 2), (45, "resolved", 2)]
