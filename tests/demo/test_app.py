"""The app opened with the demo overrides shows the sandbox's models and configs."""

from __future__ import annotations

import html
from pathlib import Path

from support.app_factory import make_app

from mlops_tui.demo.sandbox import demo_overrides
from mlops_tui.sources.base import SourceState


async def wait_for_sources(app, pilot, names: set[str], rounds: int = 200) -> dict:
    """Let the app run until every named source reported something other than loading."""
    statuses = app.query_one("#status-line").statuses
    for _ in range(rounds):
        if names <= {n for n, s in statuses.items() if s.state is not SourceState.LOADING}:
            break
        await pilot.pause(0.05)
    return statuses


async def test_models_and_configs_panes_read_the_sandbox(sandbox: Path) -> None:
    app = make_app(dotlist=demo_overrides(sandbox), cwd=sandbox)
    async with app.run_test(size=(160, 48)) as pilot:
        app.action_show_pane("models")
        statuses = await wait_for_sources(app, pilot, {"models.repo", "configs"})
        assert statuses["models.repo"].state is SourceState.OK, statuses["models.repo"]
        assert statuses["configs"].state is SourceState.OK, statuses["configs"]
        await pilot.pause(0.2)
        screen = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        assert "churn" in screen and "fraud" in screen
        assert "v2.0.0" in screen and "v1.5.1" in screen
