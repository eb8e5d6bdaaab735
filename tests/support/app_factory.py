"""Build the real app for Pilot and snapshot tests, with the clock off and no user config read."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from mlops_tui.app import MlopsApp
from mlops_tui.settings import load_settings


class StartedApp(MlopsApp):
    """MlopsApp that hands its pilot over once every pane is built, as a person glancing at the first
    frame would; the hidden panes are mounted after it. Tests of that very start-up use MlopsApp."""

    @asynccontextmanager
    async def run_test(self, *args: Any, **kwargs: Any) -> AsyncIterator[Pilot]:
        async with super().run_test(*args, **kwargs) as pilot:
            await asyncio.wait_for(self.panes_ready.wait(), 30)
            yield pilot

    async def run_async(self, *args: Any, auto_pilot: Any = None, **kwargs: Any) -> Any:
        """Snapshots drive the app through run(auto_pilot=...): the same wait before it takes over."""
        if auto_pilot is not None:
            drive = auto_pilot

            async def auto_pilot(pilot: Pilot) -> None:
                await asyncio.wait_for(self.panes_ready.wait(), 30)
                await drive(pilot)

        return await super().run_async(*args, auto_pilot=auto_pilot, **kwargs)


def make_app(
    dotlist: Sequence[str] = (),
    pane_options: Mapping[str, Mapping[str, Any]] | None = None,
    config: str | Path | None = None,
    cwd: Path | None = None,
) -> StartedApp:
    """MlopsApp with settings from dotlist (and config), ignoring the environment and ~/.config."""
    settings, config_file = load_settings(
        config, ["ui.clock=false", *dotlist], environ={}, cwd=cwd or Path("/nonexistent-mlops-tui-cwd")
    )
    return StartedApp(settings, config_file=config_file, pane_options=pane_options)
