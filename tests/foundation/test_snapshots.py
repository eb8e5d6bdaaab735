"""SVG snapshots of the shell (help, alerts pane) at 80x24 and 160x48."""

from __future__ import annotations

import pytest
from support.app_factory import make_app

SIZES = [(80, 24), (160, 48)]
RULES = ("alerts.rules=[{name: cpu saturated, expr: cpu.total, op: '>', threshold: 90, for_seconds: 60, "
         "severity: critical}, {name: model server errors, kind: log, expr: 'level>=error service=api', "
         "threshold: 10, for_seconds: 300}]")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_alerts_pane(snap_compare, size) -> None:
    app = make_app([RULES, "configs.paths=[]"])
    assert snap_compare(app, terminal_size=size, press=["5"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, size) -> None:
    app = make_app(["configs.paths=[]"])
    assert snap_compare(app, terminal_size=size, press=["5", "question_mark"])
