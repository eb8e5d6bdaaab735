"""One remote source's workers: every fetch of the Remote view runs here, through the poller.

Textual makes a worker group exclusive per node, so each source has a `SourceFeed` of its own: a newer
refresh of a source replaces its older one, and a slow server delays only its own rows and panels.
The workers post the messages below; the poller has already recorded what happened to the source.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, get_current_worker

from mlops_tui.sources.http import BackendError
from mlops_tui.sources.metrics.remote import ChartSpec, RemoteSeries
from mlops_tui.sources.metrics.remote.poller import QUERY_STATUSES, RemotePoller
from mlops_tui.widgets.pane import FailureReporter


@dataclass(frozen=True)
class ChartsJob:
    """The panels of one source to fetch over one window, for one set of charts (generation)."""

    items: list[tuple[str, ChartSpec]]  # (chart id, spec)
    start: float
    end: float
    step: float
    variables: dict[str, str]
    generation: int


class SourceFeed(FailureReporter, Widget):
    """Runs the fetches of one source (never displayed)."""

    DEFAULT_CSS = "SourceFeed { display: none; }"

    @dataclass
    class Fetched(Message):
        """The fleet of `source` was fetched: its rows are in the poller."""

        source: str

    @dataclass
    class Failed(Message):
        """A fetch of `source` failed as a whole (fleet, variables, or a worker that raised); the poller has
        the reason."""

        source: str

    @dataclass
    class ChartLoaded(Message):
        chart_id: str
        generation: int
        series: list[RemoteSeries]
        start: float
        end: float

    @dataclass
    class ChartFailed(Message):
        source: str
        chart_id: str
        generation: int
        reason: str
        query_only: bool
        """The query is wrong, the server is fine: only that panel says so."""

    @dataclass
    class VariableValues(Message):
        dashboard: str
        name: str
        values: list[str]

    def __init__(self, poller: RemotePoller, source: str) -> None:
        super().__init__()
        self.poller, self.source = poller, source

    @property
    def busy(self) -> bool:
        """A fetch of this source is still waiting for its server."""
        return any(not worker.is_finished for worker in self.workers)

    @work(thread=True, exclusive=True, group="metrics.remote.fetch", exit_on_error=False,
          name="metrics.remote.fleet")
    def fetch_fleet(self, at: float) -> None:
        try:
            self.poller.fleet(self.source, at=at)
        except BackendError:
            self.post_message(self.Failed(self.source))
            return
        self.post_message(self.Fetched(self.source))

    @work(thread=True, exclusive=True, group="metrics.remote.fetch", exit_on_error=False,
          name="metrics.remote.charts")
    def fetch_charts(self, job: ChartsJob) -> None:
        worker = get_current_worker()
        for chart_id, spec in job.items:
            if worker.is_cancelled:
                return
            try:
                series = self.poller.range(self.source, spec.query, job.start, job.end, job.step, job.variables,
                                           key=chart_id)
            except BackendError as exc:
                self.post_message(self.ChartFailed(self.source, chart_id, job.generation, str(exc),
                                                   exc.status in QUERY_STATUSES))
                continue
            self.post_message(self.ChartLoaded(chart_id, job.generation, series, job.start, job.end))

    @work(thread=True, exclusive=True, group="metrics.remote.variables", exit_on_error=False,
          name="metrics.remote.variables")
    def fetch_variables(self, dashboard: str, keys: dict[str, str]) -> None:
        for name, key in keys.items():
            try:
                values = self.poller.variable_values(self.source, key, variable=name)
            except BackendError:
                self.post_message(self.Failed(self.source))
                continue
            self.post_message(self.VariableValues(dashboard, name, values))

    def worker_failed(self, worker: Worker, error: BaseException | None) -> None:
        """A fetch raised something its source did not turn into a message (the poller recorded it)."""
        self.post_message(self.Failed(self.source))
