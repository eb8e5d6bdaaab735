"""One record in full: every parsed field, pretty JSON, and the raw text; copy or save it."""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from mlops_tui.sources.logs import LogRecord
from mlops_tui.sources.logs.record import masked
from mlops_tui.widgets.text import literal, sanitize

RAW_SHOWN = 100_000  # characters of the raw text rendered; copy and save carry all of it (masked)


class RecordDetail(ModalScreen[None]):
    """Fields, JSON and raw text of one record."""

    DEFAULT_CSS = """
    RecordDetail { align: center middle; }
    RecordDetail > VerticalScroll { width: 90%; height: 90%; background: $panel; border: round $primary; padding: 0 1; }
    RecordDetail .detail-title { color: $accent; text-style: bold; margin-top: 1; }
    RecordDetail .detail-head { color: $text; }
    """
    BINDINGS = [
        Binding("escape,q,enter", "dismiss", "Close", id="logs.detail.close"),
        Binding("c,y", "copy", "Copy raw", id="logs.detail.copy"),
    ]

    def __init__(self, record: LogRecord) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        record = masked(self.record)  # copy carries the masked record too (see action_copy)
        stamp = record.timestamp.isoformat() if record.timestamp else "-"
        level = record.level.label if record.level is not None else "-"
        lines = f"{record.line}" if record.end_line == record.line else f"{record.line}-{record.end_line}"
        with VerticalScroll():
            yield Static(literal(f"{record.source}:{lines}  {stamp}  {level}  format {record.format}"), classes="detail-head")
            yield Static(literal("Message"), classes="detail-title")
            yield Static(literal(record.message or "-", limit=RAW_SHOWN))
            if record.fields:
                width = min(32, max(len(k) for k in record.fields))
                table = "\n".join(f"{sanitize(k, 64).ljust(width)}  {sanitize(_value(v), 2000)}" for k, v in record.fields.items())
                yield Static(literal("Fields"), classes="detail-title")
                yield Static(literal(table))
                if record.format in ("json", "docker"):
                    yield Static(literal("JSON"), classes="detail-title")
                    yield Static(literal(json.dumps(record.fields, indent=2, ensure_ascii=False, default=str), limit=RAW_SHOWN))
            yield Static(literal("Raw"), classes="detail-title")
            yield Static(literal(record.raw, limit=RAW_SHOWN), id="detail-raw")

    def action_copy(self) -> None:
        raw = masked(self.record).raw  # as shown: secret fields masked
        self.app.copy_to_clipboard(raw)
        self.notify(f"copied {len(raw):,} characters", markup=False)


def _value(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
