"""Alerts pane: rules over metrics, logs and drift scores."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlops_tui.settings.base import Section


class AlertRule(Section):
    """A condition that raises an alert while it holds."""

    name: str = "rule"
    """Name shown in the Alerts pane and in notifications."""
    kind: Literal["metric", "log", "drift"] = "metric"
    """What the rule watches."""
    expr: str = ""
    """Metric or drift series (e.g. cpu.total), or a log search pattern."""
    op: Literal[">", ">=", "<", "<=", "==", "!="] = ">"
    """Comparison against the threshold."""
    threshold: float = 0.0
    """Value the series is compared with (for log rules: matches per window)."""
    for_seconds: float = Field(default=0.0, ge=0)
    """How long the condition must hold before the alert fires."""
    severity: Literal["info", "warning", "critical"] = "warning"
    """Severity shown and used for notifications."""


class AlertsSettings(Section):
    """Alert rules and notifications."""

    rules: list[AlertRule] = Field(default_factory=list)
    """Rules evaluated by the app."""
    notify_bell: bool = False
    """Ring the terminal bell when a critical alert fires."""
