"""The Configs pane's diff views of the model's comparison: the tree of changes and the two sides aligned by
key path (built per file when folders are compared), kept in step as the cursor moves."""

from __future__ import annotations

from mlops_tui.sources.configs.compare import Comparison
from mlops_tui.widgets.configs.difftree import DiffTree
from mlops_tui.widgets.configs.lines import LinesView
from mlops_tui.widgets.configs.rows import RevealAll, SideBySide, side_by_side
from mlops_tui.widgets.text import sanitize


def side_rows(comparison: Comparison, reveal_all: bool) -> SideBySide | None:
    """The side-by-side rows of two files (built in the diff's worker); None for folders (built per file)."""
    if comparison.old.is_dir:
        return None
    return side_by_side(comparison.old.data, comparison.new.data, comparison.result, reveal=RevealAll() if reveal_all else None)


class DiffViews:
    """Mixed into ConfigsPane (which holds `model`, `side_file`, `side_rows`, `side_reveal`, `_title`, `_status`)."""

    def _show_diff(self, comparison: Comparison, side: SideBySide | None) -> None:
        status = self.model.show_diff(comparison)
        old, new = self.model.shown_pair
        tree = self.query_one(DiffTree)
        tree.reveal = set()
        tree.reveal_all = self.model.reveal_all
        tree.show_result(f"{old} → {new}", comparison.result, comparison.old.data, comparison.new.data, comparison.old.is_dir)
        self.side_file = None
        self.side_reveal = RevealAll() if self.model.reveal_all else set()
        self._fill_side(None, side)
        self._title(self.model.diff_title())
        if self._view() == "configs-merged":
            self.action_show_view("configs-tree")
        self._status(status)

    def _fill_side(self, file: str | None, side: SideBySide | None = None) -> None:
        """Show `side` (two files), or build the rows of `file` of the folders compared."""
        comparison = self.model.comparison
        if comparison is None:
            return
        if side is not None:
            self._show_side(side, None)
            return
        old, new = comparison.old.data, comparison.new.data
        if comparison.old.is_dir:
            old, new = old.get(file) if file else None, new.get(file) if file else None
        self.side_file = file
        if old is None and new is None:
            self.query_one("#configs-side-old", LinesView).set_rows([], "directories: press n to walk to a change; its file shows here")
            self.query_one("#configs-side-new", LinesView).set_rows([], "")
            return
        self._show_side(side_by_side(old, new, comparison.result, file, self.side_reveal), file)

    def _show_side(self, rows: SideBySide, file: str | None) -> None:
        left, right = self.query_one("#configs-side-old", LinesView), self.query_one("#configs-side-new", LinesView)
        self.side_file = file
        self.side_rows = rows
        left.set_rows(rows.left, "(empty)")
        right.set_rows(rows.right, "(empty)")
        old, new = self.model.shown_pair
        left.border_title = sanitize("old: " + old + (f" · {file}" if file else ""))
        right.border_title = sanitize("new: " + new + (f" · {file}" if file else ""))

    def on_lines_view_cursor_moved(self, event: LinesView.CursorMoved) -> None:
        """The two sides move together."""
        ids = {"configs-side-old": "#configs-side-new", "configs-side-new": "#configs-side-old"}
        other_id = ids.get(event.view.id or "")
        if other_id:
            other = self.query_one(other_id, LinesView)
            if other.cursor != event.index:
                other.cursor = event.index
                other.scroll_to(y=event.view.scroll_offset.y, animate=False, immediate=True)

    def action_list_mode(self) -> None:
        pair = self.model.cycle_list_mode()
        if pair:
            self.open_diff(*pair)
        else:
            self._title(f"lists compared by {self.model.list_mode.value}")
