"""The app's settings: one pydantic model, merged from defaults, file, environment and command line."""

from mlops_tui.settings.loader import SettingsError, find_config_file, load_settings
from mlops_tui.settings.model import Settings, json_schema

__all__ = ["Settings", "SettingsError", "find_config_file", "json_schema", "load_settings"]
