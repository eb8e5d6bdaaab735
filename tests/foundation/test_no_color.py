"""Without colour (NO_COLOR, the mono theme) severity still stands out: ERROR lines are bold, so is a failing
source, where the colour alone used to tell them apart (under NO_COLOR an error was drawn like any line)."""

from __future__ import annotations

import pytest
from support.app_factory import make_app

from mlops_tui.widgets.logs.view import LogView
from mlops_tui.widgets.statusline import StatusLine

LINES = "".join(f'{{"@timestamp":"2023-11-07T10:{n:02d}:00Z","level":"{level}","message":"{level} line {n}"}}\n'
                for n, level in enumerate(["info", "error", "info", "warn", "critical", "info"]))


def styles_of(view: LogView, words: str) -> list:
    """The styles of the segments drawing `words` on the view's rows."""
    for y in range(view.scrollable_content_region.height):
        strip = view.render_line(y)
        if words in strip.text:
            return [segment.style for segment in strip if words in segment.text]
    raise AssertionError(f"{words!r} is not on screen")


@pytest.mark.parametrize("theme", ["mlops-dark", "mlops-mono"])
async def test_error_lines_stand_out_without_colour(tmp_path, monkeypatch, theme) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    log = tmp_path / "app.json"
    log.write_text(LINES)
    app = make_app([f"logs.files=[{log}]", f"ui.theme={theme}"])
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        await pilot.press("3")
        view = app.query_one(LogView)
        for _ in range(200):
            if view.row_count >= 6:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        assert all(style.bold for style in styles_of(view, "error line 1"))
        assert all(style.bold and style.reverse for style in styles_of(view, "critical line 4"))
        assert not any(style.bold for style in styles_of(view, "info line 0"))  # bold means something
        line = app.query_one(StatusLine)
        from mlops_tui.sources.base import SourceStatus

        line.set_status(SourceStatus.failing("logs.files", "cannot read app.json"))
        marks = [span for span in line.render().spans if "bold" in str(span.style)]
        assert marks, line.render().spans  # the failing mark and state word are bold
