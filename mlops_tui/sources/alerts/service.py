"""One evaluation cycle as the Alerts pane and `mlops-tui alerts watch` both run it.

Each cycle: evaluate every rule; take or renew the `notifier` role in the history file; if this process holds
it, record the state changes and send what is due (silenced alerts left out, acknowledged ones not repeated);
if another process holds it, only evaluate (and count as sent what the holder sends), so the TUI and a
headless watcher on the same history never both send a message.

The first cycle picks up where the last holder of the history left off: alerts it recorded as pending or
firing are taken up again with their since-when (as Prometheus restores its `for` state), when it stopped
less than `OUTAGE_TOLERANCE` ago; the other rules replay their `for` window from sources with history
(`AlertEngine.catch_up`, at most `engine.MAX_REPLAY_STEPS` evaluations), so a restart neither forgets a
firing alert nor fires a burst of stale ones.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from mlops_tui.sources.alerts.engine import AlertEngine, RuleView
from mlops_tui.sources.alerts.history import AlertHistory, HistoryError, Notification, history_file
from mlops_tui.sources.alerts.notify import Notifier
from mlops_tui.sources.alerts.rules import Change, Instance
from mlops_tui.sources.alerts.silences import Silence, alert_labels
from mlops_tui.sources.timespec import parse_duration

NOTIFIER_ROLE = "notifier"
OUTAGE_TOLERANCE = 3600.0
"""A previous run that stopped longer ago than this is not taken up again (Prometheus'
`rules.alert.for-outage-tolerance`): its alerts must hold their `for` anew."""


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Cycle:
    """What one cycle did."""

    at: float
    changes: list[Change]
    notes: list[Notification]
    holder: str
    """Who holds the notifier role after this cycle (this process or another)."""
    views: list[RuleView]


@dataclass
class AlertService:
    """The engine, the history and the notifier of one process."""

    settings: object
    deadline: float = 10.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    me: str = field(default_factory=this_process)
    engine: AlertEngine | None = None
    history: AlertHistory | None = None
    require_history: bool = True
    """False: a history file that cannot be opened is no reason not to evaluate (the pane): the rules are
    then evaluated, shown, but neither recorded nor notified, and `problem` says why."""

    def __post_init__(self) -> None:
        alerts = self.settings.alerts  # type: ignore[attr-defined]
        self.problem = ""
        if self.history is None:
            try:
                self.history = AlertHistory(history_file(alerts.history))
            except HistoryError as exc:
                if self.require_history:
                    raise
                self.problem = f"{exc}: not recorded, not notified"
        if self.engine is None:
            self.engine = AlertEngine(self.settings, deadline=self.deadline, clock=self.clock)
        self.repeat = parse_duration(alerts.repeat_interval)
        self.notifier = Notifier(alerts.channels, self.repeat, self.history, sleep=self.sleep,
                                 group_wait=parse_duration(alerts.group_wait, allow_zero=True))
        self.ttl = 3 * self.engine.interval + self.deadline
        self.holder: str | None = None
        self.silences: list[Silence] = []
        self.acked: set = set()
        self._started = False

    def _start(self, at: float) -> list[Change]:
        assert self.engine is not None
        if self.history is None:
            return self.engine.catch_up(at)
        self.notifier.restore(self.history.notifications(at - self.repeat))
        held = self.history.last_held(NOTIFIER_ROLE)
        restored: set[str] = set()
        if held is not None and at - held < OUTAGE_TOLERANCE:
            restored = self.engine.restore(self.history.open_alerts())
        return self.engine.catch_up(at, skip=restored)

    def cycle(self) -> Cycle:
        """Evaluate, record and notify once. HistoryError when the history file cannot be written."""
        assert self.engine is not None
        at = self.clock()
        if not self._started:
            changes = self._start(at)
            self._started = True
        else:
            changes = self.engine.evaluate(at)
        if self.history is None:
            return Cycle(at, changes, [], "", self.engine.views())
        self.holder = self.history.claim(NOTIFIER_ROLE, self.me, self.ttl, self.clock())
        self.silences = self.history.silences(at)
        self.acked = self.history.acks()
        notifying = self.holder == self.me
        if notifying:
            self.history.record_changes(changes)
        views = self.engine.views()
        notes = self.notifier.handle(views, at, deliver=notifying, muted=self.silenced_by, acked=self.is_acked)
        return Cycle(at, changes, notes, self.holder, views)

    def silenced_by(self, view: RuleView, instance: Instance) -> Silence | None:
        labels = alert_labels(view.rule.name, view.rule.severity, instance.labels)
        return next((s for s in self.silences if s.matches(labels)), None)

    def is_acked(self, view: RuleView, instance: Instance) -> bool:
        return (view.rule.name, instance.labels, instance.active_at) in self.acked

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close()
        if self.history is not None:
            try:
                if self.holder == self.me:
                    self.history.release(NOTIFIER_ROLE, self.me)
            except HistoryError:
                pass  # the role then lapses after its ttl
            self.history.close()
