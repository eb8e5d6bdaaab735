"""`textual_compat.shown_at_last_paint` against the pinned Textual: fails loudly if its internals move."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from mlops_tui.textual_compat import shown_at_last_paint


class Tall(App):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for n in range(60):
                yield Static(f"line {n}", id=f"l{n}")
        yield Static("hidden", id="hidden")


async def test_a_widget_scrolled_away_or_hidden_was_not_shown_at_the_last_paint():
    app = Tall()
    async with app.run_test(size=(40, 10)) as pilot:
        app.query_one("#hidden").display = False
        await pilot.pause()
        assert hasattr(app.screen, "_compositor"), "Textual no longer has Screen._compositor: rewrite the compat"
        assert shown_at_last_paint(app.query_one("#l0")) is True
        assert shown_at_last_paint(app.query_one("#l59")) is False  # scrolled away, though in the layout
        assert app.query_one("#l59").is_on_screen  # what the public API says instead, hence the compat
        assert shown_at_last_paint(app.query_one("#hidden")) is False
