"""SVG snapshots of the shell (help, alerts pane) at 80x24 and 160x48."""

from __future__ import annotations

import time

import pytest
from support.app_factory import make_app

from mlops_tui.sources.base import SourceState

SIZES = [(80, 24), (160, 48)]
RULES = ("alerts.rules=[{name: cpu saturated, expr: cpu, op: '>', threshold: 90, for: 1m, "
         "severity: critical}, {name: model server errors, kind: log, expr: 'level>=error service=api', "
         "threshold: 10, for: 5m}]")


SOURCES = {"metrics.local", "models.repo", "logs.files", "configs", "alerts"}


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
def test_alerts_pane(snap_compare, size) -> None:
    app = make_app([RULES, "configs.paths=[]"])
    assert snap_compare(app, terminal_size=size, run_before=settled("5"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, size) -> None:
    app = make_app(["configs.paths=[]"])
    assert snap_compare(app, terminal_size=size, run_before=settled("5", "question_mark"))
