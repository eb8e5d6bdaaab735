"""The real app under Pilot while the fault lasts: a FIFO as a log, a 2 GB line of NUL bytes, a
billion-laughs config and a trickling backend. The pane says what is wrong, keeps answering keys, and
`q` ends the app (a FIFO opened for reading used to block its worker thread, and the process, forever)."""

from __future__ import annotations

import asyncio
import html
import os
import re
import resource
import time
from pathlib import Path

import pytest
from hostile.measure import count
from support.app_factory import make_app

from mlops_tui.sources.metrics.recorded import RecordedMetricSource, synthetic_snapshots
from mlops_tui.widgets.logs.detail import RecordDetail
from mlops_tui.widgets.logs.view import LogView
from mlops_tui.widgets.statusline import StatusLine

GIB = 1024 ** 3
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))


async def until(pilot, condition, seconds: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not reached: {what}; status: {status(pilot.app)}"
        await pilot.pause(0.05)


def status(app) -> str:
    return str(app.query_one(StatusLine).render())


def note(app, selector: str) -> str:
    return str(app.query_one(selector).render())


async def quits(pilot) -> None:
    """`q` ends the app within seconds, with no worker left running."""
    count("inputs and faults tried")
    app = pilot.app
    await pilot.press("q")
    try:
        await asyncio.wait_for(_exited(app), 10)
    except TimeoutError:
        count("hangs past the deadline")
        raise


async def _exited(app) -> None:
    while app.is_running:
        await asyncio.sleep(0.02)


async def test_a_fifo_as_a_log_is_a_message_and_q_quits(tmp_path):
    fifo = tmp_path / "app.log"
    os.mkfifo(fifo)
    app = make_app([f"logs.files=[{fifo}]"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: "FIFO" in note(app, "#logs-note"), what="the FIFO named")
        await quits(pilot)


async def test_a_2_gb_line_of_nul_bytes_is_cut_and_the_pane_answers(tmp_path):
    log = tmp_path / "sparse.log"
    with log.open("wb") as handle:
        handle.write(b"2023-11-07 10:00:00,000 - app - INFO - before\n")
        handle.truncate(handle.tell() + 2 * GIB)  # sparse: no disk, 2 GiB of NUL bytes to read
        handle.seek(0, os.SEEK_END)
        handle.write(b"\n2023-11-07 10:00:01,000 - app - INFO - after\n")
    app = make_app([f"logs.files=[{log}]"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        view = app.query_one(LogView)
        view.focus()
        latencies: list[float] = []
        while "loading" in status(app):  # keys answer while the 2 GiB are indexed
            pressed = time.monotonic()
            await pilot.press("home", "end")
            latencies.append(time.monotonic() - pressed)
            await pilot.pause(0.2)
        print("key latencies while indexing:", [round(x, 2) for x in latencies])
        assert latencies and max(latencies) < 5, latencies  # the issue saw a ~100 s freeze
        await until(pilot, lambda: view.row_count >= 3, seconds=60, what="the three lines indexed")
        await pilot.press("home", "end")
        await pilot.pause()
        text = "\n".join(view.render_line(y).text for y in range(view.scrollable_content_region.height))
        assert "before" in text and "after" in text
        await pilot.press("home", "down", "enter")  # the NUL line's detail: cut at the bound, marked
        await until(pilot, lambda: isinstance(app.screen, RecordDetail), what="the detail view")
        shown = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        assert "[line cut at 16,777,216 bytes: limits.log_line_bytes]" in shown
        await pilot.press("escape")
        await quits(pilot)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    count("inputs and faults tried")
    if peak_mib > 1024:  # the issue saw 4.2 GB; this process also holds pytest and the suite
        count("runs over the memory bound")
    assert peak_mib < 1024


async def test_a_billion_laughs_config_is_refused_and_q_quits(tmp_path):
    (tmp_path / "laughs.yaml").write_text(LAUGHS)
    (tmp_path / "small.yaml").write_text("a: 1\n")
    app = make_app(["configs.compare=[laughs.yaml,small.yaml]"], pane_options={"configs": {"cwd": tmp_path}})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await until(pilot, lambda: "limits.config_nodes" in note(app, "#configs-note"), what="the bound named")
        await quits(pilot)


@pytest.mark.parametrize("mode", ["trickle", "trickle-head"])
async def test_a_trickling_backend_is_slow_then_timed_out_while_keys_answer(hostile_server, mode):
    """A byte a second never trips the per-read timeout: the pane says "slow" once the answer is awaited for
    half the refresh period, then "timed out" at limits.http_deadline, and answers keys all along."""
    app = make_app([f"metrics.prometheus=[{{name: drip, url: '{hostile_server.url(mode)}', timeout: 5, retries: 3}}]",
                    "limits.http_deadline=4", "metrics.remote_refresh=2"],
                   pane_options={"metrics": {"source": RecordedMetricSource(synthetic_snapshots(3))}})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "v")
        started = time.monotonic()
        statuses = app.query_one(StatusLine).statuses
        seen: list[str] = []
        latencies: list[float] = []
        while time.monotonic() - started < 4 + 8:
            reason = getattr(statuses.get("metrics.drip"), "reason", "") or ""
            if reason and (not seen or seen[-1] != reason.split(":")[0]):
                seen.append(reason.split(":")[0])
            if "timed out" in reason:
                break
            pressed = time.monotonic()
            await pilot.press("question_mark")  # help opens and closes while the answer trickles
            await until(pilot, lambda: app.screen.id != "_default", seconds=5, what="help open")
            await pilot.press("escape")
            latencies.append(time.monotonic() - pressed)
            await pilot.pause(0.1)
        print("statuses seen:", seen, "key latencies:", [round(x, 2) for x in latencies])
        assert any(s.startswith("slow") for s in seen), seen
        assert "timed out" in statuses["metrics.drip"].reason, seen
        assert [s.startswith("slow") for s in seen].index(True) < len(seen) - 1  # slow came before timed out
        assert latencies and max(latencies) < 5, latencies
        assert "failing" in status(app) or "stale" in status(app)
        await quits(pilot)


async def test_a_small_log_that_does_not_grow_is_not_left_loading(tmp_path):
    """The issue saw a small, still log stay "loading" in the status line for ever."""
    log = tmp_path / "still.log"
    log.write_text("2023-11-07 10:00:00,000 - app - INFO - one\n2023-11-07 10:00:01,000 - app - INFO - two\n")
    app = make_app([f"logs.files=[{log}]"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        statuses = app.query_one(StatusLine).statuses
        await until(pilot, lambda: "logs.files" in statuses and statuses["logs.files"].state.value != "loading",
                    seconds=10, what="logs.files past loading")
        assert statuses["logs.files"].state.value == "ok", statuses["logs.files"]
        await quits(pilot)


async def test_a_gzip_bomb_answer_is_refused_in_the_remote_view_while_keys_answer(hostile_server):
    """The stand-in's gzip answer inflates to 2 GiB (the issue saw the Remote view freeze and 6.4 GB
    resident): the view names the bound, keys answer while and after it is refused, and the process's
    resident memory, sampled every 10 ms by a thread all along, grows by far less than the bomb."""
    import threading

    import psutil

    me = psutil.Process()
    peak = [me.memory_info().rss]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            peak[0] = max(peak[0], me.memory_info().rss)

    app = make_app([f"metrics.prometheus=[{{name: bomb, url: '{hostile_server.url('gzip-bomb')}', timeout: 10, retries: 1}}]",
                    "metrics.remote_refresh=30"],
                   pane_options={"metrics": {"source": RecordedMetricSource(synthetic_snapshots(3))}})
    async with app.run_test(size=(80, 24)) as pilot:
        base = me.memory_info().rss
        peak[0] = base
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        await pilot.press("1", "v")
        statuses = app.query_one(StatusLine).statuses
        latencies: list[float] = []
        started = time.monotonic()
        while len(latencies) < 5 or "limits.http_answer_bytes" not in (getattr(statuses.get("metrics.bomb"), "reason", "") or ""):
            assert time.monotonic() - started < 60, status(app)
            pressed = time.monotonic()
            await pilot.press("question_mark")  # help opens and closes, during the fetch and after the refusal
            await until(pilot, lambda: app.screen.id != "_default", seconds=5, what="help open")
            await pilot.press("escape")
            await until(pilot, lambda: app.screen.id == "_default", seconds=5, what="help closed")
            latencies.append(time.monotonic() - pressed)
            await pilot.pause(0.1)
        done.set()
        sampler.join()
        grown_mib = (peak[0] - base) / 2**20
        reason = statuses["metrics.bomb"].reason
        print("reason:", reason, "key latencies:", [round(x, 2) for x in latencies], f"rss grew {grown_mib:.0f} MiB")
        assert "larger than 67,108,864 bytes" in reason, reason
        assert "failing" in status(app) and "bomb" in status(app)
        screen = html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")
        assert "larger than 67,108,864 bytes" in screen and "limits.http_answer_bytes" in screen  # on the view, uncut
        assert max(latencies) < 5, latencies
        count("inputs and faults tried")
        if grown_mib > 300:
            count("runs over the memory bound")
        assert grown_mib < 300, grown_mib  # the 64 MiB bound and its parse, not the 2 GiB inflated
        await quits(pilot)
