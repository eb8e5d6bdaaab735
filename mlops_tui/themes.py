"""Themes: YAML files in themes/ registered as Textual themes."""

from __future__ import annotations

from pathlib import Path

import yaml
from textual.theme import Theme

from mlops_tui.paths import package_data

_FIELDS = {"name", "primary", "secondary", "warning", "error", "success", "accent", "foreground",
           "background", "surface", "panel", "boost", "dark", "variables"}


class ThemeError(Exception):
    """A theme file that cannot be used."""


def theme_dir() -> Path:
    return package_data("themes")


def load_themes(folder: Path | None = None) -> dict[str, Theme]:
    """Every theme defined in folder (default: the themes/ folder), by name."""
    themes: dict[str, Theme] = {}
    for path in sorted((folder or theme_dir()).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ThemeError(f"{path}: {exc}") from None
        unknown = set(data) - _FIELDS
        if unknown or "name" not in data or "primary" not in data:
            raise ThemeError(f"{path}: needs name and primary; unknown keys: {sorted(unknown)}")
        themes[data["name"]] = Theme(**data)
    return themes
