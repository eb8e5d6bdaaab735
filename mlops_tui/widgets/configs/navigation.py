"""Moving around the Configs pane's views: to a change, to a problem row, to a key path."""

from __future__ import annotations

from textual.widgets import Input

from mlops_tui.sources.configs import format_path
from mlops_tui.sources.configs.diff import Change
from mlops_tui.widgets.configs.difftree import DiffTree
from mlops_tui.widgets.configs.lines import LinesView
from mlops_tui.widgets.configs.rows import positional
from mlops_tui.widgets.pane import focus_now
from mlops_tui.widgets.text import sanitize

FOCUS = {"configs-tree": "#configs-tree", "configs-side": "#configs-side-new", "configs-merged": "#configs-merged",
         "configs-defaults": "#configs-defaults"}
"""The widget each view focuses (and / searches, in the line views)."""


class Navigation:
    """Mixed into ConfigsPane: the walking and finding that n/p and / do in each view."""

    def action_walk(self, step: int) -> None:
        """n/p: the next/previous change (diff views) or problem (merged view)."""
        if self._view() == "configs-merged":
            self._walk_rows(self.query_one("#configs-merged", LinesView), step)
            return
        change = self.model.walk(step)
        if change is None:
            self._title("no changes to walk", error=self.model.comparison is None)
            return
        self._walked_to(change)

    def _walked_to(self, change: Change) -> None:
        self._title(self.model.walk_text(change))
        if self._view() == "configs-tree":
            self.query_one(DiffTree).select_change(change)
        else:
            self._side_to(change)

    def _side_to(self, change: Change) -> None:
        comparison = self.model.comparison
        if change.file != self.side_file and comparison.old.is_dir:
            self._fill_side(change.file)
        old, new = comparison.old.data, comparison.new.data
        if comparison.old.is_dir:
            old, new = old.get(change.file), new.get(change.file)
        targets = [t for t in (positional(new, change.path), positional(old, change.path)) if t is not None]
        left, right = self.query_one("#configs-side-old", LinesView), self.query_one("#configs-side-new", LinesView)
        rows = right.rows
        for index in getattr(rows, "marked", range(len(rows))):
            path = rows.paths[index] if hasattr(rows, "paths") else rows[index].path
            if path is not None and any(path[: len(t)] == t for t in targets):
                left.move_to(index)
                right.move_to(index)
                return

    def _walk_rows(self, view: LinesView, step: int) -> None:
        marked = list(getattr(view.rows, "marked", [])) or [i for i, row in enumerate(view.rows) if row.mark]
        if not marked:
            self._title("no problems in this config")
            return
        after = [i for i in marked if (i > view.cursor if step > 0 else i < view.cursor)]
        index = (after[0] if step > 0 else after[-1]) if after else (marked[0] if step > 0 else marked[-1])
        view.move_to(index)
        self._title(f"problem {marked.index(index) + 1}/{len(marked)}: {sanitize(view.rows[index].text, 200)}")

    def action_search(self) -> None:
        """/: find a key path in the current view (diff changes, side by side or merged rows)."""
        box = self.query_one("#configs-find", Input)
        box.add_class("-open")
        focus_now(box)

    def on_key(self, event) -> None:
        box = self.query_one("#configs-find", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.remove_class("-open")
            self.focus_view()

    # stepping back: Esc, and Up on the first line of a view, return to the file list --------------------
    def back_step(self) -> str | None:
        """What Esc would do now (None: nothing to step back from)."""
        if self.query_one("#configs-find", Input).has_class("-open"):
            return "close the find box"
        if not self.query_one("#configs-files").has_focus:
            return "back to the file list"
        return None

    def action_back(self) -> None:
        step = self.back_step()
        if step == "close the find box":
            self.query_one("#configs-find", Input).remove_class("-open")
            self.focus_view()
        elif step == "back to the file list":
            self.focus_default()
        self.refresh_bindings()

    def on_lines_view_at_top(self, event) -> None:
        if event.view.id != "configs-problems":
            self.focus_default()

    def on_diff_tree_at_top(self, event) -> None:
        self.focus_default()

    def focus_view(self) -> None:
        self.query_one(FOCUS[self._view()]).focus()

    def find(self, text: str) -> bool:
        """Move to the next key path containing text (case-insensitive); the title says what was found."""
        needle = text.strip().lower()
        if not needle:
            return False
        view = self._view()
        if view == "configs-tree":
            change = self.model.find_change(needle)
            if change is not None:
                self._walked_to(change)
                return True
        else:
            lines = self.query_one(FOCUS[view], LinesView)
            rows = lines.rows
            paths = getattr(rows, "paths", None)
            count = len(rows)
            for step in range(1, count + 1):
                index = (lines.cursor + step) % count
                path = paths[index] if paths is not None else rows[index].path
                if path is not None and needle in format_path(path).lower():
                    lines.move_to(index)
                    if view == "configs-side":
                        self.query_one("#configs-side-old", LinesView).move_to(index)
                    self._title(f"found {format_path(path)}")
                    return True
        self._title(f"no key path contains {text!r}", error=True)
        return False
