"""Load settings: defaults < config file < MLOPS_TUI_* environment < command-line dotlist.

OmegaConf does the merging and the ${oc.env:VAR} interpolation; pydantic does the typing.
Every failure becomes a SettingsError whose text names the origin, the key path and, for an
unknown key, the closest known key.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException
from pydantic import BaseModel, ValidationError

from mlops_tui import paths
from mlops_tui.settings.model import Settings

ENV_PREFIX = "MLOPS_TUI_"


class SettingsError(Exception):
    """Settings that cannot be used; str() is the message shown to the user."""


@dataclass(frozen=True)
class Layer:
    """One source of settings and the keys it sets."""

    origin: str
    config: DictConfig


def find_config_file(explicit: str | os.PathLike | None, cwd: Path | None = None) -> Path | None:
    """The config file in force: --config, else ./mlops-tui.yaml, else the XDG config file; cwd (default the
    current folder) is where the first two are looked for."""
    if explicit is not None:
        path = Path(explicit)
        found = path if cwd is None else cwd / path  # (an absolute path stays as it is)
        try:
            found.stat()  # a FIFO or a device is refused by its reader, not called missing
        except FileNotFoundError:
            raise SettingsError(f"{path}: config file not found") from None
        except OSError as exc:  # a name too long, a symlink loop, an unreadable folder on the way
            raise SettingsError(f"{path}: cannot read: {exc.strerror or exc}") from None
        return found
    for candidate in ((cwd or Path.cwd()) / "mlops-tui.yaml", paths.config_file()):
        try:
            if candidate.is_file():
                return candidate
        except OSError as exc:
            raise SettingsError(f"{candidate}: cannot read: {exc.strerror or exc}") from None
    return None


def _file_layer(path: Path) -> Layer:
    from mlops_tui.sources import limits  # the defaults: the settings that could change them are being read

    try:
        text = limits.read_config_file(str(path)).decode("utf-8")
    except limits.OverLimit as exc:
        raise SettingsError(f"{path}: cannot read: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = yaml.safe_load(text)
        limits.check_tree(data)
    except limits.OverLimit as exc:
        raise SettingsError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise SettingsError(f"{where}: invalid YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: the top level must be a mapping of sections, not {type(data).__name__}")
    return Layer(str(path), _create(data, str(path)))


def _create(data: Any, origin: str) -> DictConfig:
    try:
        return OmegaConf.create(data)
    except OmegaConfBaseException as exc:
        raise SettingsError(f"{origin}: {exc}") from None


def _env_layer(environ: Mapping[str, str]) -> Layer:
    """MLOPS_TUI_METRICS__INTERVAL=2 sets metrics.interval; values are read as YAML."""
    data: dict[str, Any] = {}
    for name, raw in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG":
            continue
        keys = [k.lower() for k in name[len(ENV_PREFIX):].split("__") if k]
        if not keys:
            continue
        try:
            value = yaml.safe_load(raw) if raw else raw
        except yaml.YAMLError:
            value = raw
        node = data
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise SettingsError(f"environment {name}: {'.'.join(keys)} conflicts with another variable")
        node[keys[-1]] = value
    return Layer("environment (MLOPS_TUI_*)", _create(data, "environment"))


def _dotlist_layer(dotlist: Sequence[str]) -> Layer:
    for item in dotlist:
        if "=" not in item:
            raise SettingsError(f"command line: {item!r} is not KEY=VALUE")
    try:
        return Layer("command line", OmegaConf.from_dotlist(list(dotlist)))
    except (OmegaConfBaseException, yaml.YAMLError) as exc:
        raise SettingsError(f"command line: {exc}") from None


def _has_path(config: DictConfig, loc: Sequence[str | int]) -> bool:
    node: Any = config
    for key in loc:
        try:
            if isinstance(key, int):
                node = node[key]
            elif key in node:
                node = node[key]
            else:
                return False
        except (KeyError, IndexError, TypeError, OmegaConfBaseException):
            return False
    return True


def _model_at(loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The pydantic model that owns the last key of loc."""
    model: Any = Settings
    for key in loc[:-1]:
        if isinstance(key, int):
            continue
        field = model.model_fields.get(key) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return None
        annotation = field.annotation
        inner = getattr(annotation, "__args__", None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        elif inner:
            model = next((a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)), None)
            if model is None:
                return None
        else:
            return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


_CROSS_KEY = re.compile(r"Value error, (?P<key>[A-Za-z_]\w*(?:\.\w+)+): (?P<msg>.*)", re.DOTALL)
"""A check across sections (Settings' own validators) names the key it is about at the start of its message."""


def _describe(error: Mapping[str, Any], layers: Sequence[Layer]) -> str:
    loc: list[str | int] = [k for k in error["loc"]]
    cross = _CROSS_KEY.fullmatch(error["msg"]) if not loc else None
    if cross:
        loc = [int(k) if k.isdigit() else k for k in cross["key"].split(".")]
        error = {**error, "msg": cross["msg"]}
    key = ".".join(str(k) for k in loc) or "(top level)"
    origin = next((layer.origin for layer in reversed(layers) if _has_path(layer.config, loc)), None)
    where = f"{origin}: " if origin else ""
    if error["type"] == "extra_forbidden":
        owner = _model_at(loc)
        not_built = getattr(owner, "NOT_BUILT", {}).get(str(loc[-1])) if owner is not None else None
        if not_built:
            return f"{where}{key}: not supported yet: {not_built}; remove the key"
        hint = ""
        if owner is not None:
            close = difflib.get_close_matches(str(loc[-1]), list(owner.model_fields), n=1, cutoff=0.5)
            if close:
                parent = ".".join(str(k) for k in loc[:-1])
                hint = f" (did you mean {parent + '.' if parent else ''}{close[0]}?)"
        return f"{where}{key}: unknown key{hint}"
    return f"{where}{key}: {error['msg']}"


def load_settings(
    config_path: str | os.PathLike | None = None,
    dotlist: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[Settings, Path | None]:
    """Merge every layer and validate; returns the settings and the config file used."""
    environ = os.environ if environ is None else environ
    if config_path is None and environ.get(ENV_PREFIX + "CONFIG"):
        config_path = environ[ENV_PREFIX + "CONFIG"]
    file = find_config_file(config_path, cwd)
    layers = ([_file_layer(file)] if file else []) + [_env_layer(environ), _dotlist_layer(dotlist)]
    try:
        merged = OmegaConf.merge(*(layer.config for layer in layers))
        data = OmegaConf.to_container(merged, resolve=True)
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None)
        raise SettingsError(f"{key + ': ' if key else ''}{getattr(exc, 'msg', None) or exc}") from None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(error, layers) for error in exc.errors()]
        raise SettingsError("\n".join(lines)) from None
    if file is not None and config_path is None and file != paths.config_file():
        found_here = _has_path(layers[0].config, ("configs", "model"))
        named_elsewhere = any(_has_path(layer.config, ("configs", "model")) for layer in layers[1:])
        if found_here and not named_elsewhere and not paths.is_trusted_folder(file.parent):
            settings.configs.distrust_model(str(file))
        groups_here = _has_path(layers[0].config, ("configs", "group_schemas"))
        groups_elsewhere = any(_has_path(layer.config, ("configs", "group_schemas")) for layer in layers[1:])
        if groups_here and not groups_elsewhere and not paths.is_trusted_folder(file.parent):
            settings.configs.distrust_group_schemas(str(file))
        modules_here = _has_path(layers[0].config, ("configs", "hydra_modules"))
        modules_elsewhere = any(_has_path(layer.config, ("configs", "hydra_modules")) for layer in layers[1:])
        if modules_here and not modules_elsewhere and not paths.is_trusted_folder(file.parent):
            settings.configs.distrust_hydra_modules(str(file))
    return settings, file
