"""Line-drawn widgets cache their base style; a theme change must still reach what they paint."""

from __future__ import annotations

from textual.app import App, ComposeResult

from mlops_tui.themes import load_themes
from mlops_tui.widgets.lines import InfoLine


class OneLine(App[None]):
    def __init__(self) -> None:
        super().__init__()
        for theme in load_themes().values():
            self.register_theme(theme)
        self.theme = "mlops-dark"

    def compose(self) -> ComposeResult:
        yield InfoLine("[bold]not markup[/] \x1b[31m", id="line")


async def test_info_line_is_literal_and_follows_theme_changes() -> None:
    app = OneLine()
    async with app.run_test(size=(40, 3)) as pilot:
        line = app.query_one(InfoLine)
        strip = line.render_line(0)
        assert strip.text.startswith("[bold]not markup[/] \u241b[31m"), strip.text
        dark = line.base_style
        assert dark == line.rich_style
        app.theme = "mlops-light"
        await pilot.pause()
        assert line.base_style == line.rich_style
        assert line.base_style.bgcolor != dark.bgcolor
        assert list(line.render_line(0))[0].style == line.rich_style
        line.set_text("second")
        await pilot.pause()
        assert "second" in app.export_screenshot()
