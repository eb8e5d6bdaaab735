"""The diff as a tree of key paths: only changed branches are built, unchanged subtrees fold away.

Nodes are populated when first expanded, so a diff of two 50,000-key configs shows at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from mlops_tui.sources.configs.diff import Change, DiffResult
from mlops_tui.sources.configs.keypath import KeyPath, format_path, mask_at
from mlops_tui.widgets.configs.rows import change_label, show
from mlops_tui.widgets.text import sanitize

AUTO_EXPAND_LINES = 400


@dataclass
class Group:
    """A branch holding changes under `path` (with the file first when directories are compared)."""

    path: KeyPath
    changes: list[Change]
    old: Any = None
    new: Any = None
    populated: bool = False


@dataclass
class Unchanged:
    """Folded unchanged keys of a mapping or list; expanding shows them."""

    path: KeyPath
    items: list[tuple[Any, Any]] = field(default_factory=list)
    populated: bool = False


@dataclass
class Leaf:
    change: Change


def _full(change: Change) -> KeyPath:
    return ((change.file,) if change.file is not None else ()) + tuple(change.path)


def _child(value: Any, part: Any) -> Any:
    try:
        if isinstance(value, list) and isinstance(part, str) and "=" in part:
            key, _, ident = part.partition("=")
            return next((item for item in value if isinstance(item, Mapping) and str(item.get(key)) == ident), None)
        return value[part]
    except (KeyError, IndexError, TypeError):
        return None


class DiffTree(Tree):
    """Changes by key path: + added, - removed, ~ changed (old → new)."""

    COMPONENT_CLASSES = Tree.COMPONENT_CLASSES | {"diff--added", "diff--removed", "diff--changed", "diff--muted", "diff--key", "diff--same"}

    DEFAULT_CSS = """
    DiffTree { height: 1fr; background: $surface; }
    DiffTree > .diff--added { color: $success; }
    DiffTree > .diff--removed { color: $error; }
    DiffTree > .diff--changed { color: $warning; }
    DiffTree > .diff--muted { color: $text-muted; }
    DiffTree > .diff--key { color: $foreground; }
    DiffTree > .diff--same { color: $foreground; }
    """

    class AtTop(Message):
        """Up on the first line: the pane gives the focus back to the file list."""

    def action_cursor_up(self) -> None:
        if self.cursor_line <= 0:
            self.post_message(self.AtTop())
            return
        super().action_cursor_up()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("no diff", id=id)
        self.show_root = True
        self.guide_depth = 2
        self.result: DiffResult | None = None
        self.reveal: set[KeyPath] = set()
        self.reveal_all = False  # configs.reveal_secrets
        self.nodes: dict[KeyPath, TreeNode] = {}
        self.leaves: dict[int, TreeNode] = {}

    # building -------------------------------------------------------------------------------
    def show_result(self, title: str, result: DiffResult, old: Any, new: Any, directories: bool) -> None:
        self.clear()
        self.result = result
        self.nodes = {}
        self.leaves = {}
        self.root.set_label(Text(sanitize(title)))
        if not result.changes:
            self.root.add_leaf(Text("no differences", style="italic"))
            self.root.expand()
            return
        self.root.data = Group((), list(result.changes), old, new)
        self.nodes[()] = self.root
        self._populate(self.root)
        self.root.expand()
        budget = AUTO_EXPAND_LINES
        queue = list(self.root.children)
        while queue and budget > 0:
            node = queue.pop(0)
            if isinstance(node.data, Group):
                self._populate(node)
                budget -= len(node.children)
                if budget >= 0:
                    node.expand()
                    queue.extend(node.children)

    def _populate(self, node: TreeNode) -> None:
        data = node.data
        if isinstance(data, Group) and not data.populated:
            data.populated = True
            self._populate_group(node, data)
        elif isinstance(data, Unchanged) and not data.populated:
            data.populated = True
            for key, value in data.items:
                self._add_value(node, (*data.path, key), key, value)

    def _populate_group(self, node: TreeNode, group: Group) -> None:
        depth = len(group.path)
        buckets: dict[Any, list[Change]] = {}
        for change in group.changes:
            buckets.setdefault(_full(change)[depth], []).append(change)
        directories = bool(group.changes and group.changes[0].file is not None)
        for part, changes in buckets.items():
            path = (*group.path, part)
            here = [c for c in changes if len(_full(c)) == depth + 1]
            for change in here:  # in set mode a removed and an added item may share a position
                self.leaves[id(change)] = node.add_leaf(self._leaf_label(change), data=Leaf(change))
            changes = [c for c in changes if len(_full(c)) > depth + 1]
            if not changes:
                continue
            at_file = directories and depth == 0
            old = None if at_file else _child(group.old, part)
            new = None if at_file else _child(group.new, part)
            if at_file:
                old, new = _child(group.old, part), _child(group.new, part)
            child = node.add(self._group_label(part, len(changes), at_file), data=Group(path, changes, old, new))
            self.nodes[path] = child
        same = self._unchanged_items(group, set(buckets))
        if same:
            node.add(Text(f"… {len(same):,} unchanged", style=self._style("muted")), data=Unchanged(group.path, same))

    def _unchanged_items(self, group: Group, changed: set[Any]) -> list[tuple[Any, Any]]:
        old, new = group.old, group.new
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            return [(k, v) for k, v in new.items() if k not in changed and k in old]
        if isinstance(old, list) and isinstance(new, list):
            names = {str(p) for p in changed}
            return [(i, v) for i, v in enumerate(new) if i not in changed and str(i) not in names and i < len(old) and old[i] == v]
        return []

    def _add_value(self, node: TreeNode, path: KeyPath, key: Any, value: Any) -> None:
        name = format_path((key,))
        if isinstance(value, Mapping) and value:
            node.add(Text(f"{name}  {{{len(value)}}}", style=self._style("muted")), data=Unchanged(path, list(value.items())))
        elif isinstance(value, list) and value:
            node.add(Text(f"{name}  [{len(value)}]", style=self._style("muted")), data=Unchanged(path, list(enumerate(value))))
        else:
            shown = value if self.reveal_all or path in self.reveal else mask_at(path, value)
            node.add_leaf(Text.assemble((sanitize(name), self._style("key")), (": " + sanitize(show(shown)), self._style("same"))), data=("value", path, value))

    def _group_label(self, part: Any, count: int, is_file: bool = False) -> Text:
        name = str(part) if is_file else format_path((part,))
        return Text.assemble((sanitize(name), self._style("key") + Style(bold=True)), (f"  {count} change{'s' if count != 1 else ''}", self._style("muted")))

    def _style(self, name: str) -> Style:
        try:
            return self.get_component_rich_style(f"diff--{name}", partial=True)
        except Exception:  # noqa: BLE001 - not mounted yet: no theme to read
            return Style()

    def _leaf_label(self, change: Change) -> Text:
        parts = change_label(change, self.reveal_all or _full(change) in self.reveal)
        return Text.assemble(*[(sanitize(text), self._style(cls.removesuffix("-key"))) for text, cls in parts])

    # events -----------------------------------------------------------------------------------
    def _on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        self._populate(event.node)

    # navigation -------------------------------------------------------------------------------
    def select_change(self, change: Change) -> TreeNode | None:
        """Expand the branches down to change and put the cursor on it."""
        full = _full(change)
        node = self.root
        for cut in range(1, len(full)):
            self._populate(node)
            node.expand()
            found = self.nodes.get(full[:cut])
            if found is None:
                return None
            node = found
        self._populate(node)
        node.expand()
        node = self.leaves.get(id(change))
        if node is None:
            return None
        self.move_cursor(node)
        self.scroll_to_node(node, animate=False)
        return node

    def current_change(self) -> Change | None:
        node = self.cursor_node
        return node.data.change if node is not None and isinstance(node.data, Leaf) else None

    def toggle_reveal(self) -> KeyPath | None:
        """Show or mask the secret under the cursor; returns its path when there is one."""
        node = self.cursor_node
        if node is None:
            return None
        if isinstance(node.data, Leaf):
            change = node.data.change
            full = _full(change)
            self.reveal ^= {full}
            node.set_label(self._leaf_label(change))
            return full
        if isinstance(node.data, tuple) and node.data[0] == "value":
            _, path, value = node.data
            self.reveal ^= {path}
            shown = value if path in self.reveal else mask_at(path, value)
            node.set_label(Text.assemble((sanitize(format_path(path[-1:])), self._style("key")), (": " + sanitize(show(shown)), self._style("same"))))
            return path
        return None
