"""The Logs pane on an Elasticsearch/OpenSearch cluster: a query bar (KQL, or Lucene with `L`), the time
range (`r`: 15m, 1h, 24h, 7d, all), the exact hit count, the hits paged through a point in time, the
document in full (Enter; there `a` shows the documents around it), the field sidebar (`F`, whose `+`/`-`
add filter chips), the chip keys (`c` marks the next chip, `n` negates it, `d` turns it off or on, Delete
removes it, `x` drops them all), a live tail (`t`) and export (`s`).

The state is `sources.logs.cluster.ClusterModel` (plain Python); this widget runs its workers and shows
it. `ClusterSwitch` is the LogsPane mixin whose `v` key cycles the pane through its files and each
configured cluster.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static
from textual.worker import Worker, get_current_worker

from mlops_tui.messages import SourceStatusChanged
from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.logs.cluster import ClusterModel, ClusterQuery, ResultWindow, Tail, every_record
from mlops_tui.sources.logs.record import masked
from mlops_tui.sources.logs.search_engine import SearchEngineSource
from mlops_tui.widgets.logs.context import ClusterDetail
from mlops_tui.widgets.logs.detail import RecordDetail
from mlops_tui.widgets.logs.fields import FieldSidebar
from mlops_tui.widgets.logs.hits import HitList
from mlops_tui.widgets.pane import describe_failure, focus_now
from mlops_tui.widgets.text import literal, sanitize

TAIL_INTERVAL = 2.0  # seconds between two polls of the tail
TAIL_OVERLAP = timedelta(seconds=10)  # refresh interval (1 s by default) plus ingest lag, with room


def _failure(error: BaseException) -> str:
    return describe_failure(error)


class BarPicker(Static, can_focus=True):
    """`b` in the cluster view: Left/Right pick a bar of the hit histogram (the info line brackets it and
    gives its span and hits), Enter searches that span only (Kibana's click on a bar), Esc goes back."""

    DEFAULT_CSS = """
    BarPicker { height: 1; padding: 0 1; background: $boost; display: none; }
    BarPicker:focus { text-style: bold; }
    """
    BINDINGS = [
        Binding("left,h", "move(-1)", "Older bar", show=False, id="logs.cluster.bar_older"),
        Binding("right,l", "move(1)", "Newer bar", show=False, id="logs.cluster.bar_newer"),
        Binding("home", "edge(0)", "Oldest bar", show=False, id="logs.cluster.bar_oldest"),
        Binding("end", "edge(-1)", "Newest bar", show=False, id="logs.cluster.bar_newest"),
        Binding("enter", "narrow", "Search this bar", id="logs.cluster.bar_narrow"),
        Binding("escape", "leave", "Back", id="logs.cluster.bar_back"),
    ]

    def show(self, text: str) -> None:
        """The picked bar's span and hits first (the info line brackets the bar), then the keys."""
        self.update(literal(f"{text} · ←/→ · Enter searches it · Esc back"))

    def _panel(self) -> "ClusterPanel":
        return next(node for node in self.ancestors if isinstance(node, ClusterPanel))

    def action_move(self, step: int) -> None:
        panel = self._panel()
        at = panel.model.bar_at
        panel.pick_bar(max(0, min((at or 0) + step, len(panel.model.window.bars) - 1)))

    def action_edge(self, at: int) -> None:
        self._panel().pick_bar(at)

    def action_narrow(self) -> None:
        panel = self._panel()
        query = panel.model.narrowed()
        panel.leave_bars()
        panel.run(query)

    def action_leave(self) -> None:
        panel = self._panel()
        panel.model.pick_bar(None)
        panel.leave_bars()


class ClusterPanel(Vertical):
    """One cluster's search (see the module's text)."""

    DEFAULT_CSS = """
    ClusterPanel { height: 1fr; }
    ClusterPanel #cluster-query { height: 1; border: none; padding: 0 1; background: $panel; }
    ClusterPanel #cluster-query:focus { background: $boost; }
    ClusterPanel #cluster-error { height: auto; max-height: 3; padding: 0 1; color: $error; display: none; }
    ClusterPanel.-error #cluster-error { display: block; }
    ClusterPanel #cluster-info { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    ClusterPanel #cluster-save { display: none; height: 1; border: none; }
    ClusterPanel.-saving #cluster-save { display: block; }
    ClusterPanel #cluster-range { display: none; height: 1; border: none; }
    ClusterPanel.-ranging #cluster-range { display: block; }
    ClusterPanel FieldSidebar { display: none; }
    ClusterPanel.-fields FieldSidebar { display: block; }
    ClusterPanel #cluster-body { height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "detail", "Detail", id="logs.cluster.detail"),
        Binding("L", "syntax", "KQL/Lucene", id="logs.cluster.syntax"),
        Binding("r", "range", "Range", id="logs.cluster.range"),
        Binding("T", "type_range", "Time range", id="logs.cluster.type_range"),
        Binding("b", "bars", "Bars", id="logs.cluster.bars"),
        Binding("F", "fields", "Fields", id="logs.cluster.fields"),
        Binding("t", "tail", "Tail", id="logs.cluster.tail"),
        Binding("s", "save", "Export", id="logs.cluster.export"),
        Binding("x", "clear_chips", "Drop filters", id="logs.cluster.clear_chips"),
        Binding("c", "next_chip", "Next filter", id="logs.cluster.next_chip"),
        Binding("n", "negate_chip", "Negate filter", id="logs.cluster.negate_chip"),
        Binding("d", "toggle_chip", "Filter on/off", id="logs.cluster.toggle_chip"),
        Binding("delete,backspace", "remove_chip", "Remove filter", id="logs.cluster.remove_chip"),
    ]
    FOOTER_FIRST = ("app.search", "logs.search", "logs.source", "logs.cluster.export", "logs.cluster.clear_chips",
                    "logs.cluster.range", "logs.cluster.tail", "logs.cluster.detail", "logs.cluster.fields")
    """At 80 columns: the query, the way back to files, the export and the filters first (widgets/footer.py)."""

    class Searched(Message):
        def __init__(self, generation: int, window: ResultWindow) -> None:
            super().__init__()
            self.generation, self.window = generation, window

    class Failed(Message):
        def __init__(self, generation: int, error: BaseException) -> None:
            super().__init__()
            self.generation, self.error = generation, error

    class PageLoaded(Message):
        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ClusterPanel.PageLoaded)

    class Fields(Message):
        def __init__(self, fields=None, top=None, note: str = "") -> None:
            super().__init__()
            self.fields, self.top, self.note = fields, top, note

    class Tailed(Message):
        def __init__(self, rows: list, text: str, failure: str = "") -> None:
            super().__init__()
            self.rows, self.text, self.failure = rows, text, failure

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ClusterPanel.Tailed) and not self.failure

    def __init__(self, source: SearchEngineSource, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.model = ClusterModel(source.label)
        self.tailing = False
        self.tail_text = ""
        self.closed = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder="KQL: service.name: api and not log.level: debug (Enter searches)", id="cluster-query")
        yield Static(id="cluster-error")
        yield Static(id="cluster-info")
        yield BarPicker(id="cluster-bars")
        with Horizontal(id="cluster-body"):
            yield HitList(self.source.fields.service, id="cluster-hits")
            yield FieldSidebar()
        yield Input(id="cluster-save")
        yield Input(id="cluster-range")

    @property
    def hits(self) -> HitList:
        return self.query_one(HitList)

    @property
    def searching(self) -> bool:
        return self.busy("cluster-search")

    def busy(self, *groups: str) -> bool:
        """A worker of this panel in one of `groups` (any group when none given) is still running."""
        return any(w.node is self and (not groups or w.group in groups) and not w.is_finished for w in self.workers)

    def on_mount(self) -> None:
        self._post_status()
        self._update_info()
        self._probe()

    @work(exclusive=True, group="cluster-probe", exit_on_error=False, thread=True, name="logs.cluster.probe")
    def _probe(self) -> None:
        """GET / once at mount: the status line says whether the cluster answers before it is searched."""
        try:
            engine = self.source.engine()
        except Exception as exc:
            self.post_message(self.Probed(describe_failure(exc), False))
            return
        self.post_message(self.Probed(f"{engine.product} {engine.version} (not searched yet)", True))

    class Probed(Message):
        def __init__(self, reason: str, ok: bool) -> None:
            super().__init__()
            self.reason, self.ok = reason, ok

    @on(Probed)
    def _probed(self, message: Probed) -> None:
        if self.model.health is SourceState.LOADING:  # a search that answered first says more
            self.model.health = SourceState.OK if message.ok else SourceState.FAILING
            self.model.reason = message.reason
            self._post_status()
            self._update_info()

    def on_unmount(self) -> None:
        self.closed = True
        self.model.close()  # the point in time is closed when the pane goes
        self.source.close()

    def focus_query(self) -> None:
        focus_now(self.query_one("#cluster-query", Input))

    def focus_default(self) -> None:
        focus_now(self.hits)

    # --- searching -------------------------------------------------------------------------------
    def run(self, query: ClusterQuery | None = None) -> None:
        """Search (the current query when none is given); the last results stay until the answer."""
        self._stop_tail()
        if self.query_one(BarPicker).display:
            self.leave_bars()
        box = self.query_one("#cluster-query", Input)
        if query is not None and box.value != query.text:  # a query from elsewhere (an alert): show what runs
            box.value = query.text
        generation = self.model.begin(query or self.model.query)
        self._search(self.model.query, generation)
        self._update_info()

    @work(exclusive=True, group="cluster-search", exit_on_error=False, thread=True, name="logs.cluster.search")
    def _search(self, query: ClusterQuery, generation: int) -> None:
        try:
            window = ResultWindow(self.source, query).open()
        except Exception as exc:  # every failure is shown under the bar or in the status; last results kept
            self.post_message(self.Failed(generation, exc))
            return
        if get_current_worker().is_cancelled or self.closed:
            window.close()
            return
        self.post_message(self.Searched(generation, window))

    @on(Searched)
    def _searched(self, message: Searched) -> None:
        if self.model.finished(message.generation, message.window):
            self.hits.show_window(message.window)
            self.query_one("#cluster-error", Static).update("")
            self.remove_class("-error")
            if self.has_class("-fields"):
                self._load_fields()
            if message.window.histogram_pending:
                self._histogram(message.window)
            elif message.window.levels_pending:
                self._levels(message.window)
            self.refresh_bindings()  # Detail and Export act once there are hits (check_action)
        self._post_status()
        self._update_info()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if self.model.failed(message.generation, message.error):
            self.query_one("#cluster-error", Static).update(literal(sanitize(self.model.error, 600)))
            self.add_class("-error")
        self._post_status()
        self._update_info()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        event.stop()  # the workers here report their own failures; the pane's handler is for the files

    @on(HitList.NeedPage)
    def _need_page(self, message: HitList.NeedPage) -> None:
        message.stop()
        window = self.model.window
        if window is not None and not window.has(message.row):
            self._load_page(window, message.row)

    @work(exclusive=True, group="cluster-page", exit_on_error=False, thread=True, name="logs.cluster.page")
    def _load_page(self, window: ResultWindow, row: int) -> None:
        try:
            window.load(row)
        except Exception as exc:
            if window is not self.model.window:
                return
            if getattr(exc, "status", None) == 404:  # the point in time expired while the user read: search again
                self.app.call_from_thread(self.notify, "the search had expired: searched again", markup=False)
                self.app.call_from_thread(self.run)
                return
            self.post_message(self.Failed(self.model.generation, exc))
            return
        self.post_message(self.PageLoaded())

    @on(PageLoaded)
    def _page_loaded(self) -> None:
        self.hits.refresh()
        self._update_info()

    @work(exclusive=True, group="cluster-histogram", exit_on_error=False, thread=True, name="logs.cluster.histogram")
    def _histogram(self, window: ResultWindow) -> None:
        """The all-time bars, after the first page is on screen (a second request: see histogram_aggs)."""
        window.load_histogram()  # a failure leaves the bars out, the hits stay
        self.post_message(self.PageLoaded())

    @work(exclusive=True, group="cluster-levels", exit_on_error=False, thread=True, name="logs.cluster.levels")
    def _levels(self, window: ResultWindow) -> None:
        """Which bars hold errors or warnings, after the first page is on screen (one more request)."""
        window.load_levels()  # a level field that cannot be aggregated leaves the bars plain
        self.post_message(self.PageLoaded())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "cluster-query":
            self.run(self.model.with_text(event.value))
            focus_now(self.hits)
        elif event.input.id == "cluster-save":
            self.remove_class("-saving")
            focus_now(self.hits)
            if event.value.strip():
                self._export(self.model.query, event.value.strip())
        elif event.input.id == "cluster-range":
            try:
                query = self.model.ranged(event.value)
            except ValueError as exc:  # the box stays open with the text, to be mended
                self.notify(sanitize(str(exc), 300), severity="error", markup=False)
                return
            self.remove_class("-ranging")
            focus_now(self.hits)
            self.run(query)

    def on_key(self, event) -> None:
        """Esc in the time box closes it: the range stays what it was."""
        if event.key == "escape" and self.has_class("-ranging"):
            event.stop()
            self.remove_class("-ranging")
            focus_now(self.hits)

    # --- keys ------------------------------------------------------------------------------------
    def action_syntax(self) -> None:
        query = self.model.toggled_syntax()
        self.query_one("#cluster-query", Input).placeholder = (
            "Lucene: log.level:ERROR AND NOT service.name:trainer (Enter searches)" if query.syntax == "lucene"
            else "KQL: service.name: api and not log.level: debug (Enter searches)")
        self.run(query)

    def action_range(self) -> None:
        self.run(self.model.stepped())

    def shared_range(self, span: tuple[datetime, datetime] | None) -> None:
        """The app's shared time range (Ctrl+T) for this view: searched now when shown, else when first shown;
        None: back to the `last ...` range it had."""
        query = replace(self.model.query, span=span)
        if self.display and self.model.generation > 0:
            self.run(query)
        else:
            self.model.query = query

    def action_type_range(self) -> None:
        """Kibana's absolute and relative time picker, typed: `3h..1h`, `2026-12-01 10:00..2026-12-01 12:00`,
        `30m`; Enter searches it, Esc leaves the range as it was."""
        from mlops_tui.sources.timespec import RANGE_HELP

        box = self.query_one("#cluster-range", Input)
        box.placeholder = f"time range: {RANGE_HELP}; empty: all time (Enter searches, Esc back)"
        box.value = self.model.typed_range()
        self.add_class("-ranging")
        focus_now(box)

    def action_clear_chips(self) -> None:
        if self.model.query.chips:
            self.run(self.model.without_chips())

    def action_next_chip(self) -> None:
        self.model.next_chip()
        self._update_info()

    def action_negate_chip(self) -> None:
        self.run(self.model.negated_chip())

    def action_toggle_chip(self) -> None:
        self.run(self.model.toggled_chip())

    def action_remove_chip(self) -> None:
        self.run(self.model.without_chip())

    def action_detail(self) -> None:
        record = self.hits.record(self.hits.cursor)
        if record is None:
            return
        window = self.model.window
        if not self.tailing and window is not None and window.record(self.hits.cursor) is record:
            self.app.push_screen(ClusterDetail(window, self.hits.cursor, self.source.fields.service))
        else:  # a tailed document has no place in a point in time: no surrounding documents
            self.app.push_screen(RecordDetail(record))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("clear_chips", "negate_chip", "toggle_chip", "remove_chip"):
            return bool(self.model.query.chips)
        if action == "next_chip":
            return len(self.model.query.chips) > 1
        if action in ("detail", "save"):
            return self.hits.row_count > 0
        if action == "bars":
            window = self.model.window
            return not self.tailing and window is not None and bool(window.total and window.bars)
        return True

    # --- the histogram's bars ----------------------------------------------------------------------
    def action_bars(self) -> None:
        """Pick a bar of the hit histogram, the newest first (BarPicker)."""
        if self.pick_bar(-1) is None:
            return
        picker = self.query_one(BarPicker)
        picker.display = True
        focus_now(picker)

    def pick_bar(self, at: int | None):
        bar = self.model.pick_bar(at)
        self.query_one(BarPicker).show(self.model.bar_text())
        self._update_info()
        return bar

    def leave_bars(self) -> None:
        self.query_one(BarPicker).display = False
        self._update_info()
        focus_now(self.hits)

    # --- fields ----------------------------------------------------------------------------------
    def action_fields(self) -> None:
        self.toggle_class("-fields")
        if self.has_class("-fields"):
            self._load_fields()
            focus_now(self.query_one("#fields-list"))
        else:
            focus_now(self.hits)

    @work(exclusive=True, group="cluster-fields", exit_on_error=False, thread=True, name="logs.cluster.fields")
    def _load_fields(self) -> None:
        try:
            self.post_message(self.Fields(fields=self.source.field_caps()))
        except Exception as exc:
            self.post_message(self.Fields(note=_failure(exc)))

    @on(FieldSidebar.Chosen)
    def _field_chosen(self, message: FieldSidebar.Chosen) -> None:
        message.stop()
        self._top_values(message.field, self.model.query)

    @work(exclusive=True, group="cluster-top", exit_on_error=False, thread=True, name="logs.cluster.top")
    def _top_values(self, field: str, query: ClusterQuery) -> None:
        start, end = query.bounds(datetime.now(UTC))
        try:
            top = self.source.top_values(field, query.text, start=start, end=end, syntax=query.syntax,
                                         chips=query.chips)
        except Exception as exc:
            self.post_message(self.Fields(note=_failure(exc)))
            return
        self.post_message(self.Fields(top=top))

    @on(Fields)
    def _fields(self, message: Fields) -> None:
        sidebar = self.query_one(FieldSidebar)
        if message.fields is not None:
            sidebar.show_fields(message.fields)
        if message.top is not None:
            sidebar.show_top(message.top)
        if message.note:
            sidebar.show_note(message.note)

    @on(FieldSidebar.AddChip)
    def _add_chip(self, message: FieldSidebar.AddChip) -> None:
        message.stop()
        self.run(self.model.with_chip(message.chip))

    # --- live tail -------------------------------------------------------------------------------
    def action_tail(self) -> None:
        if self.tailing:
            self._stop_tail()
            self.hits.show_window(self.model.window)
        else:
            self.tailing = True
            self.tail_text = "tail: starting"
            self._tail(self.model.query)
        self._update_info()

    def _stop_tail(self) -> None:
        if self.tailing:
            self.tailing = False
            self.workers.cancel_group(self, "cluster-tail")

    @work(exclusive=True, group="cluster-tail", exit_on_error=False, thread=True, name="logs.cluster.tail")
    def _tail(self, query: ClusterQuery) -> None:
        worker = get_current_worker()
        tail = Tail(self.source, query, overlap=TAIL_OVERLAP)
        while not worker.is_cancelled and not self.closed:
            try:
                tail.poll()
            except Exception as exc:
                self.post_message(self.Tailed([r for *_, r in tail.records], "", _failure(exc)))
            else:
                lag = tail.lag()
                newest = "no documents yet" if lag is None else f"newest {lag:.0f} s ago"
                late = f", {tail.late} late" if tail.late else ""
                self.post_message(self.Tailed([r for *_, r in tail.records],
                                              f"tail: {newest}, polling every {TAIL_INTERVAL:g} s{late}"))
            deadline = time.monotonic() + TAIL_INTERVAL
            while time.monotonic() < deadline and not worker.is_cancelled:
                time.sleep(0.05)

    @on(Tailed)
    def _tailed(self, message: Tailed) -> None:
        if not self.tailing:
            return
        self.hits.show_tail(message.rows)
        if message.failure:
            self.tail_text = f"tail failing: {message.failure}"
        else:
            self.tail_text = message.text
        self._update_info()

    # --- export ----------------------------------------------------------------------------------
    def action_save(self) -> None:
        box = self.query_one("#cluster-save", Input)
        box.placeholder = "export every hit to file (.csv for CSV, else JSON lines); never overwrites"
        box.value = f"mlops-tui-{self.source.label}.jsonl"
        self.add_class("-saving")
        focus_now(box)

    @work(exclusive=True, group="cluster-export", exit_on_error=False, thread=True, name="logs.cluster.export")
    def _export(self, query: ClusterQuery, path: str) -> None:
        try:
            count = export(self.source, query, Path(path).expanduser(), datetime.now(UTC))
        except Exception as exc:
            self.app.call_from_thread(self.notify, sanitize(f"not exported: {_failure(exc)}", 300),
                                      severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, sanitize(f"exported {count:,} hits to {path}", 300), markup=False)

    # --- what the panel says ------------------------------------------------------------------------
    def _post_status(self) -> None:
        self.post_message(SourceStatusChanged(self.model.status()))

    LEVEL_COLOURS = {"error": "error", "warn": "warning"}
    """Theme variables of the hit histogram's bars that hold errors or warnings (error bars are bold too, which
    stays under NO_COLOR)."""

    def _bar_style(self, kind: str) -> Style | str:
        if kind not in self.LEVEL_COLOURS:
            return ""
        colour = self.app.theme_variables.get(self.LEVEL_COLOURS[kind], "")
        return Style(color=colour or None, bold=kind == "error")

    def _update_info(self) -> None:
        parts = []
        if self.model.searching:
            parts.append("searching…")
        if self.tailing:
            parts.append(self.tail_text)
        if self.model.health is SourceState.STALE:
            parts.append("stale: " + self.model.reason)
        elif self.model.health is SourceState.FAILING:
            parts.append("failing: " + self.model.reason)
        info = Text.assemble(literal(f"{self.source.label}: "),
                             *(literal(text, self._bar_style(kind)) for text, kind in self.model.describe_segments()),
                             *(literal(" · " + part) for part in parts))
        self.query_one("#cluster-info", Static).update(info)


def export(source: SearchEngineSource, query: ClusterQuery, path: Path, now: datetime) -> int:
    """Every hit of the query to `path` (CSV for a .csv name, else JSON lines), masked as shown; the file must
    not exist (FileExistsError). Returns the count written."""
    written = 0
    with open(path, "x", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle) if path.suffix.lower() == ".csv" else None
        if writer is not None:
            writer.writerow(["timestamp", "level", "index", "id", "message"])
        for record in every_record(source, query, now):
            record = masked(record)
            if writer is not None:
                writer.writerow([record.timestamp.isoformat() if record.timestamp else "",
                                 record.level.label if record.level else "", record.fields.get("_index"),
                                 record.fields.get("_id"), record.message])
            else:
                handle.write(json.dumps(record.to_json(), default=str, ensure_ascii=False) + "\n")
            written += 1
    return written
