"""A log file truncated, rewritten shorter or deleted while a command or the pane reads it: the records read
so far, then a message naming what happened (exit 3), never a traceback or a count passed off as whole.
The change is made as soon as the reading process has the file open (found in /proc), on a file big enough
that its reading is not over by then."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from hostile.measure import count, run
from support.app_factory import make_app
from support.waits import until

LINE = "2026-12-01 10:00:00,{ms:03d} {level} api [1] request {n} done with some text here\n"
LINES = 1_500_000  # ~100 MB: more than a moment to read on any machine here


@pytest.fixture(scope="module")
def big_log(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("changing") / "template.log"
    block = "".join(LINE.format(ms=n % 1000, level="ERROR" if n % 97 == 0 else "INFO", n=n) for n in range(10_000))
    with path.open("w") as handle:
        for _ in range(LINES // 10_000):
            handle.write(block)
    return path


def reader_of(path: Path) -> int | None:
    """The pid of another process that has path open, if any."""
    target = str(path)
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == target for fd in os.listdir(f"/proc/{pid}/fd")):
                return int(pid)
        except OSError:
            continue
    return None


def bytes_read(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/io") as io:
            return next(int(line.split()[1]) for line in io if line.startswith("rchar:"))
    except (OSError, StopIteration):
        return -1


def change_once_read(path: Path, change, after: int = 30 << 20) -> threading.Thread:
    """Apply change(path) once another process holds path open and has read `after` bytes (of any file: the
    interpreter's own start reads a few MB), i.e. while it is in the middle of a ~100 MB file."""
    def watch() -> None:
        deadline = time.monotonic() + 60
        pid = None
        while time.monotonic() < deadline and pid is None:
            pid = reader_of(path)
            time.sleep(0.005)
        while pid is not None and time.monotonic() < deadline and 0 <= bytes_read(pid) < after:
            time.sleep(0.002)
        change(path)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def truncate(path: Path) -> None:
    os.truncate(path, 0)


def rewrite_shorter(path: Path) -> None:
    with path.open("r+") as handle:
        handle.truncate(0)
        handle.write(LINE.format(ms=1, level="INFO", n=0) * 100)


CHANGES = {"truncated": truncate, "rewritten shorter": rewrite_shorter}


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("args", [["request 59", "--count"], ["", "--level", "error", "--count"], ["request 59"]],
                         ids=["text count", "level count", "hits"])
def test_the_cli_says_the_file_shrank_under_it(big_log, tmp_path, change, args):
    log = tmp_path / "app.log"
    log.write_bytes(big_log.read_bytes())
    watcher = change_once_read(log, CHANGES[change])
    result = run(["logs", "search", *args, "--file", str(log)], hang_after=120)
    watcher.join(60)
    assert not result.hung and "Traceback" not in result.err, result
    assert result.code == 3 and "shrank" in result.err and "app.log" in result.err, result


def test_a_deleted_file_is_read_to_its_end_through_the_open_descriptor(big_log, tmp_path):
    log = tmp_path / "app.log"
    log.write_bytes(big_log.read_bytes())
    watcher = change_once_read(log, lambda path: path.unlink())
    result = run(["logs", "search", "", "--level", "error", "--count", "--file", str(log)], hang_after=120)
    watcher.join(60)
    assert result.code == 0 and int(result.out) == LINES // 10_000 * len(range(0, 10_000, 97)), result


async def test_the_pane_keeps_answering_when_its_file_is_truncated_while_indexed(big_log, tmp_path):
    count("inputs and faults tried")
    log = tmp_path / "app.log"
    log.write_bytes(big_log.read_bytes())
    app = make_app([f"logs.files=[{log}]"])
    async with app.run_test(size=(80, 24)) as pilot:
        from mlops_tui.widgets.logs import LogsPane

        await pilot.press("3")
        pane = app.query_one(LogsPane)
        await until(pilot, lambda: pane.source is not None and pane.source.row_count() > 0, what="indexing started")
        truncate(log)
        log.write_text(LINE.format(ms=5, level="ERROR", n=7) + LINE.format(ms=6, level="INFO", n=8))
        await until(pilot, lambda: "truncated" in str(getattr(pane.source, "error", "") or ""), timeout=60,
                    what="the truncation noticed")
        await pilot.press("question_mark")
        await until(pilot, lambda: app.screen.id != "_default" and app.screen is not app.screen_stack[0],
                    what="help opened")
        await pilot.press("escape", "end")
        await until(pilot, lambda: app.screen is app.screen_stack[0], what="help closed")
        assert app.return_code is None  # still running: no crash
