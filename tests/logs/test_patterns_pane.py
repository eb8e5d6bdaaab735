"""The patterns view of the Logs pane driven by keys: templates mined, Enter shows a template's records,
`x` hides templates, Esc goes back, progress shows while a big file is mined."""

from __future__ import annotations

import re
import time
from pathlib import Path

from support.app_factory import make_app

from mlops_tui.widgets.logs import LogsPane
from mlops_tui.widgets.logs.patterns import PatternsTable, PatternsView
from mlops_tui.widgets.logs.view import LogView

HDFS = Path(__file__).parent / "samples" / "patterns" / "hdfs-datanode.log"
LINES = HDFS.read_text().splitlines()


async def until(pilot, condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"condition not reached; workers: {[(w.name, w.state.name, w.error) for w in pilot.app.workers]}"
        await pilot.pause(0.02)


def shown_lines(app) -> list[str]:
    view = app.query_one(LogView)
    return [view.source.rows(view.source_row(r), 1)[0].raw for r in range(view.row_count)]


def table_rows(app) -> list[str]:
    table = app.query_one(PatternsTable)
    return [" ".join(str(cell) for cell in table.get_row_at(r)) for r in range(table.row_count)]


def note(app) -> str:
    return str(app.query_one("#patterns-note").render())


def bar(app) -> str:
    return str(app.query_one("#logs-bar").render())


async def open_patterns(pilot, path=HDFS):
    app = pilot.app
    await pilot.press("3")
    await until(pilot, lambda: app.query_one(LogsPane).source is not None and app.query_one(LogView).row_count > 0)
    app.query_one(LogView).focus()
    await pilot.pause()
    await pilot.press("p")
    view = app.query_one(PatternsView)
    await until(pilot, lambda: view.result is not None and view.result.done and app.query_one(PatternsTable).row_count)
    return view


def make(path=HDFS):
    return make_app(dotlist=[f"logs.files=[{path}]", "logs.follow=false"])


async def test_enter_shows_the_records_of_a_template_and_escape_clears(tmp_path):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_patterns(pilot)
        assert app.focused is app.query_one(PatternsTable)
        assert note(app) == "9 templates in 1,500 records"
        rows = table_rows(app)
        assert rows[0].split()[:3] == [str(sum("Receiving block" in line for line in LINES)), "25.2%", "info"]
        assert rows[1].endswith("PacketResponder <*> for block <*> terminating")
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.query_one(LogView).display and app.query_one(LogView).row_count == 299)
        expected = [line for line in LINES if re.search(r"PacketResponder \d for block \S+ terminating$", line)]
        assert shown_lines(app) == expected
        assert "pattern: PacketResponder <*> for block <*> terminating" in bar(app) and "(299 shown)" in bar(app)
        assert app.focused is app.query_one(LogView)
        await pilot.press("escape")
        await until(pilot, lambda: app.query_one(LogView).row_count == len(LINES))
        assert "pattern" not in bar(app)


async def test_x_hides_templates_and_their_stack_traces(tmp_path):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_patterns(pilot)
        await pilot.press("x")  # the most frequent: Receiving block
        assert table_rows(app)[0].split()[-7:] == ["✕", "Receiving", "block", "<*>", "src:", "<*>", "dest:", "<*>"][-7:]
        assert note(app).endswith("· 1 pattern hidden")
        warn = next(n for n, row in enumerate(table_rows(app)) if "exception while serving" in row)
        await pilot.press(*["down"] * warn, "x", "escape")
        await until(pilot, lambda: app.query_one(LogView).display and app.query_one(LogView).row_count < len(LINES))
        shown = shown_lines(app)
        hidden = [line for line in LINES if "Receiving block" in line or " WARN " in line or line.startswith(("java.io", "\tat "))]
        assert len(shown) == len(LINES) - len(hidden) and not set(shown) & set(hidden)
        assert "2 patterns hidden" in bar(app)
        await pilot.press("p")  # back in the patterns: the cursor is where it was; x shows the WARN template again
        await until(pilot, lambda: app.query_one(PatternsTable).display and app.focused is app.query_one(PatternsTable))
        await pilot.press("x", "escape")
        await until(pilot, lambda: app.query_one(LogView).row_count == len(LINES) - sum("Receiving block" in l for l in LINES))
        assert "1 pattern hidden" in bar(app)


async def test_progress_while_a_big_file_is_mined_and_keys_answer(tmp_path):
    big = tmp_path / "big.log"
    big.write_text((HDFS.read_text()) * 120)  # 192,240 lines
    app = make(big)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: app.query_one(LogsPane).source is not None and app.query_one(LogsPane).source.complete)
        app.query_one(LogView).focus()
        await pilot.press("p")
        view = app.query_one(PatternsView)
        await until(pilot, lambda: view.result is not None and app.query_one(PatternsTable).row_count == 9)
        partial = view.result
        assert not partial.done and 0 < partial.records < 180_000
        assert re.match(r"mining \d+% · 9 templates in [\d,]+ records", note(app))
        statuses = app.query_one("#status-line").statuses
        assert statuses["logs.patterns"].state.value == "loading"
        await pilot.press("down")  # the table answers while the worker mines
        assert app.query_one(PatternsTable).cursor_row == 1
        await until(pilot, lambda: view.result.done)
        assert view.result.records == 180_000 and note(app) == "9 templates in 180,000 records"
        await until(pilot, lambda: statuses["logs.patterns"].state.value == "ok")
        assert statuses["logs.patterns"].reason == "9 templates in 180,000 records"
        assert app.query_one(PatternsTable).cursor_row == 1  # kept on its template across refills


async def test_footer_and_help_name_the_keys(tmp_path):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_patterns(pilot)
        keys = {b.binding.id for b in app.screen.active_bindings.values() if b.enabled and b.binding.show}
        assert {"logs.patterns.show", "logs.patterns.exclude", "logs.patterns.back", "logs.patterns"} <= keys
        assert "logs.search" not in keys and "logs.level" not in keys  # list keys are off in the patterns view
        await pilot.press("question_mark")
        await pilot.pause()
        help_rows = [" ".join(map(str, table.get_row_at(i)))
                     for table in app.screen.query("DataTable.help-keys") for i in range(table.row_count)]
        for binding_id in ("logs.patterns", "logs.patterns.show", "logs.patterns.exclude", "logs.patterns.back"):
            assert any(binding_id in row for row in help_rows), binding_id


async def test_template_text_is_shown_literally(tmp_path):
    hostile = tmp_path / "hostile.log"
    hostile.write_text("".join(f"2023-11-07 10:15:3{i},000 - api - ERROR - [bold red]boom[/] \x1b]0;title\x07 id {i}\n"
                               for i in range(3)))
    app = make(hostile)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_patterns(pilot)
        (row,) = table_rows(app)
        assert row.split()[:3] == ["3", "100.0%", "error"]
        assert row.endswith("[bold red]boom[/] ␛]0;title␇ id <*>") and "\x1b" not in row
