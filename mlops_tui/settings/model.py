"""The one typed model of the app's settings."""

from __future__ import annotations

from pydantic import Field

from mlops_tui.settings.alerts import AlertsSettings
from mlops_tui.settings.base import Section
from mlops_tui.settings.configs import ConfigsSettings
from mlops_tui.settings.logs import LogsSettings
from mlops_tui.settings.metrics import MetricsSettings
from mlops_tui.settings.models import ModelsSettings
from mlops_tui.settings.ui import UISettings


class Settings(Section):
    """Everything mlops-tui can be told, each with a default."""

    ui: UISettings = Field(default_factory=UISettings)
    """Look and keys."""
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    """Local resources and remote metric sources."""
    logs: LogsSettings = Field(default_factory=LogsSettings)
    """Log files and search engines."""
    models: ModelsSettings = Field(default_factory=ModelsSettings)
    """DVC/GTO repository."""
    configs: ConfigsSettings = Field(default_factory=ConfigsSettings)
    """Config files to diff, merge and validate."""
    alerts: AlertsSettings = Field(default_factory=AlertsSettings)
    """Alert rules."""


def json_schema() -> dict:
    """The JSON Schema of the settings, generated from the model."""
    return Settings.model_json_schema()
