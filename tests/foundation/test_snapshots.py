"""SVG snapshots of the shell (help, alerts pane) at 80x24 and 160x48."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from support.app_factory import make_app

from mlops_tui.sources.base import SourceState

SIZES = [(80, 24), (160, 48)]
RULES = ("alerts.rules=["
         "{name: api errors, kind: log, source: files, expr: 'level>=error service=api', threshold: 10, window: 10m,"
         " summary: '{{ $value }} errors in 10m', severity: critical},"
         "{name: api errors sustained, kind: log, source: files, expr: 'level>=error service=api', threshold: 5,"
         " for: 30m},"
         "{name: memory nearly full, expr: memory, op: '>=', threshold: 99, severity: critical},"
         "{name: feature drift, kind: drift, expr: age, threshold: 0.2,"
         " reference: /nonexistent/train.csv, current: /nonexistent/prod.csv}]")


def api_log(folder: Path) -> str:
    """15 api errors in the last five minutes, written relative to now: the first two rules fire and pend."""
    now = datetime.now(timezone.utc)
    path = folder / "api.log"
    with path.open("w") as out:
        for i in range(30):
            stamp = (now - timedelta(seconds=10 * (30 - i))).isoformat()
            out.write(json.dumps({"timestamp": stamp, "level": "error" if i % 2 else "info", "service": "api",
                                  "message": f"request {i}"}) + "\n")
    return f"logs.files=[{path}]"


SOURCES = {"metrics.local", "models.repo", "logs.files", "configs", "alerts", "drift"}


def settled(*keys: str):
    """Press keys once every source has answered: the status line is in the picture, and the local
    metrics' first sample (0.5 s after the pane is built) would otherwise be in it or not by chance."""

    async def run_before(pilot) -> None:
        line = pilot.app.query_one("#status-line")
        deadline = time.monotonic() + 20
        while set(line.statuses) != SOURCES or any(s.state is SourceState.LOADING for s in line.statuses.values()):
            assert time.monotonic() < deadline, line.statuses
            await pilot.pause(0.02)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_alerts_pane(snap_compare, size, tmp_path) -> None:
    app = make_app([RULES, api_log(tmp_path), "configs.paths=[]", f"alerts.history={tmp_path}/alerts.sqlite"])
    assert snap_compare(app, terminal_size=size, run_before=settled("5"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, size) -> None:
    app = make_app(["configs.paths=[]"])
    assert snap_compare(app, terminal_size=size, run_before=settled("5", "question_mark"))
