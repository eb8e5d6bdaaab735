"""Screenshots of the Logs pane on fixed files (follow off, clock off), at 80x24 and 160x48."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.app_factory import make_app

from mlops_tui.widgets.logs import LogsPane
from mlops_tui.widgets.logs.patterns import PatternsView
from mlops_tui.widgets.logs.view import LogView

SAMPLES = Path(__file__).parent / "samples"

HOSTILE = (
    "2023-11-07 10:15:33,000 - api - ERROR - [bold red]markup stays text[/] \x1b[2J\x1b]0;title\x07 nul\x00 end\n"
    "2023-11-07 10:15:34,000 - api - INFO - " + "long " * 2000 + "\n"
)


@pytest.fixture
def files(tmp_path):
    python = tmp_path / "api.log"
    python.write_bytes(((SAMPLES / "python.log").read_text() * 3 + HOSTILE).encode() + b"bad utf8 \xff\xfe\n")
    worker = tmp_path / "worker.json"
    worker.write_text("".join(
        f'{{"@timestamp":"2023-11-07T10:15:{i:02d}.500","level":"{lv}","message":"step {i}","latency_ms":{i * 37}}}\n'
        for i, lv in enumerate(["info", "debug", "warn", "error", "info", "critical", "info", "trace"] * 3)
    ))
    return tmp_path


def logs_busy(app) -> bool:
    return any(w.group.startswith("logs") and not w.is_finished for w in app.workers)


def mining(app) -> bool:
    """The patterns view is shown and its last mined result, the one that says done, is not painted yet: the
    worker can finish before its last message is handled, and a busy machine shows the gap."""
    pane = app.query_one(LogsPane)
    view = app.query_one(PatternsView)
    return pane.has_class("-patterns") and (view.result is None or not view.result.done)


def settled(*keys: str, wait_search: bool = True):
    async def run_before(pilot) -> None:
        await pilot.press("3")
        app = pilot.app
        deadline = time.monotonic() + 20
        while app.query_one(LogView).row_count == 0:
            assert time.monotonic() < deadline
            await pilot.pause(0.02)
        while logs_busy(app):
            assert time.monotonic() < deadline
            await pilot.pause(0.02)
        app.query_one(LogView).focus()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        pane = app.query_one(LogsPane)
        while wait_search and pane.searching:
            assert time.monotonic() < deadline
            await pilot.pause(0.02)
        while logs_busy(app) or mining(app):
            assert time.monotonic() < deadline
            await pilot.pause(0.02)
        app.query_one("#status-line").display = False  # other panes' sources answer in varying order
        await pilot.pause()
        await pilot.pause()

    return run_before


def app_for(*paths: Path):
    return make_app(dotlist=[f"logs.files=[{','.join(str(p) for p in paths)}]", "logs.follow=false"])


def test_following_80x24_hostile_lines(snap_compare, files):
    assert snap_compare(app_for(files / "api.log"), terminal_size=(80, 24), run_before=settled())


def test_search_hits_160x48(snap_compare, files):
    keys = ("slash", *"division", "enter")
    assert snap_compare(app_for(files / "api.log"), terminal_size=(160, 48), run_before=settled(*keys))


def test_detail_80x24(snap_compare, files):
    keys = ("slash", *"ZeroDivision", "enter", "enter")
    assert snap_compare(app_for(files / "api.log"), terminal_size=(80, 24), run_before=settled(*keys))


def test_merged_with_level_filter_160x48(snap_compare, files):
    keys = ("l", "l", "l")  # warn and worse
    assert snap_compare(app_for(files / "api.log", files / "worker.json"), terminal_size=(160, 48), run_before=settled(*keys))


def test_patterns_80x24(snap_compare):
    """The patterns view of a real-shaped HDFS log, mined to the end."""
    hdfs = SAMPLES / "patterns" / "hdfs-datanode.log"
    assert snap_compare(app_for(hdfs), terminal_size=(80, 24), run_before=settled("p"))


def test_patterns_filter_80x24(snap_compare):
    """Enter on the second template: the log list shows its records only, the bar says which."""
    hdfs = SAMPLES / "patterns" / "hdfs-datanode.log"
    assert snap_compare(app_for(hdfs), terminal_size=(80, 24), run_before=settled("p", "down", "enter"))
