"""The Models pane's `/` filter of the artifacts table (as k9s filters a table) and Esc, which steps back one
step: out of the filter box, then the filter cleared, then back from the Versions or Diff view to History,
then from the side tables to the artifacts."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from mlops_tui.widgets.models import rows
from mlops_tui.widgets.pane import focus_now


class Steps:
    """Mixin of ModelsPane (which holds `model`, `now`, and the views)."""

    filter_text: str = ""

    def _artifact_rows(self):
        """(name, cells) of the artifacts the filter lets through (every one without a filter)."""
        snap = self.model.snapshot
        if snap is None:
            return []
        now = self.now()
        needle = self.filter_text.strip().lower()
        out = []
        for art in snap.artifacts:
            entry = snap.registry.entries.get(art.name)
            cells = rows.artifact_row(art, entry, now, self.model.frequencies.get(art.name))
            if needle and not any(needle in cell.plain.lower() for cell in cells):
                continue
            out.append((art.name, cells))
        return out

    def _fill_artifacts(self) -> None:
        table = self.query_one("#models-artifacts", DataTable)
        table.clear()
        shown = self._artifact_rows()
        for name, cells in shown:
            table.add_row(*cells, key=name)
        names = [name for name, _ in shown]
        table.border_title = f"/{self.filter_text}  {len(names)} of {len(self.model.names)}" if self.filter_text else None
        if self.model.selected in names:
            table.move_cursor(row=names.index(self.model.selected))

    def action_search(self) -> None:
        """/: filter the artifacts by what their row shows (name, version, stage)."""
        box = self.query_one("#models-filter", Input)
        box.add_class("-open")
        focus_now(box)

    # (named handlers: `@on` is not collected from a mixin that is not a Widget)
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "models-filter":
            return
        self.filter_text = event.value
        self._fill_artifacts()
        self.refresh_bindings()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "models-filter":
            self._close_filter()

    def _close_filter(self) -> None:
        self.query_one("#models-filter", Input).remove_class("-open")
        focus_now(self.query_one("#models-artifacts", DataTable))

    def back_step(self) -> str | None:
        """What Esc would do now (None: nothing to step back from)."""
        box = self.query_one("#models-filter", Input)
        if box.has_class("-open"):
            return "close the filter box"
        if self.filter_text:
            return "clear the filter"
        if self.model.view != "history":
            return "back to History"
        if not self.query_one("#models-artifacts", DataTable).has_focus:
            return "back to the artifacts"
        return None

    def action_back(self) -> None:
        step = self.back_step()
        if step == "close the filter box":
            self._close_filter()
        elif step == "clear the filter":
            self.query_one("#models-filter", Input).value = ""  # (Changed refills the table)
            self.filter_text = ""
            self._fill_artifacts()
        elif step == "back to History":
            self.action_show_view("history")
        elif step == "back to the artifacts":
            focus_now(self.query_one("#models-artifacts", DataTable))
        self.refresh_bindings()
