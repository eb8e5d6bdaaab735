"""Alerts: rules over metrics, logs and drift scores, evaluated by sources/alerts (pane and `alerts check`)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from mlops_tui.settings.base import Section
from mlops_tui.sources.timespec import parse_duration


class AlertRule(Section):
    """A condition that raises an alert while it holds, one alert per series (keyed by its labels)."""

    model_config = ConfigDict(extra="forbid", validate_default=True, populate_by_name=True)

    name: str = "rule"
    """Name shown in the Alerts pane and in notifications (Prometheus' `alert:`)."""
    kind: Literal["metric", "log", "drift"] = "metric"
    """What the rule watches: a metric series, the count of matching log records, or a drift score."""
    source: str = "local"
    """Metric rules: `local` (this machine: cpu.total, mem.percent, ...) or the name of a metrics.prometheus
    or metrics.influx entry (expr is then PromQL or InfluxQL). Log rules: `files` (logs.files or ./logs)."""
    expr: str = ""
    """The series (cpu.total, a PromQL or InfluxQL query) or, for log rules, a search as typed in the Logs pane."""
    op: Literal[">", ">=", "<", "<=", "==", "!="] = ">"
    """Comparison of each series' value against the threshold."""
    threshold: float = 0.0
    """Value the series is compared with (for log rules: matching records in the window)."""
    for_: str = Field(default="0s", alias="for")
    """How long the condition must hold before the alert fires (pending until then), e.g. 5m."""
    keep_firing_for: str = "0s"
    """How long the alert keeps firing after the condition stops holding (as in Prometheus 2.42+)."""
    hysteresis: float = Field(default=0.0, ge=0)
    """Once active, the alert holds until the value is this far back across the threshold (no flapping)."""
    window: str = "5m"
    """Log rules: records counted over this window before each evaluation."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Labels added to every alert of this rule (routing, grouping)."""
    summary: str = ""
    """One line shown with the alert; `{{ $value }}` and `{{ $labels.NAME }}` are filled in."""
    severity: Literal["info", "warning", "critical"] = "warning"
    """Severity shown and used for notifications."""

    @field_validator("for_", "keep_firing_for", "window")
    @classmethod
    def _durations(cls, value: str) -> str:
        """Refused at load time, so a bad value is a settings error naming the key."""
        parse_duration(value, allow_zero=True)
        return value

    def seconds(self, which: Literal["for", "keep_firing_for", "window"]) -> float:
        """One of the rule's durations in seconds."""
        text = {"for": self.for_, "keep_firing_for": self.keep_firing_for, "window": self.window}[which]
        return parse_duration(text, allow_zero=True)


class AlertsSettings(Section):
    """Alert rules and notifications."""

    rules: list[AlertRule] = Field(default_factory=list)
    """Rules evaluated by the app and by `mlops-tui alerts check`."""
    interval: str = "15s"
    """Time between evaluations of every rule (Prometheus' evaluation_interval)."""

    @field_validator("interval")
    @classmethod
    def _interval_is_a_duration(cls, value: str) -> str:
        parse_duration(value)
        return value
