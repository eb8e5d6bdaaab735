"""Rows wider than the screen at 80x24: a search hit is scrolled into view, Left/Right pan the text under the
line numbers, Ctrl+W wraps long rows over several screen lines."""

from __future__ import annotations

import pytest

from mlops_tui.widgets.logs import LogsPane
from mlops_tui.widgets.logs.view import LogView
from support.app_factory import make_app
from support.waits import until

PAD = "filler " * 25  # 175 columns: the end of each line is past an 80-column screen
LINES = [f"2023-11-07 10:15:{n:02d},000 - api - INFO - request {n} {PAD}{'NEEDLE found' if n == 30 else 'end'} {n}"
         for n in range(40)]


def screen(app) -> list[str]:
    view = app.query_one(LogView)
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


@pytest.fixture
def app(tmp_path):
    path = tmp_path / "wide.log"
    path.write_text("\n".join(LINES) + "\n")
    return make_app(dotlist=[f"logs.files=[{path}]"])


async def opened(pilot):
    await pilot.press("3")
    app = pilot.app
    await until(pilot, lambda: app.query_one(LogsPane).source is not None and app.query_one(LogView).row_count == 40,
                what="the log to open")
    app.query_one(LogView).focus()
    await pilot.pause()
    return app.query_one(LogView)


async def test_a_hit_past_the_right_edge_is_scrolled_into_view(app):
    async with app.run_test(size=(80, 24)) as pilot:
        view = await opened(pilot)
        assert not any("NEEDLE" in line for line in screen(app))
        await pilot.press("slash", *"needle", "enter")
        await until(pilot, lambda: view.cursor == 30, what="the cursor on the hit")
        await until(pilot, lambda: any("NEEDLE found" in line for line in screen(app)), what="the hit on screen",
                    describe=lambda: screen(app))
        row = next(line for line in screen(app) if "NEEDLE" in line)
        assert row.lstrip().startswith("31 ")  # its line number stays at the left


async def test_left_and_right_pan_the_text_not_the_line_numbers(app):
    async with app.run_test(size=(80, 24)) as pilot:
        view = await opened(pilot)
        first = screen(app)[0]
        assert first.startswith("  23 11-07 10:15:22 - api") and "end 22" not in first  # cut at the right edge; the date short
        await pilot.press("right")
        assert screen(app)[0].startswith("  23 ") and "11-07" not in screen(app)[0]  # the text moved, not the number
        for _ in range(15):
            await pilot.press("right")
        ends = screen(app)
        assert view.scroll_offset.x < view.PAN * 16  # it stops where the widest row on screen ends
        assert all(line.startswith(f"  {n + 23} ") and line.rstrip().endswith(f" {n + 22}") for n, line in enumerate(ends)), ends
        assert "NEEDLE found 30" in ends[8]  # the widest row ends at the right edge
        for _ in range(20):
            await pilot.press("left")
        assert view.scroll_offset.x == 0 and screen(app)[0] == first


async def test_ctrl_w_wraps_long_rows_and_back(app):
    async with app.run_test(size=(80, 24)) as pilot:
        view = await opened(pilot)
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert view.wrap
        lines = screen(app)
        shown = [line.rstrip() for line in lines if line.strip()]
        assert shown[-1].endswith("end 39") and shown[0].startswith("  37 11-07")  # following: whole rows, the last at the end
        assert [line[:5] for line in shown[:4]] == ["  37 ", "     ", "     ", "     "]  # one row, 4 lines, one number
        assert not any(len(line.rstrip()) > 80 for line in lines)
        await pilot.press("ctrl+w")
        assert not view.wrap and screen(app)[-1].startswith("  40 11-07") and "end 39" not in screen(app)[-1]


async def test_the_cursor_row_stays_whole_on_screen_while_wrapped(app):
    async with app.run_test(size=(80, 24)) as pilot:
        view = await opened(pilot)
        await pilot.press("ctrl+w", "home")
        for step in range(12):
            await pilot.press("down")
            lines = screen(app)
            cursor = f"{view.cursor + 1:>4} 11-07"
            at = next((i for i, line in enumerate(lines) if line.startswith(cursor)), None)
            assert at is not None, (view.cursor, view.scroll_offset, lines)
            assert at + 4 <= len(lines), (step, lines)  # its 4 lines all shown
        await pilot.press("right")
        assert view.scroll_offset.x == 0  # nothing to pan while wrapped


async def test_a_wide_screen_shows_the_line_as_written(app):
    async with app.run_test(size=(160, 30)) as pilot:
        await opened(pilot)
        assert any(line.startswith("  23 2023-11-07 10:15:22,000 - api - INFO - request 22") for line in screen(app))


async def test_at_80_columns_merged_rows_show_the_error_message(tmp_path):
    """Two files merged at 80x24: a short file column and a short date leave the message of an error line on
    screen (before, the file column and the header left none of it)."""
    (tmp_path / "feature-store-materializer.log").write_text(
        "2026-12-01 23:41:51,977 ERROR    feast.materialize [77] online write failed: Redis down\n")
    (tmp_path / "api.log").write_text("2026-12-01 23:41:50,000 INFO     api.http [12] GET /healthz 200\n")
    app = make_app(dotlist=[f"logs.files=[{tmp_path}/*.log]"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: app.query_one(LogView).row_count == 2, what="both files merged")
        await until(pilot, lambda: any("online write fai" in line for line in screen(app)),
                    what="the error's message on screen", describe=lambda: screen(app))
        row = next(line for line in screen(app) if "online write" in line)
        assert "feature-sto… 12-01 23:41:51 ERROR feast.materialize [77] online write fai" in row
