"""Models pane: DVC and GTO versions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from datetime import datetime, timezone
from typing import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher, DataTable, Sparkline, Static
from textual.worker import Worker, WorkerState

from mlops_tui.messages import OpenConfigRevision
from mlops_tui.settings.models import ModelsSettings
from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.models import (
    Diff,
    HistoryEntry,
    ModelRepository,
    ModelsError,
    RegistryEntry,
    Snapshot,
    TrainingFrequency,
    VersionDetails,
)
from mlops_tui.widgets.models import rows
from mlops_tui.widgets.pane import Pane, SourceNote, focus_now
from mlops_tui.widgets.text import literal

VIEWS = {"history": "models-history", "registry": "models-registry", "diff": "models-diff"}


@dataclass
class Loaded:
    source: ModelRepository
    snapshot: Snapshot


@dataclass
class LoadFailed:
    error: ModelsError


@dataclass
class Details:
    name: str
    history: list[HistoryEntry]
    frequency: TrainingFrequency | None
    entry: RegistryEntry | None


@dataclass
class VersionWork:
    name: str
    version: str
    details: VersionDetails | None
    error: str = ""


@dataclass
class DiffWork:
    name: str
    diff: Diff | None
    error: str = ""


def _table(table_id: str, *columns: str) -> DataTable:
    table: DataTable = DataTable(id=table_id, cursor_type="row", zebra_stripes=True)
    for column in columns:
        table.add_column(column, key=column)
    return table


class ModelsPane(Pane):
    """Artifacts, versions, stages and history of the DVC/GTO repository.

    Options: source= a ModelRepository to read instead of settings.repo; now= a datetime or a function
    returning one, so ages are frozen in tests.
    """

    DEFAULT_CSS = """
    ModelsPane #models-body { height: 1fr; }
    ModelsPane #models-artifacts { width: 2fr; min-width: 30; height: 1fr; border-right: tall $panel; }
    ModelsPane #models-side { width: 3fr; height: 1fr; }
    ModelsPane #models-title { height: auto; max-height: 3; padding: 0 1; background: $panel; color: $foreground; }
    ModelsPane #models-freq-row { height: 1; padding: 0 1; }
    ModelsPane #models-freq { width: 1fr; color: $text-muted; }
    ModelsPane #models-freq.-stale { color: $warning; text-style: bold; }
    ModelsPane #models-spark { width: 16; height: 1; margin-right: 1; }
    ModelsPane #models-spark > .sparkline--max-color { color: $accent; }
    ModelsPane #models-spark > .sparkline--min-color { color: $primary; }
    ModelsPane #models-views { height: 1fr; }
    ModelsPane #models-registry DataTable { height: 1fr; }
    ModelsPane #models-events { border-top: tall $panel; }
    ModelsPane #models-version-details { height: auto; max-height: 6; padding: 0 1; background: $surface;
        color: $text-muted; }
    ModelsPane #models-diff-title { height: auto; padding: 0 1; color: $text-muted; }
    ModelsPane #models-diff-title.-error { color: $error; }
    """

    BINDINGS = [
        Binding("i", "show_view('history')", "History", id="models.history"),
        Binding("v", "show_view('registry')", "Versions", id="models.versions"),
        Binding("d", "show_view('diff')", "Diff", id="models.diff"),
        Binding("m", "mark", "Mark base", id="models.mark"),
        Binding("c", "open_config", "Params in Configs", id="models.configs"),
        Binding("r", "reload", "Reload", id="models.reload"),
    ]

    def __init__(
        self,
        settings: ModelsSettings,
        source: ModelRepository | None = None,
        now: datetime | Callable[[], datetime] | None = None,
        **options,
    ) -> None:
        super().__init__(id="models-pane")
        self.settings = settings
        self.injected = source
        self._now = now
        self.source: ModelRepository | None = None
        self.snapshot: Snapshot | None = None
        self.names: list[str] = []
        self.selected: str | None = None
        self.details: Details | None = None
        self.base: tuple[str, str] | None = None  # (spec, label) marked as the diff's base
        self.view = "history"
        self.last_diff: Diff | None = None

    def now(self) -> datetime:
        if callable(self._now):
            return self._now()
        return self._now or datetime.now(timezone.utc)

    def compose(self) -> ComposeResult:
        yield SourceNote(id="models-note")
        with Horizontal(id="models-body"):
            yield _table("models-artifacts", "artifact", "latest", "age", "stages")
            with Vertical(id="models-side"):
                yield Static(id="models-title")
                with Horizontal(id="models-freq-row"):
                    yield Sparkline([], id="models-spark")
                    yield Static(id="models-freq")
                with ContentSwitcher(id="models-views", initial="models-history"):
                    yield _table("models-history", "commit", "date", "age", "change", "size", "tags", "changed with",
                                 "message")
                    with Vertical(id="models-registry"):
                        yield _table("models-versions", "version", "commit", "registered", "stages", "author")
                        yield Static(id="models-version-details")
                        yield _table("models-events", "when", "artifact", "version", "event", "tag")
                    with Vertical(id="models-diff"):
                        yield Static(id="models-diff-title")
                        yield _table("models-diff-table", "kind", "name", "old", "new", "change")

    def on_mount(self) -> None:
        self.query_one(SourceNote).show(SourceStatus("models.repo", SourceState.LOADING, "reading git history"))
        self.load()

    def on_unmount(self) -> None:
        if self.source is not None:
            self.source.close()

    def focus_default(self) -> None:
        focus_now(self.query_one("#models-artifacts", DataTable))

    # -- workers ----------------------------------------------------------------------------------

    @work(exclusive=True, group="models", exit_on_error=False, thread=True)
    def load(self) -> Loaded | LoadFailed:
        try:
            source = self.injected or ModelRepository(self.settings.repo, stale_after_days=self.settings.stale_after_days)
            return Loaded(source, source.load())
        except ModelsError as exc:
            return LoadFailed(exc)

    @work(exclusive=True, group="models-details", exit_on_error=False, thread=True)
    def load_details(self, source: ModelRepository, name: str, now: datetime) -> Details:
        entry = source.registry().entries.get(name)
        try:
            history = source.history(name)
            frequency = source.frequency(name, now=now)
        except ModelsError:
            history, frequency = [], None
        return Details(name, history, frequency, entry)

    @work(exclusive=True, group="models-diff", exit_on_error=False, thread=True)
    def load_diff(self, source: ModelRepository, name: str, a: str, b: str) -> DiffWork:
        try:
            return DiffWork(name, source.diff(a, b))
        except ModelsError as exc:
            return DiffWork(name, None, f"{exc.message}" + (f" ({exc.hint})" if exc.hint else ""))

    @work(exclusive=True, group="models-version", exit_on_error=False, thread=True)
    def load_version(self, source: ModelRepository, name: str, version: str, commit: str) -> VersionWork:
        try:
            return VersionWork(name, version, source.details_at(commit))
        except ModelsError as exc:
            return VersionWork(name, version, None, exc.message)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.SUCCESS:
            result = worker.result
            if isinstance(result, Loaded):
                self._show_snapshot(result)
            elif isinstance(result, LoadFailed):
                self._show_error(result.error)
            elif isinstance(result, Details):
                self._show_details(result)
            elif isinstance(result, DiffWork):
                self._show_diff(result)
            elif isinstance(result, VersionWork):
                self._show_version(result)

    def worker_failed(self, worker: Worker, error: BaseException | None) -> None:
        """A bug in a load: the last good view is kept (the one failure handler, widgets/pane.py)."""
        status = SourceStatus.failing("models.repo", f"{type(error).__name__}: {error}",
                                      "the last good view is kept; press r to reload")
        self.query_one(SourceNote).show(status)
        self.report(status)

    def _show_error(self, error: ModelsError) -> None:
        if self.snapshot is None:
            status = SourceStatus("models.repo", SourceState.ABSENT, error.message, error.hint)
        else:
            status = SourceStatus.failing("models.repo", error.message, "the last good view is kept; press r to reload")
        self.query_one(SourceNote).show(status)
        self.report(status)

    # -- snapshot -------------------------------------------------------------------------------

    def _show_snapshot(self, loaded: Loaded) -> None:
        if self.source is not None and self.source is not loaded.source:
            self.source.close()
        self.source, self.snapshot = loaded.source, loaded.snapshot
        snap = loaded.snapshot
        registry = snap.registry
        versions = sum(len([v for v in e.versions if v.registered and v.active]) for e in registry.entries.values())
        reason = f"{Path(snap.root).name}: {len(snap.artifacts)} artifacts, {versions} versions, {snap.commits_scanned} commits"
        state_note = "\n".join(snap.notes)
        if snap.artifacts:
            status = SourceStatus.ok("models.repo", reason)
            if state_note:
                status = SourceStatus("models.repo", status.state, reason, state_note)
        else:
            status = SourceStatus("models.repo", SourceState.ABSENT, f"{Path(snap.root).name}: no DVC outputs or GTO tags",
                                  state_note)
        self.query_one(SourceNote).show(status)
        self.report(status)
        table = self.query_one("#models-artifacts", DataTable)
        keep = self.selected
        table.clear()
        now = self.now()
        self.names = []
        for art in snap.artifacts:
            table.add_row(*rows.artifact_row(art, registry.entries.get(art.name), now, self.settings.stale_after_days),
                          key=art.name)
            self.names.append(art.name)
        events = self.query_one("#models-events", DataTable)
        events.clear()
        for e in registry.events:
            events.add_row(*rows.event_row(e))
        if self.names:
            target = keep if keep in self.names else self._first_model()
            table.move_cursor(row=self.names.index(target))
            self._select(target)

    def _first_model(self) -> str:
        assert self.snapshot is not None
        entries = self.snapshot.registry.entries
        active = [n for n in self.names if n in entries and entries[n].active]
        return (active or self.names)[0]

    @on(DataTable.RowHighlighted, "#models-artifacts")
    def _artifact_highlighted(self, event: DataTable.RowHighlighted) -> None:
        name = event.row_key.value if event.row_key else None
        if name and name != self.selected:
            self._select(name)

    def _select(self, name: str) -> None:
        self.selected = name
        self.base = None
        if self.source is not None:
            self.load_details(self.source, name, self.now())

    # -- details --------------------------------------------------------------------------------

    def _show_details(self, details: Details) -> None:
        if details.name != self.selected or self.snapshot is None:
            return
        self.details = details
        art = next((a for a in self.snapshot.artifacts if a.name == details.name), None)
        title = literal(details.name, style="bold")
        if art is not None:
            facts = [art.path or "no tracked path", art.type or "", (art.md5 or "")[:8], rows.size(art.size)]
            if art.nfiles:
                facts.append(f"{art.nfiles} files")
            title.append_text(literal("  " + "  ".join(f for f in facts if f and f != "-")))
            if art.desc:
                title.append_text(literal(f"\n{art.desc}", style="italic", limit=200))
        if details.entry is not None:
            current = rows.stages_text(details.entry)
            title.append_text(literal(f"\nlatest {details.entry.latest or '-'}  stages {current}"))
        self.query_one("#models-title", Static).update(title)
        freq = details.frequency
        self.query_one("#models-spark", Sparkline).data = freq.gaps_days if freq and freq.gaps_days else [0]
        label = self.query_one("#models-freq", Static)
        label.update(literal(rows.frequency_text(freq, self.settings.stale_after_days)))
        label.set_class(bool(freq and freq.stale), "-stale")
        history = self.query_one("#models-history", DataTable)
        history.clear()
        now = self.now()
        for i, h in enumerate(details.history):
            history.add_row(*rows.history_row(h, now), key=f"{i}:{h.commit}")
        versions = self.query_one("#models-versions", DataTable)
        versions.clear()
        if details.entry is not None:
            for v in details.entry.versions:
                versions.add_row(*rows.version_row(v), key=v.version)
        if self.view == "diff":
            self._start_diff()

    @on(DataTable.RowHighlighted, "#models-versions")
    def _version_highlighted(self, event: DataTable.RowHighlighted) -> None:
        details = self.details
        if self.source is None or details is None or details.entry is None or event.cursor_row >= len(details.entry.versions):
            return
        version = details.entry.versions[event.cursor_row]
        self.load_version(self.source, details.name, version.version, version.commit)

    def _show_version(self, result: VersionWork) -> None:
        if result.name != self.selected:
            return
        panel = self.query_one("#models-version-details", Static)
        if result.details is None:
            panel.update(literal(f"{result.version}: {result.error}"))
        else:
            panel.update(literal(rows.details_text(result.version, result.details)))

    # -- diff -----------------------------------------------------------------------------------

    def _default_pair(self) -> tuple[tuple[str, str], tuple[str, str]] | None:
        details = self.details
        if details is None:
            return None
        name = details.name
        entry = details.entry
        if entry is not None and entry.latest:
            target = (f"{name}@{entry.latest}", f"{name}@{entry.latest}")
            stage = self.settings.compare_stage
            if entry.stages.get(stage) and entry.stages[stage] != entry.latest:
                return (f"{name}#{stage}", f"{name}#{stage}"), target
            older = [v for v in entry.versions if v.registered and v.active and v.version != entry.latest]
            if older:
                return (f"{name}@{older[0].version}", f"{name}@{older[0].version}"), target
        commits = [h.commit for h in details.history if h.change != "deleted"]
        if len(commits) >= 2:
            return (commits[1], commits[1][:7]), (commits[0], commits[0][:7])
        return None

    def _selected_spec(self) -> tuple[str, str] | None:
        details = self.details
        if details is None:
            return None
        if self.view == "registry" and details.entry is not None:
            table = self.query_one("#models-versions", DataTable)
            if table.row_count:
                v = details.entry.versions[table.cursor_row]
                spec = f"{details.name}@{v.version}" if v.registered else v.commit
                return spec, spec
        table = self.query_one("#models-history", DataTable)
        if table.row_count and details.history:
            h = details.history[min(table.cursor_row, len(details.history) - 1)]
            return h.commit, h.commit[:7]
        return None

    def _start_diff(self) -> None:
        title = self.query_one("#models-diff-title", Static)
        if self.source is None or self.details is None:
            return
        pair = self._default_pair()
        if self.base is not None:
            target = self._selected_spec() or (pair[1] if pair else None)
            pair = (self.base, target) if target else None
        if pair is None:
            title.update(literal("nothing to compare: this artifact has one version (mark one with m)"))
            self.query_one("#models-diff-table", DataTable).clear()
            return
        (a, a_label), (b, b_label) = pair
        title.update(literal(f"{a_label} -> {b_label}: loading"))
        self.load_diff(self.source, self.details.name, a, b)

    def _show_diff(self, work_result: DiffWork) -> None:
        if work_result.name != self.selected:
            return
        title = self.query_one("#models-diff-title", Static)
        table = self.query_one("#models-diff-table", DataTable)
        table.clear()
        title.set_class(work_result.diff is None, "-error")
        if work_result.diff is None:
            title.update(literal(work_result.error))
            return
        diff = work_result.diff
        self.last_diff = diff
        head = f"{diff.a.label} ({diff.a.commit[:7]}) -> {diff.b.label} ({diff.b.commit[:7]})"
        if diff.empty:
            head += ": no difference in params, metrics or outputs"
        if diff.errors:
            head += "\n" + "\n".join(diff.errors[:2])
        title.update(literal(head))
        for row in rows.diff_rows(diff):
            table.add_row(*row)

    # -- actions --------------------------------------------------------------------------------

    def action_show_view(self, view: str) -> None:
        self.view = view
        self.query_one("#models-views", ContentSwitcher).current = VIEWS[view]
        if view == "diff":
            self._start_diff()

    def action_mark(self) -> None:
        spec = self._selected_spec()
        if spec is None:
            self.notify("Select a commit or version to compare from.", severity="warning", timeout=3)
            return
        self.base = spec
        self.notify(f"Diff base: {spec[1]} (select another and press d)", timeout=3)

    def action_open_config(self) -> None:
        """Show the params file of the current diff, between its two commits, in the Configs pane."""
        diff = self.last_diff
        if diff is None or self.snapshot is None or self.view != "diff":
            self.notify("Open a diff first (d), then press c.", severity="warning", timeout=3)
            return
        path = next(iter(diff.params), "params.yaml")
        self.post_message(OpenConfigRevision(str(Path(self.snapshot.root) / path), diff.a.commit, diff.b.commit))

    def action_reload(self) -> None:
        self.load()
