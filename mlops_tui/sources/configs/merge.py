"""A stack of configs plus dotlist overrides merged with OmegaConf, with per-key provenance.

Later sources win. Each leaf of the result knows which file or override set it, its raw value
(`${data.root}/train`) and its resolved value; `${oc.env:...}` is resolved only when asked;
`???` values are flagged as missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import InterpolationToMissingValueError, OmegaConfBaseException

from mlops_tui.secrets import MASK, is_secret_key, mask_value
from mlops_tui.sources.configs.errors import ConfigError
from mlops_tui.sources.configs.keypath import KeyPath, format_path, mask_at, mask_deep
from mlops_tui.sources.configs.loading import load

MISSING = "???"
OVERRIDE = re.compile(r"^(?P<key>[A-Za-z_][\w\-]*(?:\.[\w\-]+)*)=(?P<value>.*)$", re.DOTALL)
_ENV = "${oc.env:"


class ListMerge(str, Enum):
    REPLACE = "replace"  # a later list replaces the earlier one (OmegaConf's behaviour)
    EXTEND = "extend"  # a later list is appended
    EXTEND_UNIQUE = "extend_unique"  # appended, skipping items already present


@dataclass(frozen=True)
class Source:
    """One layer of the stack: a file (or REV:path) or one KEY=VALUE override."""

    label: str
    data: dict[str, Any]


@dataclass
class Entry:
    """One leaf of the merged config."""

    path: KeyPath
    raw: Any
    source: str
    value: Any = None
    error: str | None = None
    interpolated: bool = False
    missing: bool = False
    env_pending: bool = False  # needs ${oc.env:...}, which was not resolved

    @property
    def key(self) -> str:
        return format_path(self.path)

    def shown_raw(self, reveal: bool = False) -> Any:
        return self.raw if reveal else mask_at(self.path, self.raw)

    def shown_value(self, reveal: bool = False) -> Any:
        if reveal:
            return self.value
        if isinstance(self.raw, str) and _ENV in self.raw and self.value not in (None, ""):
            return MASK  # the environment is where secrets are kept: whatever its key, shown only on reveal
        return mask_deep(self.path, self.value)

    def missing_text(self) -> str:
        """`service.stage: missing value (???), set by configs/env/base.yaml; give it a value (service.stage=VALUE)`."""
        return f"{self.key}: missing value (???), set by {self.source}; give it a value ({self.key}=VALUE)"

    def to_json(self, reveal: bool = False, provenance: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.key, "raw": self.shown_raw(reveal)}
        if self.interpolated:
            out["resolved"] = self.shown_value(reveal) if self.error is None else None
        if provenance:
            out["source"] = self.source
        if self.error:
            out["error"] = self.error
        if self.missing:
            out["missing"] = True
        if self.env_pending:
            out["env_pending"] = True
        return out


@dataclass
class Merged:
    """The merged config: raw tree, leaves with provenance and resolution, and the sources in order."""

    raw: dict[str, Any]
    entries: list[Entry]
    sources: list[str]
    problems: list[Entry] = field(default_factory=list)
    composition: Any = None  # the Hydra composition (defaults list, choices) when Hydra composed it

    @property
    def missing(self) -> list[Entry]:
        """The leaves whose value is `???` (Hydra's mandatory value not given yet), in document order."""
        return [e for e in self.entries if e.missing]

    def tree(self, resolved: bool = True, reveal: bool = False) -> Any:
        """The merged config as plain data: resolved values where they resolved, raw ones elsewhere."""
        values: dict[KeyPath, Any] = {}
        for entry in self.entries:
            if resolved and entry.interpolated and entry.error is None and not entry.env_pending:
                values[entry.path] = entry.shown_value(reveal)
            else:
                values[entry.path] = entry.shown_raw(reveal)
        return _rebuild(self.raw, (), values)


def _rebuild(node: Any, path: KeyPath, values: dict[KeyPath, Any]) -> Any:
    if isinstance(node, Mapping) and node:
        return {k: _rebuild(v, (*path, k), values) for k, v in node.items()}
    if isinstance(node, list) and node:
        return [_rebuild(v, (*path, i), values) for i, v in enumerate(node)]
    return values.get(path, node)


def leaves(node: Any, path: KeyPath = ()) -> list[tuple[KeyPath, Any]]:
    """(path, value) of every leaf in document order; empty mappings and lists are leaves."""
    out: list[tuple[KeyPath, Any]] = []
    stack: list[tuple[KeyPath, Any]] = [(path, node)]
    while stack:
        p, n = stack.pop()
        if isinstance(n, Mapping) and n:
            stack.extend(reversed([((*p, k), v) for k, v in n.items()]))
        elif isinstance(n, list) and n:
            stack.extend(reversed([((*p, i), v) for i, v in enumerate(n)]))
        else:
            out.append((p, n))
    return out


def parse_override(text: str) -> Source:
    """A KEY=VALUE override as a one-key source; the label masks a secret value."""
    match = OVERRIDE.match(text)
    if not match:
        shown = MASK if is_secret_key(text) else mask_value("", text)
        raise ConfigError(f"bad override {shown!r}: expected KEY=VALUE (e.g. trainer.max_epochs=20)")
    key, value = match["key"], match["value"]
    label = f"override {key}={mask_value(key.rsplit('.', 1)[-1], value)}"
    try:
        data = OmegaConf.to_container(OmegaConf.from_dotlist([text]), resolve=False)
    except (OmegaConfBaseException, yaml.YAMLError, ValueError) as exc:
        raise ConfigError(f"bad override {label[9:]!r}: {_first_line(exc)}") from None
    return Source(label, data)


def load_source(spec: str, cwd: Path | None = None) -> Source:
    doc = load(spec, cwd)
    data = doc.data
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"top level is a {type(data).__name__}, a mapping is needed to merge", origin=spec)
    return Source(spec, dict(data))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return mask_value("", text[0]) if text else type(exc).__name__


def _extend(base: Any, top: Any, unique: bool) -> Any:
    """top with each of its lists appended to base's list at the same path."""
    if isinstance(base, Mapping) and isinstance(top, Mapping):
        return {k: (_extend(base[k], v, unique) if k in base else v) for k, v in top.items()}
    if isinstance(base, list) and isinstance(top, list):
        extra = [item for item in top if not (unique and item in base)]
        return list(base) + extra
    return top


def _merge_plain(base: Any, layer: Any, path: KeyPath, label: str) -> Any:
    """OmegaConf's merge of plain data: mappings merge key by key, anything else replaces, except that
    ??? never replaces a value and a mapping never merges with a list."""
    if isinstance(base, Mapping) and isinstance(layer, Mapping):
        out = dict(base)
        for key, value in layer.items():
            out[key] = _merge_plain(base[key], value, (*path, key), label) if key in base else _copy(value)
        return out
    if isinstance(base, Mapping) and isinstance(layer, list) or isinstance(base, list) and isinstance(layer, Mapping):
        kinds = ("a mapping", "a list") if isinstance(base, Mapping) else ("a list", "a mapping")
        raise ConfigError(f"cannot merge {kinds[1]} into {kinds[0]} at {format_path(path)}", origin=label)
    if isinstance(layer, str) and layer == MISSING:
        return base
    return _copy(layer)


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _under(path: KeyPath, prefix: KeyPath) -> bool:
    return len(path) >= len(prefix) and path[: len(prefix)] == prefix


class _Provenance:
    """Which source last set each path, maintained as sources are merged in order."""

    def __init__(self) -> None:
        self.by_path: dict[KeyPath, str] = {}

    def record(self, before: Any, layer: Any, label: str, path: KeyPath = ()) -> None:
        if isinstance(layer, Mapping) and isinstance(before, Mapping):
            for key, value in layer.items():
                self.record(before.get(key, _ABSENT), value, label, (*path, key))
            return
        if isinstance(layer, str) and layer == MISSING and before is not _ABSENT and before != MISSING:
            return  # OmegaConf keeps the earlier value when a later one is ???
        if self.extended and isinstance(layer, list) and isinstance(before, list) and layer[: len(before)] == before:
            for i in range(len(before), len(layer)):
                self._set((*path, i), layer[i], label)
            return
        self._clear(before, path)
        self._set(path, layer, label)

    extended = False

    def _clear(self, before: Any, prefix: KeyPath) -> None:
        """Forget who set the subtree that layer replaces (its leaves are the only paths recorded under it)."""
        self.by_path.pop(prefix, None)
        if isinstance(before, (Mapping, list)) and before:
            for p, _ in leaves(before, prefix):
                self.by_path.pop(p, None)

    def forget(self, prefix: KeyPath) -> None:
        """A key the command line deleted (~key): nothing under it has a source any more."""
        for path in [p for p in self.by_path if _under(p, prefix)]:
            del self.by_path[path]

    def _set(self, path: KeyPath, value: Any, label: str) -> None:
        for p, _ in leaves(value, path):
            self.by_path[p] = label

    def of(self, path: KeyPath) -> str:
        for cut in range(len(path), -1, -1):
            label = self.by_path.get(path[:cut])
            if label is not None:
                return label
        return "?"


_ABSENT = object()


def _escape_env(value: str) -> str:
    """value with each ${oc.env:...} escaped so it stays literal text when resolved."""
    out: list[str] = []
    i = 0
    while True:
        j = value.find(_ENV, i)
        if j < 0:
            out.append(value[i:])
            return "".join(out)
        if j > 0 and value[j - 1] == "\\":
            out.append(value[i : j + 2])
            i = j + 2
            continue
        depth, k = 0, j
        while k < len(value):
            if value.startswith("${", k):
                depth += 1
                k += 2
                continue
            if value[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        out.append(value[i:j] + "\\" + value[j : k + 1])
        i = k + 1


def _escaped(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {k: _escaped(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_escaped(v) for v in node]
    if isinstance(node, str) and _ENV in node:
        return _escape_env(node)
    return node


def merge_sources(sources: list[Source], list_merge: ListMerge | str = ListMerge.REPLACE, resolve_env: bool = False) -> Merged:
    """Merge sources in order (later wins) and resolve every leaf, keeping errors per key."""
    mode = ListMerge(list_merge)
    if not sources:
        raise ConfigError("nothing to merge: give at least one file")
    raw, provenance = replay([(s.label, s.data) for s in sources], mode)
    return finish(raw, provenance, [s.label for s in sources], resolve_env)


def replay(layers: list[tuple[str, Any]], mode: ListMerge = ListMerge.REPLACE) -> tuple[dict[str, Any], _Provenance]:
    """The layers (label, data) merged in order, and who last set each path."""
    provenance = _Provenance()
    provenance.extended = mode is not ListMerge.REPLACE
    raw: dict[str, Any] = {}
    for label, data in layers:
        if not isinstance(data, Mapping):
            continue
        layer = data if mode is ListMerge.REPLACE else _extend(raw, data, mode is ListMerge.EXTEND_UNIQUE)
        merged = _merge_plain(raw, layer, (), label)
        provenance.record(raw, layer, label)
        raw = merged
    return raw, provenance


def finish(raw: dict[str, Any], provenance: _Provenance, labels: list[str], resolve_env: bool = False) -> Merged:
    """Leaves of raw with their source, resolved where they interpolate (${oc.env:...} only when asked)."""
    needs_resolution = any(isinstance(v, str) and "${" in v for _, v in leaves(raw))
    target = None
    if needs_resolution:
        try:
            target = OmegaConf.create(raw if resolve_env else _escaped(raw))
        except OmegaConfBaseException as exc:
            raise ConfigError(f"cannot merge: {_first_line(exc)}", origin=labels[-1] if labels else "") from None
    entries: list[Entry] = []
    for path, value in leaves(raw):
        entry = Entry(path, value, provenance.of(path), value)
        if isinstance(value, str):
            if value == MISSING:
                entry.missing = True
            elif "${" in value and target is not None:
                entry.interpolated = True
                _resolve(target, entry)
        entries.append(entry)
    problems = [e for e in entries if e.error or e.missing or e.env_pending]
    return Merged(raw, entries, labels, problems)


def _resolve(cfg: DictConfig, entry: Entry) -> None:
    node: Any = cfg
    try:
        for part in entry.path:
            node = node[part]
        if isinstance(node, (DictConfig, ListConfig)):
            node = OmegaConf.to_container(node, resolve=True)
        entry.value = node
        if isinstance(node, str) and _ENV in node:
            entry.env_pending = True
    except InterpolationToMissingValueError as exc:  # OmegaConf: "MissingMandatoryValue while resolving ..."
        found = re.search(r"Missing mandatory value: (\S+)", str(exc))
        target = found.group(1) if found else "a value it interpolates"
        entry.error = f"{entry.shown_raw()} needs {target}, which is missing (???): give it a value ({target}=VALUE)"
        entry.value = None
    except OmegaConfBaseException as exc:
        entry.error = _error_text(exc)
        entry.value = None
    except RecursionError:
        entry.error = "interpolation cycle"
        entry.value = None


def _error_text(exc: OmegaConfBaseException) -> str:
    text = _first_line(exc)
    if "Recursive interpolation" in text:
        return "interpolation cycle: " + text
    return text


def merge_stack(specs: list[str], overrides: list[str] | None = None, list_merge: ListMerge | str = ListMerge.REPLACE, resolve_env: bool = False, cwd: Path | None = None, compose: bool = True, with_hydra: bool = False) -> Merged:
    """Load files (or REV:path) and overrides, then merge them in order.

    With compose, a file with a `defaults` list (or a group option of a Hydra project) is composed by Hydra;
    one such file takes the overrides in Hydra's syntax (trainer=ddp, +extra=1, ~key, model.lr=0.1)."""
    from mlops_tui.sources.configs.compose import compose_file, is_hydra_project_file

    loaded = [load_source(spec, cwd) for spec in specs]
    hydra_files = [s for s in loaded if compose and is_hydra_project_file(s.label, s.data, cwd)]
    hydra_syntax = [o for o in overrides or [] if o.startswith(("+", "~")) or "@" in o.partition("=")[0]]
    if len(loaded) == 1 and compose and (hydra_files or hydra_syntax or with_hydra):
        return merge_composition(compose_file(loaded[0].label, overrides or [], cwd, with_hydra), resolve_env)
    chosen: list[str] = []
    rest: list[str] = []
    for item in overrides or []:
        key, sep, value = item.partition("=")
        if hydra_files and sep and value and "." not in key and key.lstrip("+~") == key:
            chosen.append(item)  # model=vit_b16 picks model/vit_b16.yaml in each composed file, as in Hydra
        else:
            rest.append(item)
    layers: list[tuple[str, Any]] = []
    for source in loaded:
        if source in hydra_files:
            composed = compose_file(source.label, _groups_of(source, chosen, cwd), cwd, with_hydra)
            layers += [(label, data) for label, data in composed.layers if data]
        else:
            layers.append((source.label, source.data))
    mode = ListMerge(list_merge)
    raw, provenance = replay(layers, mode)
    labels = [label for label, _ in layers]
    for item in rest:  # in order, as Hydra applies them: +key=v adds, ++key=v sets or adds, ~key deletes
        override = parse_stack_override(item)
        if override.kind == "delete":
            raw = _delete(raw, override.path, override.label)
            provenance.forget(override.path)
        else:
            if override.kind == "add" and _at(raw, override.path) is not _ABSENT:
                raise ConfigError(f"bad override {override.label[9:]!r}: there is already a value at {format_path(override.path)} "
                                  f"(set it with {override.label[10:]!r}, or ++ to set or add)")
            raw = _apply(raw, provenance, override.label, override.data, mode)
        labels.append(override.label)
    return finish(raw, provenance, labels, resolve_env)


@dataclass(frozen=True)
class StackOverride:
    """An override of a stack of files in Hydra's syntax: `key=v` and `++key=v` set, `+key=v` adds a key that
    must not exist yet, `~key` deletes."""

    kind: str  # set, add, delete
    label: str  # `override +extra.flag=1`, the value masked for a secret key
    path: KeyPath
    data: Any = None  # the one-key mapping merged in (set, add)


def parse_stack_override(text: str) -> StackOverride:
    if text.startswith("~"):
        key = text[1:].partition("=")[0]
        if not OVERRIDE.match(f"{key}=x"):
            raise ConfigError(f"bad override {mask_value('', text)!r}: expected ~KEY (e.g. ~trainer.precision)")
        return StackOverride("delete", f"override ~{key}", tuple(part for part in key.split(".") if part))
    plus = text[: len(text) - len(text.lstrip("+"))]
    match = OVERRIDE.match(text[len(plus):])
    if len(plus) > 2 or not match:
        shown = MASK if is_secret_key(text.lstrip("+")) else mask_value("", text)
        raise ConfigError(f"bad override {shown!r}: expected KEY=VALUE, +KEY=VALUE, ++KEY=VALUE or ~KEY (e.g. trainer.max_epochs=20)")
    key = match["key"]
    path = tuple(part for part in key.split(".") if part)
    label = f"override {plus}{key}={mask_value(path[-1], match['value'])}"
    return StackOverride("add" if plus == "+" else "set", label, path, _hydra_value(text, label, path))


def _hydra_value(text: str, label: str, path: KeyPath) -> Any:
    """The override's value as Hydra's parser reads it (`[a,b]`, `{k:1}`, `null`, quoted strings), nested at path."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        (override,) = OverridesParser.create().parse_overrides([text])
        if override.is_sweep_override():
            raise ConfigError(f"bad override {label[9:]!r}: a sweep names several values; a stack takes one")
        value = override.value()
    except HydraException as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if is_secret_key(str(path[-1])) or label[9:] != text:
            detail = "not valid"
        raise ConfigError(f"bad override {label[9:]!r}: {detail}") from None
    data: Any = OmegaConf.to_container(OmegaConf.create({"v": value}), resolve=False)["v"] if isinstance(value, (dict, list)) else value
    for key in reversed(path):
        data = {key: data}
    return data


def _at(raw: Any, path: KeyPath) -> Any:
    for part in path:
        if not isinstance(raw, Mapping) or part not in raw:
            return _ABSENT
        raw = raw[part]
    return raw


def _delete(raw: dict[str, Any], path: KeyPath, label: str) -> dict[str, Any]:
    if not path or _at(raw, path) is _ABSENT:
        raise ConfigError(f"bad override {label[9:]!r}: no key {format_path(path)} to delete")
    out = _copy(raw)
    node = out
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return out


def _apply(raw: dict[str, Any], provenance: _Provenance, label: str, data: Any, mode: ListMerge) -> dict[str, Any]:
    layer = data if mode is ListMerge.REPLACE else _extend(raw, data, mode is ListMerge.EXTEND_UNIQUE)
    merged = _merge_plain(raw, layer, (), label)
    provenance.record(raw, layer, label)
    return merged


def _groups_of(source: Source, chosen: list[str], cwd: Path | None) -> list[str]:
    """The group choices (model=vit_b16) that name a group of this file's project."""
    from mlops_tui.sources.configs.compose import groups_of

    names = groups_of(source.label, cwd)
    return [item for item in chosen if item.partition("=")[0] in names]


def merge_composition(composition: Any, resolve_env: bool = False) -> Merged:
    """A Hydra composition as a merged config: Hydra's result, each leaf with the layer that set it."""
    from mlops_tui.sources.configs.compose import hydra_globals

    _, provenance = replay(composition.layers)
    for path in composition.deleted:
        provenance.forget(path)
    labels = [label for label, data in composition.layers if data]
    with hydra_globals(composition):
        merged = finish(composition.raw, provenance, labels, resolve_env)
    merged.composition = composition
    return merged


__all__ = ["Entry", "ListMerge", "Merged", "Source", "finish", "leaves", "load_source", "merge_composition", "merge_sources", "merge_stack", "parse_override", "replay"]
