"""The Logs pane's input line: search text, time jump, save path and a file to open (the grammar is LogsModel's)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual import work
from textual.widgets import Input

from mlops_tui.sources.logs import QueryError
from mlops_tui.sources.logs.controller import jump_time, query_text
from mlops_tui.sources.logs.record import masked
from mlops_tui.widgets.pane import focus_now
from mlops_tui.widgets.text import sanitize

PLACEHOLDERS = {
    "search": "search: text (case-insensitive), /regex/, \"Exact Case\", and filters like service=api level>=error",
    "time": "jump to: 14:05, 14:05:30, -10m, +1h or 2024-05-01T14:05",
    "save": "save matching records (or the record at the cursor) to file",
    "open": "open another log file (or glob), shown with these merged by time",
    "keep_rule": "+ rule: show only records matching (text, /regex/, \"Exact\", service=api ...)",
    "hide_rule": "- rule: hide records matching (text, /regex/, \"Exact\", service=api ...)",
    "unrule": "remove rule number (or all)",
}


class AskLine:
    """Mixin of LogsPane: opens the input line, reads what was typed, and runs the jump and save workers."""

    asking: str | None = None

    def action_ask(self, what: str) -> None:
        box = self.query_one(Input)
        self.asking = what
        box.placeholder = PLACEHOLDERS[what]
        box.value = {"save": "mlops-tui-logs.txt", "time": "", "open": "", "keep_rule": "", "hide_rule": "",
                     "unrule": str(len(self.rules)), "search": query_text(self.model.query)}[what]
        if what == "unrule":
            box.placeholder = f"remove rule number (or all): {self.rules_text()}"
        self.add_class("-asking")
        focus_now(box)

    def action_search(self) -> None:
        """The app's `/`: the search line."""
        self.action_ask("search")

    def _close_input(self) -> None:
        self.asking = None
        self.remove_class("-asking")
        self.view.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        what, value = self.asking, event.value.strip()
        self._close_input()
        try:
            if what == "search":
                self.model.set_search(value)
                self._restart_search()
            elif what == "time" and value:
                record = self.view.record(self.view.cursor)
                self._jump(jump_time(value, anchor=record.timestamp if record is not None else None))
            elif what == "save" and value:
                self._save(value)
            elif what == "open" and value:
                self.open_file(value)
            elif what in ("keep_rule", "hide_rule") and value:
                self.add_rule(what == "keep_rule", value)
            elif what == "unrule" and value:
                self.remove_rule(value)
        except (QueryError, ValueError) as exc:
            self.notify(sanitize(str(exc), 300), severity="error", markup=False)

    @work(exclusive=True, group="logs-jump", exit_on_error=False, thread=True, name="logs.jump")
    def _jump(self, when: datetime) -> None:
        assert self.source is not None
        self.post_message(self.JumpTo(self.source.row_at_time(when)))

    @work(exclusive=True, group="logs-save", exit_on_error=False, thread=True, name="logs.save")
    def _save(self, path: str) -> None:
        source = self.source
        if source is None:
            return
        rows = self.model.saved_rows(self.view.source_row(self.view.cursor))
        try:
            with open(Path(path).expanduser(), "x", encoding="utf-8", errors="surrogateescape") as handle:
                for row in rows:
                    handle.write(masked(source.record_at(row)).raw + "\n")  # as on screen: no secret
        except OSError as exc:
            self.app.notify(sanitize(f"not saved: {exc.strerror or exc}: {path}", 300), severity="error", markup=False)
            return
        self.app.notify(sanitize(f"saved {len(rows):,} record(s) to {path}", 300), markup=False)
