"""The Configs pane's merged view: the model's merged stack as rows with provenance, its problems below, the
defaults list Hydra resolved (t), and the keys that change how it shows (r raw/resolved, e resolve env,
u uncomposed, x reveal a secret)."""

from __future__ import annotations

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from mlops_tui.sources.configs.stack import StackCheck
from mlops_tui.widgets.configs.difftree import DiffTree
from mlops_tui.widgets.configs.lines import LinesView
from mlops_tui.widgets.configs.rows import defaults_view_rows, merged_rows
from mlops_tui.widgets.text import literal, sanitize


class MergedView:
    """Mixed into ConfigsPane (which holds `model`, `side_rows`, `open_merge`, `_highlighted_file`, `_title` and
    `_status`)."""

    problem_paths: list
    """The key path of each line in the problems list (enter moves the merged view to it)."""

    def _show_check(self, check: StackCheck) -> None:
        status = self.model.show_check(check)
        self._fill_merged()
        self.action_show_view("configs-merged")
        self._title(self.model.check_title(), error=bool(check.error))
        self._status(status)

    def _fill_merged(self) -> None:
        check = self.model.check
        if check is None:
            return
        view = self.query_one("#configs-merged", LinesView)
        view.set_rows(merged_rows(check.merged, self.model.resolved, check.violations, self.model.reveal()), "(empty config)")
        view.border_title = sanitize(" + ".join(map(self.model.display, check.specs)))
        defaults = self.query_one("#configs-defaults", LinesView)
        defaults.set_rows(defaults_view_rows(check.merged), "no defaults list: the file is not composed by Hydra")
        defaults.border_title = sanitize(f"defaults of {' + '.join(map(self.model.display, check.specs))}, in merge order")
        problems = self.query_one("#configs-problems", OptionList)
        problems.clear_options()
        items = self.model.problems()
        self.problem_paths = [path for path, _ in items]
        problems.add_options([Option(literal(text, limit=300)) for _, text in items])
        problems.border_title = f"{len(items)} problem{'s' if len(items) != 1 else ''}"
        problems.set_class(not items, "-empty")

    def _go_to_problem(self, index: int) -> None:
        view = self.query_one("#configs-merged", LinesView)
        row = view.rows.index_of(self.problem_paths[index]) if hasattr(view.rows, "index_of") else None
        if row is not None:
            self.action_show_view("configs-merged")
            view.move_to(row)
            view.focus()

    def action_toggle_resolved(self) -> None:
        self.model.resolved = not self.model.resolved
        if self.model.check is not None:
            self._show_check(self.model.check)

    def action_uncomposed(self) -> None:
        """u: the file as written (its defaults list kept as data), e.g. when Hydra cannot compose it."""
        specs = self.model.uncomposed_specs(self._highlighted_file())
        if specs:
            self.open_merge(specs, compose=False)

    def action_toggle_env(self) -> None:
        again = self.model.toggle_env()
        if again is not None:
            self.open_merge(*again)
        else:
            self._title(self.model.env_text())

    def action_reveal(self) -> None:
        """x: show or mask the secret under the cursor (this pane only; never logged)."""
        view = self._view()
        if view == "configs-tree":
            path = self.query_one(DiffTree).toggle_reveal()
        elif view == "configs-merged":
            lines = self.query_one("#configs-merged", LinesView)
            path = lines.rows[lines.cursor].path if lines.rows else None
            if path is not None:
                self.model.merged_reveal ^= {path}
                self._fill_merged()
        else:
            right = self.query_one("#configs-side-new", LinesView)
            path = right.rows[right.cursor].path if right.rows else None
            if path is not None and self.side_rows is not None:
                self.side_rows.toggle_reveal(path)
                self.query_one("#configs-side-old", LinesView).refresh()
                right.refresh()
        if path is None:
            self._title("no value under the cursor to reveal")
