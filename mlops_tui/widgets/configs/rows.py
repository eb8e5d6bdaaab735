"""Display rows for the Configs pane's line views: side-by-side diff and merged config with provenance.

Plain functions from source results to rows; the widgets only draw them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlops_tui.sources.configs.diff import Change, DiffResult, Kind, kind_of
from mlops_tui.sources.configs.keypath import KeyPath, ListKey, format_path, mask_at
from mlops_tui.sources.configs.merge import Merged, leaves
from mlops_tui.sources.configs.validate import Violation

VALUE_LIMIT = 200


def show(value: Any) -> str:
    """A value as one short line of JSON-ish text."""
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= VALUE_LIMIT else text[:VALUE_LIMIT] + "…"


@dataclass
class Row:
    """One line: (text, class) segments, the key path it shows, and whether it is a change/problem to walk to."""

    parts: list[tuple[str, str]]
    path: KeyPath | None = None
    mark: bool = False
    secret: bool = False

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)


class RevealAll(set):
    """The reveal set when configs.reveal_secrets is on: every path is revealed."""

    def __contains__(self, item: object) -> bool:
        return True


class LazyRows(Sequence):
    """Rows built when first drawn: a view over 50,000 keys costs only what is on screen."""

    def __init__(self, paths: list[KeyPath | None], build: Callable[[int], Row], marked: list[int] | None = None) -> None:
        self.paths = paths
        self.build = build
        self.marked = marked if marked is not None else []
        self._cache: dict[int, Row] = {}
        self._index: dict[KeyPath, int] | None = None

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self.paths)
        row = self._cache.get(index)
        if row is None:
            if len(self._cache) > 20_000:
                self._cache.clear()
            row = self._cache[index] = self.build(index)
        return row

    @property
    def built(self) -> int:
        """How many rows are built now (the rest are built when drawn)."""
        return len(self._cache)

    def forget(self) -> None:
        """Drop the built rows: each is built again when next drawn (after what they show changed)."""
        self._cache.clear()

    def index_of(self, path: KeyPath) -> int | None:
        if self._index is None:
            self._index = {p: i for i, p in enumerate(self.paths) if p is not None}
        return self._index.get(path)


def _masked(path: KeyPath, value: Any, reveal: bool) -> tuple[Any, bool]:
    shown = value if reveal else mask_at(path, value)
    return shown, shown != value or (reveal and mask_at(path, value) != value)


def positional(doc: Any, path: KeyPath) -> KeyPath | None:
    """path with `[name=x]` parts replaced by the position of that item in doc."""
    out: list[Any] = []
    node = doc
    for part in path:
        if isinstance(part, ListKey) and isinstance(node, list):
            key, _, ident = part.partition("=")
            index = next((i for i, item in enumerate(node) if isinstance(item, Mapping) and str(item.get(key)) == ident), None)
            if index is None:
                return None
            out.append(index)
            node = node[index]
            continue
        out.append(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return tuple(out)


def _under(path: KeyPath, prefixes: set[KeyPath], lengths: list[int]) -> bool:
    return any(path[:n] in prefixes for n in lengths if n <= len(path))


@dataclass
class SideBySide:
    """Aligned rows of both documents; changed rows marked on each side."""

    left: LazyRows
    right: LazyRows
    reveal: set

    def toggle_reveal(self, path: KeyPath) -> None:
        """Show or mask the value at path on both sides (rows are rebuilt when next drawn)."""
        self.reveal ^= {path}
        self.left.forget()
        self.right.forget()


def side_by_side(old: Any, new: Any, result: DiffResult, file: str | None = None, reveal: set[KeyPath] | None = None) -> SideBySide:
    """Rows of old and new aligned by key path; rows under a change are marked on the side that has them."""
    reveal = reveal if reveal is not None else set()
    changes = [c for c in result.changes if c.file == file]
    old_changed = {p for c in changes if c.kind is not Kind.ADDED and (p := positional(old, c.path)) is not None}
    new_changed = {p for c in changes if c.kind is not Kind.REMOVED and (p := positional(new, c.path)) is not None}
    old_kind = {positional(old, c.path): c.kind for c in changes}
    new_kind = {positional(new, c.path): c.kind for c in changes}
    old_lengths = sorted({len(p) for p in old_changed})
    new_lengths = sorted({len(p) for p in new_changed})
    old_leaves = leaves(old)
    new_leaves = leaves(new)
    old_map = dict(old_leaves)
    new_map = dict(new_leaves)
    # order: old's leaves, with new-only leaves inserted after the new leaf before them
    inserted: dict[KeyPath | None, list[KeyPath]] = {}
    previous: KeyPath | None = None
    for path, _ in new_leaves:
        if path not in old_map:
            inserted.setdefault(previous, []).append(path)
        else:
            previous = path
    order: list[KeyPath] = list(inserted.get(None, []))
    for path, _ in old_leaves:
        order.append(path)
        order.extend(inserted.get(path, []))
    def left(i: int) -> Row:
        return _side_row(order[i], old_map, old_changed, old_lengths, old_kind, reveal, removed=True)

    def right(i: int) -> Row:
        return _side_row(order[i], new_map, new_changed, new_lengths, new_kind, reveal, removed=False)

    marked = [i for i, p in enumerate(order) if (old_changed and _under(p, old_changed, old_lengths)) or (new_changed and _under(p, new_changed, new_lengths))]
    return SideBySide(LazyRows(order, left, marked), LazyRows(order, right, marked), reveal)


def _kind_under(path: KeyPath, kinds: dict, lengths: list[int]) -> Kind | None:
    for n in lengths:
        kind = kinds.get(path[:n])
        if kind is not None:
            return kind
    return None


def _side_row(path, values, changed, lengths, kinds, reveal, removed: bool) -> Row:
    if path not in values:
        return Row([("", "blank")], path, mark=_under(path, changed, lengths) if changed else False)
    value, secret = _masked(path, values[path], path in reveal)
    is_changed = bool(changed) and _under(path, changed, lengths)
    kind = _kind_under(path, kinds, lengths) if is_changed else None
    cls = "same"
    if kind is Kind.ADDED or kind is Kind.REMOVED:
        cls = "removed" if removed else "added"
    elif kind is not None:
        cls = "changed"
    return Row([(format_path(path), f"{cls}-key"), (": ", cls), (show(value), cls)], path, mark=is_changed, secret=secret)


def merged_rows(merged: Merged, resolved: bool, violations: list[Violation] | None = None, reveal: set[KeyPath] | None = None) -> LazyRows:
    """One row per leaf: key = value, the raw form of interpolations, the source, and inline errors."""
    reveal = reveal or set()
    errors: dict[KeyPath, list[str]] = {}
    for violation in violations or []:
        errors.setdefault(violation.path, []).append(violation.message)
    leaf_paths = {e.path for e in merged.entries}
    entries = merged.entries

    def build(i: int) -> Row:
        if i >= len(entries):
            path = extra[i - len(entries)]
            return Row([(format_path(path), "key"), (" : ", "same"), ("  ✗ " + "; ".join(errors[path]), "error")], path, mark=True)
        return _merged_row(entries[i], resolved, errors.get(entries[i].path, []), entries[i].path in reveal)

    extra = [p for p in errors if p not in leaf_paths]  # errors at paths that are not leaves (missing keys, sections)
    marked = [i for i, e in enumerate(entries) if e.path in errors or e.missing or (resolved and e.error)]
    marked += range(len(entries), len(entries) + len(extra))
    return LazyRows([e.path for e in entries] + extra, build, marked)


def _merged_row(entry, resolved: bool, own: list[str], open_: bool) -> Row:
    raw_shown, secret = _masked(entry.path, entry.raw, open_)
    parts: list[tuple[str, str]] = [(entry.key, "key"), (" = ", "same")]
    if entry.missing:
        parts.append(("??? (missing value)", "missing"))
    elif entry.interpolated and resolved:
        if entry.error:
            parts.append((f"✗ {entry.error}", "error"))
        elif entry.env_pending:
            parts.append((show(raw_shown), "pending"))
            parts.append(("  (env not resolved: press e)", "muted"))
        else:
            value = entry.value if open_ else entry.shown_value()
            parts.append((show(value), "resolved"))
            parts.append((f"  ← {show(raw_shown)}", "muted"))
    else:
        parts.append((show(raw_shown), "interp" if entry.interpolated else "same"))
    parts.append((f"  # {entry.source}", "source"))
    for message in own:
        parts.append((f"  ✗ {message}", "error"))
    problem = bool(own or entry.missing or (resolved and entry.error))
    return Row(parts, entry.path, mark=problem, secret=secret or mask_at(entry.path, entry.raw) != entry.raw)


def defaults_view_rows(merged: Merged, with_hydra: bool = False) -> list[Row]:
    """The defaults list Hydra resolved, one row per entry in merge order (Hydra's --info defaults)."""
    from mlops_tui.sources.configs.compose import defaults_rows

    if merged.composition is None:
        return []
    rows = []
    for row in defaults_rows(merged.composition, with_hydra):
        name, _, source = row.line().rpartition(": ")
        rows.append(Row([(name, "key"), (": ", "muted"), (source, "source")]))
    return rows


def change_label(change: Change, reveal: bool) -> list[tuple[str, str]]:
    """Label parts of a change in the diff tree: mark, key, old -> new."""
    old, new = change.shown(reveal)
    key = format_path(change.path[-1:]) if change.path else (change.file or "<root>")
    if change.kind is Kind.ADDED:
        return [("+ ", "added"), (key, "added-key"), (": ", "added"), (show(new), "added")]
    if change.kind is Kind.REMOVED:
        return [("- ", "removed"), (key, "removed-key"), (": ", "removed"), (show(old), "removed")]
    note = f"  ({kind_of(change.old)} → {kind_of(change.new)})" if change.kind is Kind.TYPE_CHANGED else ""
    return [("~ ", "changed"), (key, "changed-key"), (": ", "changed"), (show(old), "removed"), (" → ", "changed"), (show(new), "added"), (note, "muted")]
