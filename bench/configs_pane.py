"""Figure: how long the Configs pane takes to show a diff and a merged view of two 50,000-key configs.

Run: .venv/bin/python bench/configs_pane.py [--keys 50000]
Drives the pane headless (Textual's run_test) and prints, for each step, the seconds until the screen
shows the result: open the diff tree, switch to side by side and walk to the first change, open the
merged view of both files. No other dashboard shows config diffs here, so there is no peer to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from textual.app import App

sys.path.insert(0, str(Path(__file__).parent))
from configs_diff import make_config, mutate  # noqa: E402

from mlops_tui.settings.configs import ConfigsSettings  # noqa: E402
from mlops_tui.widgets.configs import ConfigsPane  # noqa: E402


async def wait(pilot) -> None:
    while any(w.group.startswith("configs") and not w.is_finished for w in pilot.app.workers):
        await pilot.app.workers.wait_for_complete([w for w in pilot.app.workers if w.group.startswith("configs")])
    await pilot.pause()


async def run(keys: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old = make_config(keys)
        (folder / "old.json").write_text(json.dumps(old))
        (folder / "new.json").write_text(json.dumps(mutate(old, 0.01)))
        settings = ConfigsSettings(paths=["."])

        class Bench(App):
            def compose(self):
                yield ConfigsPane(settings, cwd=folder)

        app = Bench()
        async with app.run_test(size=(160, 48)) as pilot:
            await wait(pilot)
            pane = app.query_one(ConfigsPane)
            start = time.perf_counter()
            await pilot.press("z")  # a key nothing binds: what a key press and repaint cost by themselves
            await pilot.pause()
            idle_s = time.perf_counter() - start
            start = time.perf_counter()
            pane.open_diff("old.json", "new.json")
            await wait(pilot)
            diff_s = time.perf_counter() - start
            start = time.perf_counter()
            await pilot.press("n")
            await pilot.pause()
            next_tree_s = time.perf_counter() - start
            start = time.perf_counter()
            await pilot.press("s")
            await pilot.pause()
            side_s = time.perf_counter() - start
            start = time.perf_counter()
            await pilot.press("n")
            await pilot.pause()
            next_side_s = time.perf_counter() - start
            start = time.perf_counter()
            pane.open_merge(["old.json", "new.json"])
            await wait(pilot)
            merge_s = time.perf_counter() - start
            title = str(app.query_one("#configs-title").render())
    print(f"Configs pane, two {keys:,}-key configs (160x48, headless):")
    print(f"  (unbound key, baseline)  : {idle_s * 1000:8.1f} ms")
    print(f"  diff tree shown          : {diff_s * 1000:8.1f} ms")
    print(f"  next change in tree (n)  : {next_tree_s * 1000:8.1f} ms")
    print(f"  switch to side by side   : {side_s * 1000:8.1f} ms")
    print(f"  next change side by side : {next_side_s * 1000:8.1f} ms")
    print(f"  merged view shown        : {merge_s * 1000:8.1f} ms  ({title[:60]}...)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=50_000)
    asyncio.run(run(parser.parse_args().keys))


if __name__ == "__main__":
    main()
