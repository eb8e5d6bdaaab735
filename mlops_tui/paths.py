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


def trusted_folders_file() -> Path:
    """The user's list of folders whose own ./mlops-tui.yaml may name code to import (one path a line)."""
    return config_dir() / "trusted-folders"


def is_trusted_folder(folder: Path) -> bool:
    """Whether the user listed folder in trusted_folders_file() (an unreadable list trusts nothing)."""
    try:
        lines = trusted_folders_file().read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    target = folder.resolve()
    return any(line.strip() and Path(line.strip()).expanduser().resolve() == target for line in lines)


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


def exists(path: str | os.PathLike[str]) -> bool:
    """Whether path names something, False when the system refuses the name itself (ENAMETOOLONG for a
    component over 255 bytes, such as an override key taken for a file name): pathlib raises there."""
    try:
        return Path(path).exists()
    except (OSError, ValueError):
        return False


def is_file(path: str | os.PathLike[str]) -> bool:
    """Path.is_file(), False where the system refuses the name (see `exists`)."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def is_dir(path: str | os.PathLike[str]) -> bool:
    """Path.is_dir(), False where the system refuses the name (see `exists`)."""
    try:
        return Path(path).is_dir()
    except (OSError, ValueError):
        return False
