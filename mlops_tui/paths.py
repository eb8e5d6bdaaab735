"""Where mlops-tui keeps its files, following the XDG base directory spec."""

from __future__ import annotations

import os
from pathlib import Path

APP = "mlops-tui"


def _base(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable)
    return Path(value) if value and Path(value).is_absolute() else Path.home() / fallback


def config_dir() -> Path:
    """~/.config/mlops-tui (or $XDG_CONFIG_HOME/mlops-tui)."""
    return _base("XDG_CONFIG_HOME", ".config") / APP


def config_file() -> Path:
    """The user's config file."""
    return config_dir() / "config.yaml"


def state_dir() -> Path:
    """~/.local/state/mlops-tui (or $XDG_STATE_HOME/mlops-tui): history, the app's own log."""
    return _base("XDG_STATE_HOME", ".local/state") / APP


def cache_dir() -> Path:
    """~/.cache/mlops-tui (or $XDG_CACHE_HOME/mlops-tui)."""
    return _base("XDG_CACHE_HOME", ".cache") / APP


def package_data(name: str) -> Path:
    """A top-level data folder (themes, configs): from the source tree, or as installed in the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / name, here / f"_{name}"):
        if candidate.is_dir():
            return candidate
    return here.parent / name
