"""The field sidebar of a cluster search: the fields from `_field_caps` (name and type) and, for the
highlighted one, its top values with absolute counts over every hit (a terms aggregation). `+` and `-`
add a filter chip on the highlighted value (in or out)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from mlops_tui.sources.logs.search_engine import Chip, FieldInfo, TopValues
from mlops_tui.widgets.text import literal, sanitize


class FieldSidebar(Vertical):
    DEFAULT_CSS = """
    FieldSidebar { width: 36; border-left: solid $primary; }
    FieldSidebar #fields-list { height: 1fr; }
    FieldSidebar #fields-values { height: 1fr; }
    FieldSidebar #fields-head { height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("plus,equals_sign", "chip(False)", "Filter in", id="logs.cluster.filter_in"),
        Binding("minus", "chip(True)", "Filter out", id="logs.cluster.filter_out"),
    ]

    class Chosen(Message):
        """A field was highlighted: its top values are wanted."""

        def __init__(self, field: str) -> None:
            super().__init__()
            self.field = field

    class AddChip(Message):
        def __init__(self, chip: Chip) -> None:
            super().__init__()
            self.chip = chip

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.fields: list[FieldInfo] = []
        self.top: TopValues | None = None

    def compose(self) -> ComposeResult:
        yield Static(literal("fields"), id="fields-head")
        yield OptionList(id="fields-list")
        yield OptionList(id="fields-values")

    def show_fields(self, fields: list[FieldInfo]) -> None:
        self.fields = fields
        box = self.query_one("#fields-list", OptionList)
        box.clear_options()
        box.add_options([Option(literal(f"{sanitize(f.name, 19):<19} {f.type[:7]}"), id=f"f{i}")
                         for i, f in enumerate(fields)])
        self.query_one("#fields-head", Static).update(literal(f"{len(fields)} fields"))

    def show_top(self, top: TopValues) -> None:
        self.top = top
        box = self.query_one("#fields-values", OptionList)
        box.clear_options()
        rows = [Option(literal(f"{count:>9,} {sanitize(value, 20)}"), id=f"v{i}")
                for i, (value, count) in enumerate(top.values)]
        if top.other:
            rows.append(Option(literal(f"{top.other:>9,} (other values)"), disabled=True))
        if top.missing:
            rows.append(Option(literal(f"{top.missing:>9,} (no value)"), disabled=True))
        if not rows:
            rows.append(Option(literal("no values in these hits"), disabled=True))
        box.add_options(rows)
        self.query_one("#fields-head", Static).update(literal(f"{sanitize(top.field, 20)}: top of {top.total:,} hits"))

    def show_note(self, text: str) -> None:
        box = self.query_one("#fields-values", OptionList)
        box.clear_options()
        box.add_option(Option(literal(text), disabled=True))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "fields-list" and event.option.id:
            event.stop()
            self.post_message(self.Chosen(self.fields[int(event.option.id[1:])].name))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_list.id == "fields-list":
            self.query_one("#fields-values", OptionList).focus()

    def action_chip(self, negated: bool) -> None:
        values = self.query_one("#fields-values", OptionList)
        option = values.highlighted_option
        if self.top is None or option is None or not option.id or not option.id.startswith("v"):
            self.notify("highlight a value (Enter on a field, then the arrows), then + or -", markup=False)
            return
        value = self.top.values[int(option.id[1:])][0]
        self.post_message(self.AddChip(Chip(self.top.field, value, negated)))
