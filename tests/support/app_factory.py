"""Build the real app for Pilot and snapshot tests, with the clock off and no user config read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mlops_tui.app import MlopsApp
from mlops_tui.settings import load_settings


def make_app(
    dotlist: Sequence[str] = (),
    pane_options: Mapping[str, Mapping[str, Any]] | None = None,
    config: str | Path | None = None,
    cwd: Path | None = None,
) -> MlopsApp:
    """MlopsApp with settings from dotlist (and config), ignoring the environment and ~/.config."""
    settings, config_file = load_settings(
        config, ["ui.clock=false", *dotlist], environ={}, cwd=cwd or Path("/nonexistent-mlops-tui-cwd")
    )
    return MlopsApp(settings, config_file=config_file, pane_options=pane_options)
