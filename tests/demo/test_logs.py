"""The demo's log backlog and the live log generator."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo.tools import NOW

from mlops_tui.demo.loggen import LogGenerator, write_backlog

FILES = ["api.jsonl", "batch-scorer.jsonl", "feature-store.log", "trainer.log"]


def wait_until(condition, timeout: float = 10.0) -> bool:
    """Poll a condition the generator thread makes true; False if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def text_time(line: str) -> datetime:
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=UTC)


def test_backlog_in_the_sandbox(sandbox: Path) -> None:
    logs = sandbox / "logs"
    assert sorted(p.name for p in logs.iterdir()) == FILES
    total = sum(len(p.read_text().splitlines()) for p in logs.iterdir())
    assert 2500 <= total <= 6000
    records = [json.loads(line) for name in FILES[:2] for line in (logs / name).read_text().splitlines()]
    assert {r["service.name"] for r in records} == {"api", "batch-scorer"}
    assert {r["log.level"] for r in records} == {"info", "warn", "error"}
    stamps = [datetime.fromisoformat(r["@timestamp"]) for r in records]
    assert NOW - timedelta(hours=6) <= min(stamps) and max(stamps) <= NOW
    api = [r for r in records if r["service.name"] == "api"]
    assert all(r["http.request.id"].startswith("req-") and r["event.duration"] > 0 for r in api)
    failed = [r for r in records if r["log.level"] == "error"]
    assert failed and all(r["error.stack_trace"].startswith("Traceback (most recent call last):") for r in failed)


def test_text_logs_have_levels_and_multiline_tracebacks(sandbox: Path) -> None:
    lines = (sandbox / "logs" / "trainer.log").read_text().splitlines()
    headed = [line for line in lines if line[:4].isdigit()]
    assert {line.split()[2] for line in headed} == {"DEBUG", "INFO", "WARNING", "ERROR"}
    times = [text_time(line) for line in headed]
    assert times == sorted(times)
    start = lines.index("Traceback (most recent call last):")
    assert " ERROR " in lines[start - 1]
    assert lines[start + 1].startswith('  File "/app/src/train.py"')
    assert "ValueError: Input X contains NaN." in lines[start + 1:start + 12]
    store = (sandbox / "logs" / "feature-store.log").read_text()
    assert "redis.exceptions.ConnectionError" in store and "request_id=req-" in store


def test_backlog_is_deterministic_for_a_given_end(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert write_backlog(a, end=NOW, events=300) == write_backlog(b, end=NOW, events=300)
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_generator_appends_whole_events_and_stops(tmp_path: Path) -> None:
    write_backlog(tmp_path, end=NOW, events=50)
    before = {name: (tmp_path / name).stat().st_size for name in FILES}
    with LogGenerator(tmp_path, interval=0.005, seed=1) as generator:
        assert generator.running
        assert wait_until(lambda: generator.lines_written >= 40)
    assert not generator.running
    assert generator.error is None
    after = {name: (tmp_path / name).stat().st_size for name in FILES}
    assert sum(after.values()) > sum(before.values())
    for name in FILES[:2]:  # every appended JSON line is complete
        new = (tmp_path / name).read_bytes()[before[name]:].decode()
        assert new.endswith("\n") or new == ""
        for line in new.splitlines():
            assert json.loads(line)["@timestamp"].startswith(str(datetime.now(UTC).year))
    generator_lines = sum(len((tmp_path / n).read_bytes()[before[n]:].splitlines()) for n in FILES)
    assert generator_lines == generator.lines_written
    assert {name: (tmp_path / name).stat().st_size for name in FILES} == after  # nothing after stop


def test_generator_stops_and_keeps_the_error_when_the_folder_goes_away(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    generator = LogGenerator(logs, interval=0.005, seed=2)
    generator.start()
    try:
        assert wait_until(lambda: generator.lines_written > 0)
        logs.rename(tmp_path / "moved")  # atomic, unlike rmtree racing with the writer
        assert wait_until(lambda: not generator.running)
        assert isinstance(generator.error, FileNotFoundError)
    finally:
        generator.stop()
