"""Structural diff of two configs by key path: added, removed, changed, type changed.

Mappings compare by key (order is not a change). Lists compare by position, as multisets
(`set`), or matched by an identity field such as `name` (`key`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from mlops_tui.sources.configs.keypath import KeyPath, ListKey, format_path, mask_deep

_MISSING = object()


class Kind(str, Enum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    TYPE_CHANGED = "type_changed"


class ListMode(str, Enum):
    POSITION = "position"
    SET = "set"
    KEY = "key"


@dataclass(frozen=True)
class Change:
    """One difference at a key path; `file` is set when two directories are compared."""

    kind: Kind
    path: KeyPath
    old: Any = None
    new: Any = None
    file: str | None = None

    @property
    def where(self) -> str:
        text = format_path(self.path)
        return f"{self.file}: {text}" if self.file else text

    def shown(self, reveal: bool = False) -> tuple[Any, Any]:
        """(old, new) as a user may see them: secrets masked unless revealed."""
        if reveal:
            return self.old, self.new
        return mask_deep(self.path, self.old), mask_deep(self.path, self.new)

    def to_json(self, reveal: bool = False) -> dict[str, Any]:
        old, new = self.shown(reveal)
        out: dict[str, Any] = {"kind": self.kind.value, "path": format_path(self.path)}
        if self.file is not None:
            out["file"] = self.file
        if self.kind is not Kind.ADDED:
            out["old"] = old
        if self.kind is not Kind.REMOVED:
            out["new"] = new
        return out


@dataclass
class DiffOptions:
    list_mode: ListMode = ListMode.POSITION
    list_key: str | None = None

    def __post_init__(self) -> None:
        self.list_mode = ListMode(self.list_mode)
        if self.list_mode is ListMode.KEY and not self.list_key:
            raise ValueError("list mode 'key' needs a list key (e.g. name)")


@dataclass
class DiffResult:
    """All changes, in document order, with counts per kind."""

    changes: list[Change] = field(default_factory=list)

    @property
    def differ(self) -> bool:
        return bool(self.changes)

    def counts(self) -> dict[str, int]:
        out = {k.value: 0 for k in Kind}
        for change in self.changes:
            out[change.kind.value] += 1
        return out

    def summary(self) -> str:
        if not self.changes:
            return "no differences"
        c = self.counts()
        parts = [f"{c[k.value]} {k.value.replace('_', ' ')}" for k in Kind if c[k.value]]
        return f"{len(self.changes)} change{'s' if len(self.changes) != 1 else ''}: " + ", ".join(parts)


def kind_of(value: Any) -> str:
    """The type name a diff shows for a type change: mapping, list, null, or the Python type (int, str, ...)."""
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if value is None:
        return "null"
    return type(value).__name__


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


class _Differ:
    def __init__(self, options: DiffOptions, file: str | None) -> None:
        self.options = options
        self.file = file
        self.out: list[Change] = []

    def walk(self, path: KeyPath, old: Any, new: Any) -> None:
        if old is new:
            return
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            self.mapping(path, old, new)
        elif isinstance(old, list) and isinstance(new, list):
            self.sequence(path, old, new)
        elif type(old) is not type(new):
            self.out.append(Change(Kind.TYPE_CHANGED, path, old, new, self.file))
        elif old != new:
            self.out.append(Change(Kind.CHANGED, path, old, new, self.file))

    def mapping(self, path: KeyPath, old: Mapping, new: Mapping) -> None:
        for key, value in old.items():
            if key in new:
                self.walk((*path, key), value, new[key])
            else:
                self.out.append(Change(Kind.REMOVED, (*path, key), value, None, self.file))
        for key, value in new.items():
            if key not in old:
                self.out.append(Change(Kind.ADDED, (*path, key), None, value, self.file))

    def sequence(self, path: KeyPath, old: list, new: list) -> None:
        mode = self.options.list_mode
        if mode is ListMode.KEY and self.options.list_key and self._keyed(old) and self._keyed(new):
            self.by_key(path, old, new)
        elif mode is ListMode.SET:
            self.as_set(path, old, new)
        else:
            self.by_position(path, old, new)

    def by_position(self, path: KeyPath, old: list, new: list) -> None:
        common = min(len(old), len(new))
        for i in range(common):
            self.walk((*path, i), old[i], new[i])
        for i in range(common, len(old)):
            self.out.append(Change(Kind.REMOVED, (*path, i), old[i], None, self.file))
        for i in range(common, len(new)):
            self.out.append(Change(Kind.ADDED, (*path, i), None, new[i], self.file))

    def as_set(self, path: KeyPath, old: list, new: list) -> None:
        pool: dict[str, list[int]] = {}
        for i, item in enumerate(new):
            pool.setdefault(_canon(item), []).append(i)
        matched: set[int] = set()
        for i, item in enumerate(old):
            slots = pool.get(_canon(item))
            if slots:
                matched.add(slots.pop(0))
            else:
                self.out.append(Change(Kind.REMOVED, (*path, i), item, None, self.file))
        for i, item in enumerate(new):
            if i not in matched:
                self.out.append(Change(Kind.ADDED, (*path, i), None, item, self.file))

    def _keyed(self, items: list) -> bool:
        key = self.options.list_key
        seen: set[str] = set()
        for item in items:
            if not isinstance(item, Mapping) or key not in item:
                return False
            ident = _canon(item[key])
            if ident in seen:
                return False
            seen.add(ident)
        return True

    def by_key(self, path: KeyPath, old: list, new: list) -> None:
        key = self.options.list_key
        old_by = {_canon(item[key]): item for item in old}
        new_by = {_canon(item[key]): item for item in new}

        def part(item: Mapping) -> ListKey:
            ident = item[key]
            return ListKey(f"{key}={ident}")

        for ident, item in old_by.items():
            if ident in new_by:
                self.walk((*path, part(item)), item, new_by[ident])
            else:
                self.out.append(Change(Kind.REMOVED, (*path, part(item)), item, None, self.file))
        for ident, item in new_by.items():
            if ident not in old_by:
                self.out.append(Change(Kind.ADDED, (*path, part(item)), None, item, self.file))


def diff(old: Any, new: Any, options: DiffOptions | None = None, file: str | None = None) -> DiffResult:
    """Changes that turn old into new, in document order."""
    differ = _Differ(options or DiffOptions(), file)
    differ.walk((), old, new)
    return DiffResult(differ.out)


def diff_documents(old: dict[str, Any], new: dict[str, Any], options: DiffOptions | None = None) -> DiffResult:
    """Diff two sets of documents keyed by relative file name (two directories of configs).

    A file only on one side is one change (added/removed) at the empty path."""
    result = DiffResult()
    for name in sorted(set(old) | set(new)):
        if name not in new:
            result.changes.append(Change(Kind.REMOVED, (), old[name], None, name))
        elif name not in old:
            result.changes.append(Change(Kind.ADDED, (), None, new[name], name))
        else:
            result.changes.extend(diff(old[name], new[name], options, file=name).changes)
    return result
