"""Models pane: DVC and GTO versions.

The pane renders a `ModelsModel` (sources/models/controller: the repository, the staleness check, the selected
artifact, the diff pair) and turns keys into its calls; `mlops-tui models` calls the same functions. The side
of one artifact is `details.DetailsView`, the diff view `diff.DiffView`, the rows `rows`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Input, Sparkline, Static
from textual.worker import Worker

from mlops_tui.messages import OpenDrift, SourceStatusChanged
from mlops_tui.settings.models import ModelsSettings
from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.models import Diff, ModelRepository, ModelsError, Snapshot, TrainingFrequency, VersionDetails
from mlops_tui.sources.models.controller import (
    KEPT,
    STATUS_NAME,
    ArtifactDetails,
    ModelsModel,
    open_repository,
    registry_frequencies,
)
from mlops_tui.widgets.fitted import Column, FittedTable
from mlops_tui.widgets.models import rows
from mlops_tui.widgets.models.details import DetailsView
from mlops_tui.widgets.models.diff import DiffView
from mlops_tui.widgets.models.steps import Steps
from mlops_tui.widgets.pane import Pane, SourceNote, describe_failure, focus_now

VIEWS = {"history": "models-history", "registry": "models-registry", "diff": "models-diff"}


def _table(table_id: str, *columns: Column) -> FittedTable:
    return FittedTable(columns, id=table_id, cursor_type="row", zebra_stripes=True)


# What each table keeps as it narrows (widgets/fitted.py): the stages (which version is in prod) and the
# versions first; a diff keeps its name and both values, old and new.
ARTIFACTS = (Column("artifact", "artifact", shrink=8), Column("latest", "latest", keep=1),
             Column("age", "newest", keep=2), Column("stages", "stages"))
HISTORY = (Column("commit", "commit"), Column("date", "date", keep=4), Column("age", "age", keep=1),
           Column("change", "change", keep=2), Column("size", "size", keep=5), Column("tags", "tags", keep=3, shrink=12),
           Column("changed with", "changed with", keep=6, shrink=16), Column("message", "message", keep=7, shrink=20))
VERSIONS = (Column("version", "version"), Column("commit", "commit", keep=2), Column("registered", "registered", keep=3),
            Column("stages", "stages"), Column("author", "author", keep=4, shrink=10))
EVENTS = (Column("when", "when", keep=2), Column("artifact", "artifact", shrink=8), Column("version", "version"),
          Column("event", "event"), Column("tag", "tag", keep=3, shrink=12))
DIFF = (Column("kind", "kind", keep=2), Column("name", "name", shrink=12, cut_left=True), Column("old", "old", shrink=8),
        Column("new", "new", shrink=8), Column("change", "change", keep=1))


class ModelsPane(Steps, DetailsView, DiffView, Pane):
    """Artifacts, versions, stages and history of the DVC/GTO repository.

    Options: source= a ModelRepository to read instead of settings.repo; now= a datetime or a function
    returning one, so ages are frozen in tests.
    """

    DEFAULT_CSS = """
    ModelsPane #models-body { height: 1fr; }
    ModelsPane #models-left { width: 1fr; min-width: 30; height: 1fr; border-right: tall $panel; }
    ModelsPane #models-artifacts { height: 1fr; }
    ModelsPane #models-filter { height: 3; display: none; }
    ModelsPane #models-filter.-open { display: block; }
    ModelsPane #models-side { width: 1fr; height: 1fr; }
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
        Binding("t", "open_drift", "Drift", id="models.drift"),
        Binding("r", "reload", "Reload", id="models.reload"),
        Binding("escape", "back", "Back", id="models.back"),
    ]
    FOOTER_FIRST = (
        "models.versions", "models.diff", "app.search", "models.mark", "models.drift", "models.history", "models.reload",
    )
    """At 80 columns: the versions and the diff first, then the search, and the drift of the model's training data
    (widgets/footer.py)."""

    @dataclass
    class Loaded(Message):
        generation: int
        source: ModelRepository
        snapshot: Snapshot
        frequencies: dict[str, TrainingFrequency]

    @dataclass
    class DetailsLoaded(Message):
        details: ArtifactDetails

    @dataclass
    class DiffLoaded(Message):
        name: str
        a: str
        b: str
        diff: Diff

    @dataclass
    class VersionLoaded(Message):
        name: str
        version: str
        details: VersionDetails

    OTHER_SETTINGS = {"drift_current": ("drift", "current")}  # what `t` compares a version's training data with

    def __init__(
        self,
        settings: ModelsSettings,
        source: ModelRepository | None = None,
        now: datetime | Callable[[], datetime] | None = None,
        drift_current: str = "",
        **options,
    ) -> None:
        super().__init__(id="models-pane")
        self.settings = settings
        self.drift_current = drift_current
        self.injected = source
        self._now = now
        self.model = ModelsModel(settings.stale_after_days, settings.compare_stage)

    def now(self) -> datetime:
        if callable(self._now):
            return self._now()
        return self._now or datetime.now(timezone.utc)

    def compose(self) -> ComposeResult:
        yield SourceNote(id="models-note")
        with Horizontal(id="models-body"):
            with Vertical(id="models-left"):
                yield Input(placeholder="filter artifacts (Enter: keep, Esc: close)", id="models-filter")
                yield _table("models-artifacts", *ARTIFACTS)
            with Vertical(id="models-side"):
                yield Static(id="models-title")
                with Horizontal(id="models-freq-row"):
                    yield Sparkline([], id="models-spark")
                    yield Static(id="models-freq")
                with ContentSwitcher(id="models-views", initial="models-history"):
                    yield _table("models-history", *HISTORY)
                    with Vertical(id="models-registry"):
                        yield _table("models-versions", *VERSIONS)
                        yield Static(id="models-version-details")
                        yield _table("models-events", *EVENTS)
                    with Vertical(id="models-diff"):
                        yield Static(id="models-diff-title")
                        yield _table("models-diff-table", *DIFF)

    def on_mount(self) -> None:
        self.query_one(SourceNote).show(SourceStatus(STATUS_NAME, SourceState.LOADING, "reading git history"))
        self.load(self.model.begin_load())

    def on_unmount(self) -> None:
        if self.model.source is not None:
            self.model.source.close()

    def on_resize(self) -> None:
        self._size_left()

    def _size_left(self) -> None:
        """The artifacts panel takes half the width up to 60 columns, and more when its columns need it (a
        120-column terminal showed `newest` cut off beside empty cells), leaving the history 50 columns."""
        left = self.query_one("#models-left")
        if left.has_class("-zoomed"):
            return  # (widgets/zoom.py sizes a zoomed panel)
        body = self.query_one("#models-body").size.width or self.size.width
        if not body:
            return
        table = self.query_one("#models-artifacts", FittedTable)
        border = left.styles.border_right[0] != ""
        wanted = table.natural_width() + (1 if border else 0)
        left.styles.width = max(30, min(body // 2, 60), min(wanted, body - 50))

    def focus_default(self) -> None:
        focus_now(self.query_one("#models-artifacts", DataTable))

    def _show_status(self, status: SourceStatus) -> None:
        self.query_one(SourceNote).show(status)
        self.post_message(SourceStatusChanged(status))

    # -- the repository ---------------------------------------------------------------------------

    @work(exclusive=True, group="models", exit_on_error=False, thread=True, name="models.load")
    def load(self, generation: int) -> None:
        source, snapshot = open_repository(self.settings.repo, self.settings.stale_after_days, self.injected)
        try:
            frequencies = registry_frequencies(source, self.now())
        except BaseException:
            if source is not self.injected:
                source.close()
            raise
        self.post_message(self.Loaded(generation, source, snapshot, frequencies))

    def worker_failed(self, worker: Worker, error: BaseException | None) -> None:
        """The repository (or a diff, a version) cannot be read: say so and keep the last good view."""
        if isinstance(error, ModelsError) and worker.group == "models-diff":
            self._diff_failed(error)
        elif isinstance(error, ModelsError) and worker.group == "models-version":
            self._version_failed(error)
        elif isinstance(error, ModelsError):
            self._show_status(self.model.load_failed(error))
        else:
            self._show_status(SourceStatus.failing(STATUS_NAME, describe_failure(error), KEPT))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        current, retired = self.model.loaded(message.generation, message.source, message.snapshot, message.frequencies)
        if retired is not None and retired is not self.injected:
            retired.close()
        if not current:
            return
        snap = message.snapshot
        status = self.model.status()
        self._show_status(status)
        if self._reload_asked:
            self._reload_asked = False
            self.notify(f"Reloaded: {status.reason}", timeout=3)
        table = self.query_one("#models-artifacts", DataTable)
        self._fill_artifacts()
        self._size_left()
        events = self.query_one("#models-events", DataTable)
        events.clear()
        for e in snap.registry.events:
            events.add_row(*rows.event_row(e))
        target = self.model.target()
        if target is not None:
            if target in [name for name, _ in self._artifact_rows()]:
                table.move_cursor(row=table.get_row_index(target))
            self._select(target)

    @on(DataTable.RowHighlighted, "#models-artifacts")
    def _artifact_highlighted(self, event: DataTable.RowHighlighted) -> None:
        name = event.row_key.value if event.row_key else None
        if name and name != self.model.selected:
            self._select(name)

    def _select(self, name: str) -> None:
        self.model.select(name)
        if self.model.source is not None:
            self.load_details(self.model.source, name, self.now())

    # -- one artifact -----------------------------------------------------------------------------

    @on(DetailsLoaded)
    def _details_loaded(self, message: DetailsLoaded) -> None:
        if self.model.details_loaded(message.details):
            self._show_details(message.details)
            if self.model.view == "diff":
                self._start_diff()
            self.refresh_bindings()  # `t` shows once a version to take the training data of is known

    @on(DataTable.RowHighlighted, "#models-versions")
    def _version_highlighted(self, event: DataTable.RowHighlighted) -> None:
        at = self.model.version_at(event.cursor_row)
        if self.model.source is not None and at is not None:
            self.load_version(self.model.source, *at)

    @on(VersionLoaded)
    def _version_loaded(self, message: VersionLoaded) -> None:
        if self.model.version_answers(message.name, message.version):
            self._version_panel(rows.details_text(message.version, message.details))

    @on(DiffLoaded)
    def _diff_loaded(self, message: DiffLoaded) -> None:
        if self.model.diff_answers(message.name, message.a, message.b):
            self._show_diff(message.diff)

    # -- actions --------------------------------------------------------------------------------

    _reload_asked = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that can do nothing here are not shown: the view already shown, Esc with nothing to step back
        from, `c` (params in Configs) outside the Diff view, `t` without drift.current or a version to take
        the training data of."""
        if not self.query("#models-views"):
            return True
        if action == "show_view" and parameters and parameters[0] in ("history", "registry"):
            return parameters[0] != self.model.view
        if action == "back":
            return self.back_step() is not None
        if action == "open_config":
            return self.model.view == "diff"
        if action == "open_drift":
            return bool(self.drift_current) and self._drift_spec() is not None
        return True

    def _drift_spec(self) -> str | None:
        versions = self.query_one("#models-versions", DataTable)
        return self.model.drift_spec(versions.cursor_row if versions.row_count else None)

    def action_open_drift(self) -> None:
        """t: the Drift pane compares the version's training data (the data its dvc.lock stage read) with
        drift.current."""
        spec = self._drift_spec()
        if spec is None or not self.drift_current or self.model.snapshot is None:
            return
        self.post_message(OpenDrift(spec, self.drift_current, str(self.model.snapshot.root)))

    def action_show_view(self, view: str) -> None:
        self.model.view = view
        self.query_one("#models-views", ContentSwitcher).current = VIEWS[view]
        if view == "diff":
            self._start_diff()
        self.refresh_bindings()

    def action_reload(self) -> None:
        """r: read the repository again; a notification says what was read."""
        self._reload_asked = True
        self.load(self.model.begin_load())
