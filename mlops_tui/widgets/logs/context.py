"""A cluster hit's surrounding documents (Kibana's context view), opened from its detail with `a`: the
documents just newer and older than the hit in the whole index pattern, newest first, the hit marked; `n` and
`o` read 5 more newer or older, `f` narrows to the hit's own service, then its host, then none. The state
is `sources.logs.cluster.SurroundingDocuments`; the reads run in a worker."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from mlops_tui.sources.logs.cluster import ResultWindow, SurroundingDocuments
from mlops_tui.sources.logs.record import masked
from mlops_tui.widgets.logs.detail import RecordDetail
from mlops_tui.widgets.logs.hits import hit_text
from mlops_tui.widgets.pane import describe_failure
from mlops_tui.widgets.text import literal, sanitize

HOST_FIELD = "host.name"


class ClusterDetail(RecordDetail):
    """A cluster hit in full, and `a` for the documents around it."""

    BINDINGS = [Binding("a", "around", "Surrounding", id="logs.detail.around")]

    def __init__(self, window: ResultWindow, row: int, service_field: str = "service.name") -> None:
        super().__init__(window.record(row))
        self.window, self.row, self.service_field = window, row, service_field

    def action_around(self) -> None:
        self.app.push_screen(SurroundingScreen(self.window, self.row, self.service_field))


class SurroundingScreen(ModalScreen[None]):
    """The documents around one hit (see the module's text)."""

    DEFAULT_CSS = """
    SurroundingScreen { align: center middle; }
    SurroundingScreen > VerticalScroll { width: 96%; height: 94%; background: $panel; border: round $primary; }
    SurroundingScreen #around-info { height: auto; padding: 0 1; color: $text-muted; }
    SurroundingScreen #around-rows { padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="logs.around.close"),
        Binding("n", "newer", "5 newer", id="logs.around.newer"),
        Binding("o", "older", "5 older", id="logs.around.older"),
        Binding("f", "narrow", "Same service/host", id="logs.around.narrow"),
    ]

    class Read(Message):
        def __init__(self, around: SurroundingDocuments | None, failure: str = "") -> None:
            super().__init__()
            self.around, self.failure = around, failure

    def __init__(self, window: ResultWindow, row: int, service_field: str = "service.name") -> None:
        super().__init__()
        self.window, self.row, self.service_field = window, row, service_field
        self.narrowing: tuple[str | None, ...] = (None, service_field, HOST_FIELD)
        self.at = 0
        self.around: SurroundingDocuments | None = None
        self.failure = ""

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="around-info")
            yield Static(id="around-rows")

    def on_mount(self) -> None:
        self._read("load")

    @work(exclusive=True, group="around", exit_on_error=False, thread=True, name="logs.around")
    def _read(self, what: str) -> None:
        try:
            around = self.around
            if what == "load" or around is None:
                around = SurroundingDocuments(self.window, self.row, same=self.narrowing[self.at]).load()
            elif what == "newer":
                around.more_newer()
            else:
                around.more_older()
        except Exception as exc:  # shown on the screen; what was read stays
            self.post_message(self.Read(None, describe_failure(exc)))
            return
        self.post_message(self.Read(around))

    @on(Read)
    def _shown(self, message: Read) -> None:
        self.failure = message.failure
        if message.around is not None:
            self.around = message.around
        self.query_one("#around-info", Static).update(literal(self.info()))
        if self.around is not None:
            self.query_one("#around-rows", Static).update(literal(self.text()))

    def info(self) -> str:
        same = self.narrowing[self.at]
        head = "surrounding documents" + (f" with the same {same}" if same else " (every document)")
        parts = [head]
        if self.around is not None:
            parts.append(f"{len(self.around.newer)} newer" + (" (no more)" if self.around.newer_done else ""))
            parts.append(f"{len(self.around.older)} older" + (" (no more)" if self.around.older_done else ""))
        if self.failure:
            parts.append(f"failed: {self.failure}")
        return sanitize(" · ".join(parts), 600)

    def text(self) -> str:
        around = self.around
        lines = []
        for record in around.rows():
            mark = "▶ " if record is around.anchor else "  "
            lines.append(mark + sanitize(hit_text(masked(record), self.service_field), 400))
        return "\n".join(lines)

    def action_newer(self) -> None:
        self._read("newer")

    def action_older(self) -> None:
        self._read("older")

    def action_narrow(self) -> None:
        self.at = (self.at + 1) % len(self.narrowing)
        self.around = None
        self._read("load")
