"""The processes half of the Local view: its title, the filter box, the process table and the pinned list.

The view (sort, filter, user, kernel threads, tree) and pins are the sampler's (plain Python, shared with
`mlops-tui metrics`): this panel turns keys into changes of them and asks the view for a fresh sample. A
process's details and the signals sent go through sources/metrics/processes.py, in a worker.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from mlops_tui.sources.metrics.local import LocalSampler, LocalSnapshot
from mlops_tui.sources.metrics.processes import (
    ProcessSample, SignalRefused, process_details, select_processes, send_signal, signal_refusal)
from mlops_tui.sources.metrics.ringbuffer import History
from mlops_tui.widgets.lines import InfoLine
from mlops_tui.widgets.metrics.dialogs import ProcessDetailsScreen, SignalDialog, UserMenu
from mlops_tui.widgets.metrics.processes import SORT_LABELS, PinnedList, ProcessTable
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
        view = self.source.view
        listing = select_processes(snap.processes, view, self.source.top)  # a key's effect at once
        table.show(listing.rows, listing.prefixes)
        self.query_one(PinnedList).show(snap.pinned, self.history)
        same_view = snap.process_view == view  # else the counts are of the view before the last key
        self._update_title(len(listing.rows), snap.process_matched if same_view else None,
                           snap.kernel_threads if same_view else None)

    def _update_title(self, shown: int | None = None, matched: int | None = None,
                      kernel_hidden: int | None = None) -> None:
        view = self.source.view
        title = f"processes by {SORT_LABELS.get(view.sort, view.sort)}" + (" as a tree" if view.tree else "")
        if view.user is not None:
            title += f" of {sanitize(view.user, 20)}"
        if view.filter_text:
            title += f" matching {sanitize(view.filter_text, 30)!r}"
        if shown is not None:
            title += f": {shown} shown" + (f" of {matched}" if matched is not None else "")
        if view.show_kernel:
            title += ", kernel threads shown (K hides)"
        elif kernel_hidden:
            title += f", {kernel_hidden} kernel threads hidden (K)"
        self.query_one("#proc-title", InfoLine).set_text(title)

    def _view_changed(self) -> None:
        """The view or the pins changed: list the rows again at once, and sample anew where the source can."""
        fresh = self.source.relist()
        if fresh is not None:
            self.show(fresh)
        else:
            self._redraw()
            self.resample()

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
        if resample:
            self._view_changed()
        else:
            self._redraw()

    # -- sort and pins ----------------------------------------------------------------------------------
    @on(ProcessTable.SortChanged)
    def _sort_changed(self, event: ProcessTable.SortChanged) -> None:
        self.source.sort = event.sort
        self._view_changed()

    @on(ProcessTable.Asked)
    def _asked(self, event: ProcessTable.Asked) -> None:
        event.stop()
        view = self.source.view
        if event.what == "kernel":
            view.show_kernel = not view.show_kernel
        elif event.what == "tree":
            view.tree = not view.tree
        elif event.what == "user":
            users = self.snapshot.users if self.snapshot is not None else []
            self.app.push_screen(UserMenu(users, view.user), self._user_chosen)
            return
        elif event.what == "details" and event.row is not None:
            self._read_details(event.row)
            return
        elif event.what == "signal" and event.row is not None:
            refused = signal_refusal(event.row)
            if refused:
                self.notify(f"no signal for {event.row.pid}: {refused}", severity="warning", timeout=5)
            else:
                self.app.push_screen(SignalDialog(event.row), lambda name, row=event.row: self._signal_chosen(row, name))
            return
        self._view_changed()

    def _user_chosen(self, user: str | None | bool) -> None:
        if user is False:
            return  # cancelled
        self.source.view.user = user
        self._view_changed()
        self.query_one(ProcessTable).focus()

    @work(thread=True, exclusive=True, group="metrics.process", exit_on_error=False, name="metrics.details")
    def _read_details(self, row: ProcessSample) -> None:
        import psutil

        problem = ""
        try:
            details = process_details(row.pid, row.started)
        except psutil.NoSuchProcess:
            details, problem = None, "the process has exited: what was sampled last is shown"
        except psutil.Error as exc:
            details, problem = None, f"could not read it ({type(exc).__name__}): what was sampled last is shown"
        self.app.call_from_thread(self.app.push_screen, ProcessDetailsScreen(row, details, problem))

    def _signal_chosen(self, row: ProcessSample, name: str | None) -> None:
        self.query_one(ProcessTable).focus()
        if name is not None:
            self._send(row, name)

    @work(thread=True, exclusive=True, group="metrics.process", exit_on_error=False, name="metrics.signal")
    def _send(self, row: ProcessSample, name: str) -> None:
        try:
            done, severity = send_signal(row, name), "information"
        except SignalRefused as exc:
            done, severity = str(exc), "error"
        self.app.call_from_thread(self.notify, done, severity=severity, timeout=6)
        self.app.call_from_thread(self.resample)

    @on(ProcessTable.PinToggled)
    def _pin_toggled(self, event: ProcessTable.PinToggled) -> None:
        if event.pid in self.source.pinned:
            self.source.unpin(event.pid)
            self.history.forget(f"pid{event.pid}.{key}" for key in ("cpu", "rss", "threads", "files"))
            self.notify(f"unpinned {event.pid}", timeout=2)
        else:
            self.source.pin(event.pid)
            self.notify(f"pinned {event.pid}: its history shows under the process table", timeout=2)
        self._view_changed()
