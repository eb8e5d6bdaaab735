"""The Logs pane driven like a user drives it: keys in, rows and status text out."""

from __future__ import annotations

import threading
import time

import pytest

from mlops_tui.sources.logs import FileSource

from mlops_tui.widgets.logs import LogsPane, parse_search
from mlops_tui.widgets.logs.detail import RecordDetail
from mlops_tui.widgets.logs.view import LogView
from mlops_tui.sources.logs import Mode
from support.app_factory import make_app
from support.waits import record_notifications

LINES = [
    '{"@timestamp":"2023-11-07T10:%02d:00Z","level":"%s","service":"%s","latency_ms":%d,"message":"%s"}'
    % (i, lv, svc, lat, msg)
    for i, (lv, svc, lat, msg) in enumerate(
        [("info", "api", 10, "request ok")] * 20
        + [("error", "api", 900, "upstream timeout")]
        + [("info", "worker", 5, "batch done")] * 20
        + [("warn", "worker", 600, "slow batch")]
        + [("info", "api", 10, "request ok [bold red]not markup[/]")] * 10
    )
]


async def until(pilot, condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"condition not reached; workers: {[(w.name, w.state.name, w.error) for w in pilot.app.workers]}; bar: {bar(pilot.app)}"
        await pilot.pause(0.02)


def screen_text(app) -> str:
    view = app.query_one(LogView)
    return "\n".join(view.render_line(y).text for y in range(view.scrollable_content_region.height))


def bar(app) -> str:
    return str(app.query_one("#logs-bar").render())


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "app.json"
    path.write_text("\n".join(LINES) + "\n")
    return path


def make(path, *extra: str):
    return make_app(dotlist=[f"logs.files=[{path}]", *extra])


async def open_pane(pilot):
    await pilot.press("3")
    app = pilot.app
    await until(pilot, lambda: app.query_one(LogsPane).source is not None and app.query_one(LogView).row_count > 0)
    app.query_one(LogView).focus()
    await pilot.pause()
    return app.query_one(LogsPane)


async def test_opens_at_the_end_following(log):
    app = make(log)
    async with app.run_test(size=(100, 24)) as pilot:
        await open_pane(pilot)
        text = screen_text(app)
        assert "request ok [bold red]not markup[/]" in text  # last rows, markup shown literally
        assert "upstream timeout" not in text
        assert "following" in bar(app) and "line 52/52" in bar(app)


async def test_follow_appends_and_pause_on_scroll_up(log):
    app = make(log, "logs.follow=true")
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await open_pane(pilot)
        pane.poll_interval = 0.02
        with open(log, "a") as handle:
            handle.write('{"level":"error","message":"appended while following"}\n')
        await until(pilot, lambda: "appended while following" in screen_text(app))
        await pilot.press("up")
        assert "paused" in bar(app)
        with open(log, "a") as handle:
            handle.write('{"level":"info","message":"second append"}\n')
        await until(pilot, lambda: "line 52/54" in bar(app))
        assert "second append" not in screen_text(app).split("\n")[-1]
        await pilot.press("end")
        await until(pilot, lambda: "second append" in screen_text(app))
        assert "following" in bar(app)


async def test_search_next_previous_and_filter(log):
    app = make(log)
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("slash")
        await pilot.press(*"timeout")
        await pilot.press("enter")
        await until(pilot, lambda: not pane.searching and pane.hits)
        assert "timeout: 1 hit" in bar(app)
        assert "line 21/52" in bar(app)  # cursor jumped to the hit
        await pilot.press("slash")
        await pilot.press("ctrl+u", *"service=worker", "enter")
        await until(pilot, lambda: not pane.searching and len(pane.hits) == 21)
        await pilot.press("n")
        first = bar(app)
        await pilot.press("n")
        assert bar(app) != first
        await pilot.press("f")
        await until(pilot, lambda: app.query_one(LogView).row_count == 21)
        shown = screen_text(app)
        assert "batch done" in shown and "request ok" not in shown
        assert "filter" in bar(app) and "(21 shown)" in bar(app)
        await pilot.press("escape")
        await until(pilot, lambda: app.query_one(LogView).row_count == 52)


async def test_level_filter(log):
    app = make(log)
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await open_pane(pilot)
        for _ in range(4):  # debug, info, warn, error
            await pilot.press("l")
        await until(pilot, lambda: not pane.searching and app.query_one(LogView).row_count == 1)
        assert "upstream timeout" in screen_text(app) and "level ≥ error" in bar(app)
        await pilot.press("l", "l")  # critical, then all
        await until(pilot, lambda: app.query_one(LogView).row_count == 52)


async def test_time_jump(log):
    app = make(log)
    async with app.run_test(size=(100, 24)) as pilot:
        await open_pane(pilot)
        await pilot.press("t", *"10:20", "enter")
        await until(pilot, lambda: "line 21/52" in bar(app))
        await pilot.press("t", *"-10m", "enter")
        await until(pilot, lambda: "line 11/52" in bar(app))


async def test_detail_view_and_copy(log):
    app = make(log)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("t", *"10:20", "enter")
        await until(pilot, lambda: "line 21/52" in bar(app))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RecordDetail))
        texts = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        assert "latency_ms" in texts and "900" in texts and '"service": "api"' in texts
        assert "app.json:21" in texts
        copied = []
        app.copy_to_clipboard = copied.append
        await pilot.press("c")
        assert copied and '"upstream timeout"' in copied[0]
        await pilot.press("escape")
        assert not isinstance(app.screen, RecordDetail)
        del pane


async def test_save_results(log, tmp_path):
    app = make(log)
    target = tmp_path / "saved.txt"
    async with app.run_test(size=(100, 24)) as pilot:
        notified = record_notifications(app)
        pane = await open_pane(pilot)
        await pilot.press("slash", *"slow", "enter")
        await until(pilot, lambda: not pane.searching and pane.hits)
        await pilot.press("s", "ctrl+u", *str(target), "enter")
        await until(pilot, lambda: target.exists() and target.read_text().endswith("\n"))
        assert target.read_text().splitlines() == [LINES[41]]
        await pilot.press("s", "ctrl+u", *str(target), "enter")  # never overwrites
        await until(pilot, lambda: any("not saved" in message for message in notified))


async def test_missing_file_is_a_message_not_a_crash(tmp_path):
    app = make(tmp_path / "nope.log")
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.press("3")
        note = app.query_one("#logs-note")
        await until(pilot, lambda: "cannot open" in str(note.render()))
        assert "nope.log" in str(note.render())


async def test_bad_regex_is_a_notification(log):
    app = make(log)
    async with app.run_test(size=(100, 24)) as pilot:
        notified = record_notifications(app)
        await open_pane(pilot)
        await pilot.press("slash", *"/(/", "enter")
        await pilot.pause()
        assert any("bad regex" in message for message in notified), notified


def test_search_box_syntax():
    assert parse_search("/err(or)?/ service=api").mode is Mode.REGEX
    assert parse_search('"Exact"').mode is Mode.LITERAL
    query = parse_search("timeout latency_ms>500")
    assert (query.pattern, query.mode, len(query.filters)) == ("timeout", Mode.IGNORE_CASE, 1)
    assert parse_search("  ") is None


async def test_hostile_lines_reach_the_screen_as_visible_text(tmp_path):
    path = tmp_path / "hostile.log"
    path.write_bytes(b"[bold red]markup[/] \x1b[2J\x1b]0;title\x07 nul\x00 \xff\xfe end\n" + b"x" * 300_000 + b"\n")
    app = make(path)
    async with app.run_test(size=(100, 24)) as pilot:
        await open_pane(pilot)
        text = screen_text(app)
        assert "[bold red]markup[/] ␛[2J␛]0;title␇ nul␀ \ufffd\ufffd end" in text
        assert not any(ch in text for ch in "\x1b\x07\x00")
        assert "xxxx" in text and len(text.splitlines()[1]) <= 100


async def test_only_visible_rows_are_read(tmp_path):
    path = tmp_path / "many.log"
    path.write_text("".join(f"2023-11-07 10:15:30,000 - app - INFO - row {i}\n" for i in range(200_000)))
    app = make(path, "logs.follow=false")
    async with app.run_test(size=(100, 24)) as pilot:
        await open_pane(pilot)
        await until(pilot, lambda: app.query_one(LogView).row_count == 200_000)
        view = app.query_one(LogView)
        assert "row 199999" in screen_text(app)
        assert len(view.children) == 0 and len(view._cache) <= 4 * view.scrollable_content_region.height
        await pilot.press("home")
        assert "row 0" in screen_text(app).splitlines()[0]
        assert len(view._cache) <= 4 * view.scrollable_content_region.height


class GatedFileSource(FileSource):
    """A real FileSource whose indexing pauses after its first step until the test opens the gate."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()
        self.steps = 0

    def refresh(self, budget=None) -> bool:
        self.steps += 1
        if self.steps > 1:
            self.gate.wait(30)
        return super().refresh(budget)


async def test_end_of_a_file_still_being_indexed_shows_at_once(tmp_path):
    path = tmp_path / "big.log"
    line = "2023-11-07 10:15:30,000 - app - INFO - filler " + "x" * 150 + "\n"
    path.write_text(line * 100_000 + "2023-11-07 10:15:31,000 - app - ERROR - the very last line\n")  # ~20 MB
    source = GatedFileSource(path)
    app = make_app(pane_options={"logs": {"source": source}})
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: "the very last line" in screen_text(app))
        assert not source.complete
        assert "end of file" in bar(app) and "…" in screen_text(app).splitlines()[-1]
        source.gate.set()
        await until(pilot, lambda: "line 100,001/100,001" in bar(app))
        assert "the very last line" in screen_text(app).splitlines()[-1]
    source.close()


async def test_pane_and_cli_agree(log, tmp_path):
    import json
    import subprocess
    import sys

    cli = subprocess.run([sys.executable, "-m", "mlops_tui", "logs", "search", "--file", str(log), "--field", "latency_ms>500", "--json"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=60, env={"XDG_CONFIG_HOME": str(tmp_path), "PATH": ""})
    assert cli.returncode == 0, cli.stderr
    cli_lines = [json.loads(line)["line"] for line in cli.stdout.splitlines()]
    app = make(log)
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("slash", *"latency_ms>500", "enter")
        await until(pilot, lambda: not pane.searching and pane.hits)
        assert [row + 1 for row in pane.hits] == cli_lines == [21, 42]
        assert "2 hits" in bar(app)


async def test_jump_out_of_range_is_a_message_and_the_pane_keeps_working(log):
    app = make(log)
    async with app.run_test(size=(100, 24)) as pilot:
        notified = record_notifications(app)
        await open_pane(pilot)
        await pilot.press("t", *"+99999999999d", "enter")
        await until(pilot, lambda: any("too long" in message for message in notified))
        assert app.is_running and not any(w.state.name == "ERROR" for w in app.workers)
        await pilot.press("t", *"10:20", "enter")
        await until(pilot, lambda: "line 21/52" in bar(app))


async def test_a_failed_search_keeps_the_rows_and_says_why(log):
    app = make(log)
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await open_pane(pilot)

        def broken(*args, **kwargs):
            raise OSError(5, "Input/output error")
            yield

        pane.source.search = broken
        await pilot.press("slash", *"timeout", "enter")
        await until(pilot, lambda: not pane.searching and "cannot read: Input/output error" in str(app.query_one("#logs-note").render()))
        assert app.query_one(LogView).row_count == 52 and pane.has_class("-error")


async def test_loosest_level_filter_keeps_lines_without_a_level_and_says_so(tmp_path):
    path = tmp_path / "proxy.log"
    path.write_text("[10.30 16:49:06] chrome.exe - proxy:5070 open through proxy HTTPS\n"
                    "[10.30 16:49:08] chrome.exe - proxy:5070 error : Could not connect through proxy\n")
    app = make(path)
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("l")  # debug and worse: records without a level stay
        await until(pilot, lambda: not pane.searching and app.query_one(LogView).row_count == 2)
        assert "level ≥ debug or none" in bar(app)
        await pilot.press("l")  # info and worse: they go, though a message says "error"
        await until(pilot, lambda: not pane.searching and app.query_one(LogView).row_count == 0)
        assert "level ≥ info" in bar(app) and "or none" not in bar(app)
