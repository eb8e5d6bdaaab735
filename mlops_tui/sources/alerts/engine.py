"""Every configured rule evaluated at one instant: the pane's background worker and `mlops-tui alerts check`
both call `AlertEngine.evaluate`.

Each rule's input is read in a thread of its own with a deadline, so a slow query never delays the other
rules: a rule that has not answered by the deadline shows `error` ("no answer within 5s") for that evaluation,
and is not asked again until its last query has returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from mlops_tui.settings.alerts import AlertRule
from mlops_tui.sources.alerts.inputs import RuleInput, RuleInputError, input_for
from mlops_tui.sources.alerts.rules import AlertState, Change, Health, Instance, RuleEvaluator, render_summary
from mlops_tui.sources.timespec import parse_duration

GAP_FACTOR = 3.0
"""An evaluation more than this many intervals after the previous one follows a gap (a laptop asleep)."""
MAX_REPLAY_STEPS = 240
"""`check` replays at most this many evaluations to reach a rule's current state."""


@dataclass
class RuleView:
    """What the pane and the CLI show of one rule."""

    rule: AlertRule
    health: Health
    reason: str
    instances: list[Instance]

    @property
    def firing(self) -> list[Instance]:
        return [i for i in self.instances if i.state is AlertState.FIRING]

    @property
    def pending(self) -> list[Instance]:
        return [i for i in self.instances if i.state is AlertState.PENDING]

    @property
    def state(self) -> str:
        """The rule's worst state: firing, pending, error, no data, or inactive."""
        if self.firing:
            return "firing"
        if self.pending:
            return "pending"
        if self.health is not Health.OK:
            return self.health.value
        return "inactive"

    def summary(self, instance: Instance) -> str:
        return render_summary(self.rule.summary, instance) if self.rule.summary else ""

    def to_json(self) -> dict:
        return {
            "name": self.rule.name, "kind": self.rule.kind, "severity": self.rule.severity, "state": self.state,
            "health": self.health.value, "reason": self.reason,
            "alerts": [{"labels": dict(i.labels), "state": "resolved" if i.resolved else i.state.value,
                        "value": i.value, "active_at": i.active_at, "fired_at": i.fired_at,
                        "resolved_at": i.resolved_at, "summary": self.summary(i)} for i in self.instances],
        }


@dataclass
class _Slot:
    rule: AlertRule
    evaluator: RuleEvaluator
    input: RuleInput | None = None
    broken: str = ""
    """Why the input could not be built (settings naming a source that does not exist)."""
    running: Future | None = None


@dataclass
class AlertEngine:
    """The rules of `settings.alerts`, each with its input and its state machine."""

    settings: object
    deadline: float = 5.0
    """Seconds one evaluation waits for a rule's input."""
    inputs: Mapping[int, RuleInput] | None = None
    """Inputs by rule index, replacing the ones built from the settings (tests, replays)."""
    clock: Callable[[], float] = time.time
    _slots: list[_Slot] = field(default_factory=list, init=False)
    _pool: ThreadPoolExecutor | None = field(default=None, init=False)
    _last_at: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        alerts = self.settings.alerts  # type: ignore[attr-defined]
        self.interval = parse_duration(alerts.interval)
        for index, rule in enumerate(alerts.rules):
            evaluator = RuleEvaluator(rule.name, rule.op, rule.threshold, hold=rule.seconds("for"),
                                      keep_firing_for=rule.seconds("keep_firing_for"),
                                      hysteresis=rule.hysteresis, labels=dict(rule.labels),
                                      fire_on_no_data=rule.no_data == "firing")
            slot = _Slot(rule, evaluator)
            if self.inputs is not None and index in self.inputs:
                slot.input = self.inputs[index]
            else:
                try:
                    slot.input = input_for(rule, self.settings)
                except RuleInputError as exc:
                    slot.broken = str(exc)
            self._slots.append(slot)

    @property
    def rules(self) -> Sequence[AlertRule]:
        return [slot.rule for slot in self._slots]

    def evaluate(self, at: float | None = None) -> list[Change]:
        """One evaluation of every rule at `at` (now by default); the state changes it made."""
        at = self.clock() if at is None else at
        if self._last_at is not None and at - self._last_at > GAP_FACTOR * self.interval:
            for slot in self._slots:
                slot.evaluator.restart_pending(at)
        self._last_at = at
        return self._step(self._slots, at)

    def restore(self, alerts: Iterable) -> set[str]:
        """Take up the alerts a previous run left pending or firing (`AlertHistory.open_alerts`); the names of
        the rules that got any (their `for` is not replayed by `catch_up`: it is known)."""
        slots = {slot.rule.name: slot for slot in self._slots}
        restored: set[str] = set()
        for alert in alerts:
            slot = slots.get(alert.rule)
            if slot is not None:
                slot.evaluator.restore(alert.labels, AlertState(alert.state), alert.active_at, alert.fired_at)
                restored.add(alert.rule)
        return restored

    def catch_up(self, at: float | None = None, skip: Iterable[str] = ()) -> list[Change]:
        """Evaluate over the time the rules' `for` and `keep_firing_for` span before `at`, then at `at`, so that a
        single run (`alerts check`, a restart) reaches the state a continuously running evaluator would be in.
        Inputs without history (local resources, drift files) are read at `at` only."""
        at = self.clock() if at is None else at
        # (a rate rule's first replayed evaluation only gives the value its rate starts from: one more)
        span = max((s.rule.seconds("for") + s.rule.seconds("keep_firing_for")
                    + (self.interval if s.rule.of == "rate" else 0.0) for s in self._slots), default=0.0)
        step = max(self.interval, span / MAX_REPLAY_STEPS)
        skip = set(skip)
        with_history = [s for s in self._slots if s.rule.name not in skip and s.rule.kind != "drift"
                        and not (s.rule.kind == "metric" and s.rule.source == "local")]
        changes: list[Change] = []
        for k in range(int(span // step), 0, -1):
            changes += self._step(with_history, at - k * step)
        self._last_at = at
        return changes + self._step(self._slots, at)

    def _step(self, slots: Sequence[_Slot], at: float) -> list[Change]:
        pool = self._pool or ThreadPoolExecutor(max_workers=max(1, min(8, len(self._slots))),
                                                thread_name_prefix="alert-rule")
        self._pool = pool
        asked: list[tuple[_Slot, Future]] = []
        for slot in slots:
            if slot.input is None:
                slot.evaluator.failed(at, slot.broken)
            elif slot.running is not None and not slot.running.done():
                slot.evaluator.failed(at, f"the previous query has not answered yet (over {self.deadline:g}s)")
            else:
                slot.running = pool.submit(slot.input.sample, at)
                asked.append((slot, slot.running))
        wait([future for _, future in asked], timeout=self.deadline)
        changes: list[Change] = []
        for slot, future in asked:
            if not future.done():
                slot.evaluator.failed(at, f"no answer within {self.deadline:g}s")
                continue
            error = future.exception()
            if error is not None:
                slot.evaluator.failed(at, str(error) or type(error).__name__)
                continue
            changes += slot.evaluator.evaluate(at, future.result())
            why = getattr(slot.input, "no_data_reason", "")  # an input that knows why it has nothing (a rate)
            if why and slot.evaluator.health is Health.NO_DATA and not slot.evaluator.fire_on_no_data:
                slot.evaluator.reason = why
        return changes

    def views(self) -> list[RuleView]:
        return [RuleView(s.rule, s.evaluator.health, s.evaluator.reason, s.evaluator.instances()) for s in self._slots]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        for slot in self._slots:
            if slot.input is not None:
                slot.input.close()
