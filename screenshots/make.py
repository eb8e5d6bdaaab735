"""Regenerate screenshots/ (SVG, and PNG where rsvg-convert exists) of every pane on the demo sandbox.

Usage: python screenshots/make.py [--size 120x36]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import tempfile
from pathlib import Path

from mlops_tui.app import MlopsApp
from mlops_tui.demo.sandbox import demo_overrides, prepare
from mlops_tui.settings import load_settings

HERE = Path(__file__).resolve().parent
PANES = ["metrics", "models", "logs", "configs", "alerts"]


async def shoot(root: Path, size: tuple[int, int]) -> list[Path]:
    settings, _ = load_settings(dotlist=[*demo_overrides(root), "ui.clock=false"], environ={})
    app = MlopsApp(settings)
    written = []
    async with app.run_test(size=size) as pilot:
        for index, pane in enumerate(PANES, start=1):
            await pilot.press(str(index))
            await pilot.pause(2.0)  # the metrics sampler never completes: give loaders time, not workers.wait
            written.append(Path(app.save_screenshot(f"{pane}.svg", str(HERE))))
        await pilot.press("question_mark")
        await pilot.pause(0.3)
        written.append(Path(app.save_screenshot("help.svg", str(HERE))))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="120x36")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="mlops-tui-shots-") as tmp:
        root = prepare(Path(tmp) / "sandbox")
        svgs = asyncio.run(shoot(root, (width, height)))
    converter = shutil.which("rsvg-convert")
    for svg in svgs:
        if converter:
            subprocess.run([converter, str(svg), "-o", str(svg.with_suffix(".png"))], check=True)
        print(svg.relative_to(HERE.parent))


if __name__ == "__main__":
    main()
