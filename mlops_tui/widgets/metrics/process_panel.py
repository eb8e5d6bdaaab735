"""The processes half of the Local view: its title, the filter box, the process table and the pinned list.

Sort, filter and pins are the sampler's (plain Python, shared with `mlops-tui metrics`): this panel turns keys
into changes of them and asks the view for a fresh sample.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from mlops_tui.sources.metrics.local import LocalSampler, LocalSnapshot, rank_processes
from mlops_tui.sources.metrics.ringbuffer import History
from mlops_tui.widgets.lines import InfoLine
from mlops_tui.widgets.metrics.processes import PinnedList, ProcessTable
from mlops_tui.widgets.pane import focus_now
from mlops_tui.widgets.text import sanitize


class ProcessPanel(Vertical):
    """`resample()` takes the next sample now (after a sort, filter or pin change)."""

    def __init__(self, source: LocalSampler, history: History, resample: Callable[[], None], sort: str,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.source, self.history, self.resample, self.sort = source, history, resample, sort
        self.snapshot: LocalSnapshot | None = None

    def compose(self) -> ComposeResult:
        yield InfoLine(id="proc-title")  # the filter box goes under it when `/` first asks for it
        yield ProcessTable(sort=self.sort, id="proc-table")
        yield PinnedList(id="pinned")

    def on_mount(self) -> None:
        self._update_title()

    def show(self, snap: LocalSnapshot) -> None:
        self.snapshot = snap
        table = self.query_one(ProcessTable)
        table.pinned = set(self.source.pinned)
        rows = rank_processes(snap.processes, self.source.sort, self.source.filter_text, self.source.top)
        table.show(rows)
        self.query_one(PinnedList).show(snap.pinned, self.history)
        self._update_title(len(rows))

    def _update_title(self, shown: int | None = None) -> None:
        source = self.source
        title = f"processes by {source.sort}"
        if source.filter_text:
            title += f" matching {sanitize(source.filter_text, 30)!r}"
        if shown is not None:
            title += f": {shown} shown"
        title += "  (s sort, / filter, p pin)"
        self.query_one("#proc-title", InfoLine).set_text(title)

    def _redraw(self) -> None:
        if self.snapshot is not None:
            self.show(self.snapshot)
        else:
            self._update_title()

    # -- the filter box ---------------------------------------------------------------------------------
    async def open_filter(self) -> None:
        """Show the filter box (mounted the first time: most sessions never filter) and focus it."""
        box = self._filter_box()
        if box is None:
            box = Input(placeholder="filter processes by name (Enter: apply, Esc: clear)", id="proc-filter")
            await self.mount(box, after="#proc-title")
        box.add_class("-shown")
        focus_now(box)

    def _filter_box(self) -> Input | None:
        found = self.query("#proc-filter")
        return found.first(Input) if found else None

    @on(Input.Submitted, "#proc-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self._set_filter(event.value.strip())
        self.query_one(ProcessTable).focus()

    @on(Input.Changed, "#proc-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._set_filter(event.value.strip(), resample=False)

    def on_key(self, event) -> None:
        box = self._filter_box()
        if event.key == "escape" and box is not None and box.has_focus:
            event.stop()
            box.value = ""
            box.remove_class("-shown")
            self._set_filter("")
            self.query_one(ProcessTable).focus()

    def _set_filter(self, text: str, resample: bool = True) -> None:
        self.source.filter_text = text
        self._redraw()
        if resample:
            self.resample()

    # -- sort and pins ----------------------------------------------------------------------------------
    @on(ProcessTable.SortChanged)
    def _sort_changed(self, event: ProcessTable.SortChanged) -> None:
        self.source.sort = event.sort
        self._redraw()
        self.resample()

    @on(ProcessTable.PinToggled)
    def _pin_toggled(self, event: ProcessTable.PinToggled) -> None:
        if event.pid in self.source.pinned:
            self.source.unpin(event.pid)
            self.history.forget(f"pid{event.pid}.{key}" for key in ("cpu", "rss", "threads", "files"))
            self.notify(f"unpinned {event.pid}", timeout=2)
        else:
            self.source.pin(event.pid)
            self.notify(f"pinned {event.pid}: its history shows under the process table", timeout=2)
        self._redraw()
        self.resample()
