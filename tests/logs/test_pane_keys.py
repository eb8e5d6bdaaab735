"""lnav's keys in the Logs pane at 80x24: e/E next/previous error, w/W next/previous warning."""

from __future__ import annotations

import pytest

from mlops_tui.widgets.logs import LogsPane
from mlops_tui.widgets.logs.view import LogView
from support.app_factory import make_app
from support.waits import record_notifications, until

LEVELS = {5: "ERROR", 10: "WARNING", 14: "CRITICAL", 20: "ERROR", 25: "WARNING"}
LINES = [f"2023-11-07 10:15:{n:02d},000 - api - {LEVELS.get(n, 'INFO')} - "
         + ("parity error corrected" if n == 3 else f"event {n}") for n in range(1, 31)]
LINES.insert(20, "Traceback (most recent call last):")  # a continuation of the error at line 20: not a record


@pytest.fixture
def app(tmp_path):
    path = tmp_path / "app.log"
    path.write_text("\n".join(LINES) + "\n")
    return make_app(dotlist=[f"logs.files=[{path}]"])


async def opened(pilot):
    await pilot.press("3")
    app = pilot.app
    await until(pilot, lambda: app.query_one(LogsPane).source is not None and app.query_one(LogView).row_count == 31,
                what="the log to open")
    view = app.query_one(LogView)
    view.focus()
    await pilot.press("home")
    return view


async def line_after(pilot, view, key: str, line: int) -> None:
    await pilot.press(key)
    await until(pilot, lambda: view.cursor + 1 == line, what=f"{key} to reach line {line}",
                describe=lambda: view.cursor + 1)


async def test_e_and_shift_e_walk_the_errors(app):
    async with app.run_test(size=(80, 24)) as pilot:
        view = await opened(pilot)
        for line in (5, 14, 20):  # error, critical, error; the INFO line saying "error" is not one
            await line_after(pilot, view, "e", line)
        seen = record_notifications(app)
        await pilot.press("e")
        await until(pilot, lambda: seen, what="a note")
        assert seen == ["no error after line 20"] and view.cursor + 1 == 20
        for line in (14, 5):
            await line_after(pilot, view, "E", line)
        assert not view.follow


async def test_w_and_shift_w_walk_the_warnings(app):
    async with app.run_test(size=(80, 24)) as pilot:
        view = await opened(pilot)
        await line_after(pilot, view, "w", 10)
        await line_after(pilot, view, "w", 26)  # the 25th event, after the traceback line
        await line_after(pilot, view, "W", 10)
        seen = record_notifications(app)
        await pilot.press("W")
        await until(pilot, lambda: seen, what="a note")
        assert seen == ["no warning before line 10"]


async def test_the_keys_are_in_help_and_off_in_the_patterns_view(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        pane = app.query_one(LogsPane)
        assert pane.check_action("level_jump", ("error", 1)) is True
        await pilot.press("p")
        await until(pilot, lambda: pane.has_class("-patterns"), what="the patterns view")
        assert pane.check_action("level_jump", ("error", 1)) is False
        ids = {binding.id for binding in LogsPane.BINDINGS}
        assert {"logs.next_error", "logs.previous_error", "logs.next_warning", "logs.previous_warning"} <= ids


async def test_o_opens_another_file_beside_the_one_shown(app, tmp_path):
    other = tmp_path / "worker.log"
    other.write_text("2023-11-07 10:15:02,500 - worker - ERROR - worker lost its GPU\n")
    async with app.run_test(size=(80, 24)) as pilot:
        view = await opened(pilot)
        pane = app.query_one(LogsPane)
        seen = record_notifications(app)
        await pilot.press("o", *str(tmp_path / "nosuch.log"), "enter")
        await until(pilot, lambda: seen, what="a note")
        assert seen[0].startswith("not opened:") and "nosuch.log" in seen[0] and view.row_count == 31
        await pilot.press("o", *str(other), "enter")
        await until(pilot, lambda: view.row_count == 32 and pane.source is not None and pane.source.complete,
                    what="both files shown", describe=lambda: view.row_count)
        await pilot.press("home", "e")
        await until(pilot, lambda: view.cursor == 2, what="the other file's error, merged in time order",
                    describe=lambda: view.cursor)
        record = pane.source.record_at(view.source_row(view.cursor))
        assert (record.source, record.message) == ("worker.log", "worker lost its GPU")
        assert "worker.log" in view.render_line(view.cursor - view.scroll_offset.y).text  # rows say their file


def shown_lines(pane) -> list[int]:
    view = pane.view
    return [view.source_row(r) + 1 for r in range(view.row_count)]


async def test_stacked_filter_in_and_out_rules_listed_and_removed(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        pane = app.query_one(LogsPane)
        assert pane.check_action("ask", ("unrule",)) is False  # x offers nothing yet
        await pilot.press("plus", *"event 2", "enter")  # events 2, 20-29 (and the traceback of 20)
        await until(pilot, lambda: pane.view.rules is not None, what="the rule applied",
                    describe=lambda: (pane.rules, [(w.name, w.state, w.error) for w in app.workers], pane.asking, app.focused))
        assert shown_lines(pane) == [2, 20, 21, *range(22, 31)]
        await pilot.press("minus", *"/WARNING|CRITICAL/", "enter")
        await until(pilot, lambda: len(shown_lines(pane)) == 11, what="the second rule", describe=lambda: shown_lines(pane))
        assert 26 not in shown_lines(pane)  # the 25th event is a warning
        bar = str(app.query_one("#logs-bar").render())
        assert "rules 1:+event 2 2:-/WARNING|CRITICAL/" in bar and "(11 shown)" in bar
        assert pane.check_action("ask", ("unrule",)) is True
        seen = record_notifications(app)
        await pilot.press("x", "backspace", *"9", "enter")
        await until(pilot, lambda: seen, what="a note")
        assert seen[0].startswith("no rule '9'")
        await pilot.press("x", "backspace", "1", "enter")  # the + rule goes: only the - rule is left
        await until(pilot, lambda: len(shown_lines(pane)) == 28, what="one rule left", describe=lambda: shown_lines(pane))
        await pilot.press("x", "enter")  # the number offered is the last rule's
        await until(pilot, lambda: pane.view.subset is None, what="no rules")
        assert pane.view.row_count == 31 and "rules" not in str(app.query_one("#logs-bar").render())
