"""One alert rule's state machine, stepped once per evaluation.

The states and their steps are Prometheus' (rules/alerting.go, `AlertingRule.Eval`), so a PromQL rule gives the
same alerts at the same evaluation times as Prometheus (checked against `promtool test rules` in
tests/alerts/test_promtool_agreement.py):
- a series for which the condition holds starts an instance in `pending`; it becomes `firing` once the
  condition has held `for` (immediately when `for` is 0);
- when the condition stops holding, a pending instance is dropped and a firing one turns `inactive` with a
  resolve time (shown as resolved), unless `keep_firing_for` keeps it firing that long after it last held;
- resolved instances are kept 15 minutes, then forgotten.
Beyond Prometheus: `hysteresis` (an active instance holds until the value is that far back across the
threshold), `fire_on_no_data` (no series at all holds the condition, as `absent()` would), and the rule's health,
so that "no data" and "the query failed" are never read as "all is well".
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

RESOLVED_RETENTION = 15 * 60.0
"""Seconds a resolved instance is kept (Prometheus' resolvedRetention)."""

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "==": operator.eq, "!=": operator.ne,
}

Labels = tuple[tuple[str, str], ...]


class AlertState(StrEnum):
    INACTIVE = "inactive"
    PENDING = "pending"
    FIRING = "firing"


class Health(StrEnum):
    OK = "ok"
    NO_DATA = "no data"
    ERROR = "error"


@dataclass(frozen=True)
class Sample:
    """One series' value at the evaluation time."""

    labels: Mapping[str, str]
    value: float


@dataclass
class Instance:
    """One alert of a rule: one series' labels and where it stands."""

    labels: Labels
    state: AlertState
    active_at: float
    value: float
    fired_at: float | None = None
    resolved_at: float | None = None
    keep_firing_since: float | None = None

    @property
    def resolved(self) -> bool:
        return self.state is AlertState.INACTIVE and self.resolved_at is not None


@dataclass(frozen=True)
class Change:
    """An instance moving from one state to another at an evaluation."""

    rule: str
    labels: Labels
    old: AlertState
    new: AlertState
    at: float
    value: float


@dataclass
class RuleEvaluator:
    """The instances of one rule and the rule's health."""

    name: str
    op: str
    threshold: float
    hold: float = 0.0
    """`for` in seconds."""
    keep_firing_for: float = 0.0
    hysteresis: float = 0.0
    fire_on_no_data: bool = False
    """No series at all holds the condition (the rule's `no_data: firing`): one instance labelled absent=true."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """The rule's own labels, added to every instance (they win over a series label of the same name)."""
    active: dict[Labels, Instance] = field(default_factory=dict)
    health: Health = Health.OK
    reason: str = ""
    last_at: float | None = None

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"unknown comparison {self.op!r}: use one of {' '.join(_OPS)}")

    # -- one evaluation -----------------------------------------------------------------------
    def evaluate(self, at: float, samples: Iterable[Sample]) -> list[Change]:
        """Step every instance to `at` with the samples the rule's input gave then."""
        samples = list(samples)
        self.health, self.reason = (Health.OK, "") if samples else (Health.NO_DATA, "the query returned no series")
        holding: dict[Labels, float] = {}
        if not samples and self.fire_on_no_data:
            holding[self._key({"absent": "true"})] = 1.0  # (absent()'s value)
            self.reason = "the query returned no series: that fires (no_data: firing)"
        for sample in samples:
            key = self._key(sample.labels)
            current = self.active.get(key)
            still_active = current is not None and current.state is not AlertState.INACTIVE
            if self._holds(sample.value, still_active):
                holding[key] = sample.value
        changes: list[Change] = []
        for key, value in holding.items():
            current = self.active.get(key)
            if current is not None and current.state is not AlertState.INACTIVE:
                current.value = value
                continue
            self.active[key] = Instance(key, AlertState.PENDING, active_at=at, value=value)
            changes.append(Change(self.name, key, AlertState.INACTIVE, AlertState.PENDING, at, value))
        for key, instance in list(self.active.items()):
            if key not in holding:
                keep = False
                if instance.state is AlertState.FIRING and self.keep_firing_for > 0:
                    if instance.keep_firing_since is None:
                        instance.keep_firing_since = at
                    keep = at - instance.keep_firing_since < self.keep_firing_for
                if not keep:
                    expired = instance.resolved_at is not None and at - instance.resolved_at > RESOLVED_RETENTION
                    if instance.state is AlertState.PENDING or expired:
                        del self.active[key]
                    if instance.state is not AlertState.INACTIVE:
                        changes.append(Change(self.name, key, instance.state, AlertState.INACTIVE, at, instance.value))
                        instance.state, instance.resolved_at = AlertState.INACTIVE, at
                    continue
            else:
                instance.keep_firing_since = None
            if instance.state is AlertState.PENDING and at - instance.active_at >= self.hold:
                instance.state, instance.fired_at = AlertState.FIRING, at
                changes.append(Change(self.name, key, AlertState.PENDING, AlertState.FIRING, at, instance.value))
        self.last_at = at
        return changes

    def failed(self, at: float, reason: str) -> None:
        """The input could not be read at `at`: the instances stay as they were, the rule shows the error."""
        self.health, self.reason, self.last_at = Health.ERROR, reason, at

    def restart_pending(self, at: float) -> None:
        """After a gap in evaluation (a laptop asleep), a pending instance must hold `for` again from now:
        nothing was observed during the gap, so it must not fire at once on the first evaluation after it."""
        for instance in self.active.values():
            if instance.state is AlertState.PENDING:
                instance.active_at = at

    def restore(self, labels: Labels, state: AlertState, active_at: float, fired_at: float | None) -> None:
        """Take up an alert a previous run recorded as pending or firing (as Prometheus restores its `for`
        state after a restart), so it keeps its since-when and does not fire again as new."""
        if labels not in self.active:
            self.active[labels] = Instance(labels, state, active_at=active_at, value=math.nan, fired_at=fired_at)

    # -- reading --------------------------------------------------------------------------------
    def firing(self) -> list[Instance]:
        return sorted((i for i in self.active.values() if i.state is AlertState.FIRING), key=lambda i: i.labels)

    def instances(self) -> list[Instance]:
        return sorted(self.active.values(), key=lambda i: i.labels)

    # -- helpers ----------------------------------------------------------------------------------
    def _key(self, labels: Mapping[str, str]) -> Labels:
        merged = {k: v for k, v in labels.items() if k != "__name__"}
        merged.update(self.labels)
        return tuple(sorted(merged.items()))

    def _holds(self, value: float, still_active: bool) -> bool:
        if math.isnan(value):
            return False
        threshold = self.threshold
        if still_active and self.hysteresis:
            if self.op in (">", ">="):
                threshold -= self.hysteresis
            elif self.op in ("<", "<="):
                threshold += self.hysteresis
        return _OPS[self.op](value, threshold)


_TEMPLATE = re.compile(r"\{\{\s*\$(value|labels\.([A-Za-z_]\w*))\s*\}\}")


def render_summary(template: str, instance: Instance) -> str:
    """`{{ $value }}` and `{{ $labels.NAME }}` filled in (the two Prometheus template forms people use);
    nothing else in the template is interpreted."""
    labels = dict(instance.labels)

    def fill(match: re.Match[str]) -> str:
        if match.group(1) == "value":
            return f"{instance.value:g}"
        return labels.get(match.group(2), "")

    return _TEMPLATE.sub(fill, template)
