"""Look and keys."""

from __future__ import annotations

from pydantic import Field

from mlops_tui.settings.base import Section
from mlops_tui.themes import DEFAULT_THEME


class UISettings(Section):
    """How the app looks and which keys do what."""

    theme: str = DEFAULT_THEME
    """Theme name: mlops-dark, mlops-light, mlops-mono, or any theme under themes/."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """Key overrides by binding id, e.g. {"app.pane.logs": "f3"}."""
    clock: bool = True
    """Show a clock (hours:minutes, repainted once a minute) in the header."""
