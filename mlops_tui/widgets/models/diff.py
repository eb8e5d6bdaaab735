"""The Models pane's diff view: which pair to compare comes from the model (its default pair, or the base
marked with `m` against the cursor); a worker posts DiffLoaded; `c` opens the diff's params in Configs."""

from __future__ import annotations

from textual import work
from textual.widgets import DataTable, Static

from mlops_tui.messages import OpenConfigRevision
from mlops_tui.sources.models import Diff, ModelRepository, ModelsError
from mlops_tui.sources.models.controller import Revision
from mlops_tui.widgets.models import rows
from mlops_tui.widgets.text import literal


class DiffView:
    """Mixin of ModelsPane (which holds `model` and the DiffLoaded message)."""

    @work(exclusive=True, group="models-diff", exit_on_error=False, thread=True, name="models.diff")
    def load_diff(self, source: ModelRepository, name: str, a: str, b: str) -> None:
        self.post_message(self.DiffLoaded(name, a, b, source.diff(a, b)))

    def _cursor_spec(self) -> Revision | None:
        versions = self.query_one("#models-versions", DataTable)
        history = self.query_one("#models-history", DataTable)
        return self.model.spec_at(versions.cursor_row if versions.row_count else None,
                                  history.cursor_row if history.row_count else None)

    def _start_diff(self) -> None:
        model = self.model
        if model.source is None or model.details is None:
            return
        title = self.query_one("#models-diff-title", Static)
        pair = model.diff_pair(self._cursor_spec())
        if pair is None:
            title.update(literal("nothing to compare: this artifact has one version (mark one with m)"))
            self.query_one("#models-diff-table", DataTable).clear()
            return
        a, b = pair
        title.update(literal(f"{a.label} -> {b.label}: loading"))
        self.load_diff(model.source, model.details.name, a.spec, b.spec)

    def _show_diff(self, diff: Diff | None, error: str = "") -> None:
        title = self.query_one("#models-diff-title", Static)
        table = self.query_one("#models-diff-table", DataTable)
        table.clear()
        title.set_class(diff is None, "-error")
        if diff is None:
            title.update(literal(error))
            return
        self.model.last_diff = diff
        head = f"{diff.a.label} ({diff.a.commit[:7]}) -> {diff.b.label} ({diff.b.commit[:7]})"
        if diff.empty:
            head += ": no difference in params, metrics or outputs"
        if diff.errors:
            head += "\n" + "\n".join(diff.errors[:2])
        title.update(literal(head))
        for row in rows.diff_rows(diff):
            table.add_row(*row)

    def _diff_failed(self, error: ModelsError) -> None:
        if self.model.diff_failed_current():
            self._show_diff(None, error.message + (f" ({error.hint})" if error.hint else ""))

    def action_mark(self) -> None:
        spec = self._cursor_spec()
        if spec is None:
            self.notify("Select a commit or version to compare from.", severity="warning", timeout=3)
            return
        self.model.base = spec
        self.notify(f"Diff base: {spec.label} (select another and press d)", timeout=3)

    def action_open_config(self) -> None:
        """Show the params file of the current diff, between its two commits, in the Configs pane."""
        request = self.model.config_request()
        if request is None:
            self.notify("Open a diff first (d), then press c.", severity="warning", timeout=3)
            return
        self.post_message(OpenConfigRevision(*request))
