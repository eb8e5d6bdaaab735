"""Hydra-style composition of a config's `defaults` list into a stack of sources.

`defaults: [_self_, {model: resnet50}, {optimizer: adamw}]` in train.yaml reads model/resnet50.yaml
into the `model` key and optimizer/adamw.yaml into `optimizer`, next to train.yaml, in list order;
`_self_` places the file's own keys (at the end when it is not listed). A group file may have a
defaults list of its own. `null` options are skipped; `override` entries replace an earlier choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from mlops_tui.sources.configs.errors import ConfigError
from mlops_tui.sources.configs.loading import load

SELF = "_self_"
MAX_DEPTH = 8


def _nest(package: tuple[str, ...], data: Any) -> Any:
    for key in reversed(package):
        data = {key: data}
    return data


def _parse(item: Any, origin: str) -> tuple[str | None, str | None, bool]:
    """(group, option, is_override) of one defaults entry; group None for a plain config name."""
    if item == SELF:
        return SELF, None, False
    if isinstance(item, str):
        return None, item, False
    if isinstance(item, Mapping) and len(item) == 1:
        (key, value), = item.items()
        key = str(key)
        is_override = key.startswith("override ")
        group = key.removeprefix("override ").strip()
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"defaults entry {group!r} must name one option, got {type(value).__name__}", origin=origin)
        return group, value, is_override
    raise ConfigError(f"defaults entry {item!r} is neither _self_, a name, nor {{group: option}}", origin=origin)


def groups(spec: str, data: Mapping[str, Any]) -> set[str]:
    """Config groups the file's defaults list chooses from (model, optimizer...)."""
    defaults = data.get("defaults")
    if not isinstance(defaults, list):
        return set()
    return {group for group, _, _ in (_parse(item, spec) for item in defaults) if group not in (None, SELF)}


def compose(spec: str, data: Mapping[str, Any], cwd=None, package: tuple[str, ...] = (), depth: int = 0,
            chosen: Mapping[str, str] | None = None) -> list[tuple[str, Any]]:
    """(label, data) layers for spec in merge order, with its defaults list expanded.

    chosen maps a group to the option picked on the command line (`model=vit_b16`), as Hydra does."""
    if depth > MAX_DEPTH:
        raise ConfigError(f"defaults nested deeper than {MAX_DEPTH} levels (a cycle?)", origin=spec)
    defaults = data.get("defaults")
    own = {k: v for k, v in data.items() if k != "defaults"}
    if defaults is None:
        return [(spec, _nest(package, own))]
    if not isinstance(defaults, list):
        raise ConfigError("defaults must be a list", origin=spec)
    folder = PurePosixPath(spec.replace("\\", "/")).parent
    entries = [_parse(item, spec) for item in defaults]
    choices: dict[str, str | None] = {}
    order: list[str] = []
    for group, option, is_override in entries:
        key = group if group is not None else f"\0{option}"
        if is_override and key not in choices:
            raise ConfigError(f"override of {group!r}, which no earlier defaults entry chose", origin=spec)
        if key not in choices:
            order.append(key)
        choices[key] = option
    if SELF not in choices:
        order.append(SELF)
    if depth == 0:
        choices.update({group: option for group, option in (chosen or {}).items() if group in choices})
    layers: list[tuple[str, Any]] = []
    for key in order:
        if key == SELF:
            layers.append((spec, _nest(package, own)))
            continue
        option = choices[key]
        if option is None:
            continue
        if key.startswith("\0"):
            child_spec, child_package = str(folder / f"{option}.yaml"), package
        else:
            child_spec, child_package = str(folder / key / f"{option}.yaml"), (*package, *key.split("/"))
        child = load(child_spec, cwd).data or {}
        if not isinstance(child, Mapping):
            raise ConfigError(f"top level is a {type(child).__name__}, a mapping is needed", origin=child_spec)
        layers.extend(compose(child_spec, child, cwd, child_package, depth + 1))
    return layers
