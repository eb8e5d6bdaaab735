"""Themes: TOML files in themes/ registered as Textual themes.

TOML, not YAML: the app reads its themes before its first frame, and tomllib (standard library) imports in
about 1 ms where PyYAML takes about 7 ms (`bench/startup.py`). The settings import this module for the
default name alone, so Textual is imported only when the themes are loaded.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_tui.paths import package_data

if TYPE_CHECKING:
    from textual.color import Color, ColorParseError
    from textual.theme import Theme

DEFAULT_THEME = "mlops-dark"

_FIELDS = {"name", "primary", "secondary", "warning", "error", "success", "accent", "foreground",
           "background", "surface", "panel", "boost", "dark", "variables"}


class ThemeError(Exception):
    """A theme file that cannot be used."""


def theme_dir() -> Path:
    return package_data("themes")


def load_themes(folder: Path | None = None) -> dict[str, Theme]:
    """Every theme defined in folder (default: the themes/ folder), by name."""
    from textual.color import Color, ColorParseError
    from textual.theme import Theme

    themes: dict[str, Theme] = {}
    for path in sorted((folder or theme_dir()).glob("*.toml")):
        try:
            with path.open("rb") as file:
                data = tomllib.load(file)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ThemeError(f"{path}: {exc}") from None
        unknown = set(data) - _FIELDS
        if unknown or "name" not in data or "primary" not in data:
            raise ThemeError(f"{path}: needs name and primary; unknown keys: {sorted(unknown)}")
        for key in _FIELDS - {"name", "dark", "variables"}:
            if key in data:
                try:
                    Color.parse(data[key]) if isinstance(data[key], str) else Color.parse("")
                except ColorParseError:  # checked here: Textual would fail only when it paints with it
                    raise ThemeError(f"{path}: {key}: not a colour: {data[key]!r}") from None
        themes[data["name"]] = Theme(**data)
    return themes
