"""Models pane: DVC and GTO in git."""

from __future__ import annotations

from pydantic import Field

from mlops_tui.settings.base import Section


class ModelsSettings(Section):
    """Which repository holds the models and data, and when a model counts as stale."""

    repo: str = "."
    """Path of the git repository that uses DVC/GTO."""
    stale_after_days: float = Field(default=30.0, gt=0)
    """Warn when a model's newest version is older than this many days."""
    compare_stage: str = "prod"
    """Stage the pane's diff compares with the newest version by default."""
