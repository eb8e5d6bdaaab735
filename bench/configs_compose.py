"""Figure: composing a Hydra project of 200 group files with per-key provenance, against Hydra's own
compose() in the same run; and the Configs pane's first composed view of the lightning-hydra-template copy.

Run: .venv/bin/python bench/configs_compose.py [--groups 20 --options 10 --repeat 5]
The project: an entry config choosing one option in each of 20 groups (10 options each, 200 files, each
option inheriting a `base` option through its own defaults list), composed with two group overrides and a
key override. Ours = hydra-core's loader plus the recorded layers replayed for provenance and every leaf
resolved; the peer = hydra.compose() through initialize_config_dir, the API a script would call.
Median of --repeat runs each, after one warm-up. The pane's figures come from fresh processes (Hydra not yet
imported): the first view opened once the pane is shown (its Hydra warm-up done), and opened at its first frame.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from textual.app import App

from mlops_tui.settings.configs import ConfigsSettings
from mlops_tui.widgets.configs import ConfigsPane

TEMPLATE = Path(__file__).resolve().parents[1] / "tests" / "configs" / "projects" / "lightning-hydra-template" / "configs"


def make_project(root: Path, groups: int, options: int) -> list[str]:
    defaults = []
    for g in range(groups):
        folder = root / f"group{g:02d}"
        folder.mkdir(parents=True)
        (folder / "base.yaml").write_text("".join(f"key{k}: {k}\nnested{k}:\n  a: ${{.a_ref}}\n  a_ref: {k}\n" for k in range(10)))
        for o in range(options - 1):
            (folder / f"opt{o}.yaml").write_text(f"defaults:\n  - base\n  - _self_\nkey{o}: changed\nname: opt{o}\n")
        defaults.append(f"  - group{g:02d}: opt0\n")
    (root / "train.yaml").write_text("defaults:\n  - _self_\n" + "".join(defaults) + "seed: 1\nname: ${group00.name}\n")
    return ["group01=opt3", "group02=opt4", "group03.key5=9"]


def timed(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


async def pane_first_view(at_once: bool) -> tuple[float, float]:
    settings = ConfigsSettings(paths=["."], overrides=["trainer=ddp"])

    class Bench(App):
        def compose(self):
            yield ConfigsPane(settings, cwd=TEMPLATE)

    app = Bench()
    async with app.run_test(size=(120, 40)) as pilot:
        async def wait() -> None:
            while any(w.group.startswith("configs") and not w.is_finished for w in app.workers):
                await app.workers.wait_for_complete([w for w in app.workers if w.group.startswith("configs")])
            await pilot.pause()

        pane = app.query_one(ConfigsPane)
        if not at_once:
            await wait()  # the file list shown, and the warm-up the pane starts then finished
        start = time.perf_counter()
        pane.open_merge(["train.yaml"])
        await wait()
        elapsed = time.perf_counter() - start
        assert pane.model.check is not None and pane.model.check.merged.composition is not None, str(app.query_one("#configs-title").render())
        start = time.perf_counter()
        pane.open_merge(["train.yaml"])
        await wait()
        return elapsed, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--options", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pane-only", choices=["shown", "at-once"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pane_only:
        first, again = asyncio.run(pane_first_view(args.pane_only == "at-once"))
        print(f"{first} {again}")
        return
    # the pane's figures in fresh interpreters first: Hydra not imported yet, as when a user opens the pane
    figures = {}
    for mode in ("shown", "at-once"):
        done = subprocess.run([sys.executable, __file__, "--pane-only", mode], capture_output=True, text=True, check=True)
        figures[mode] = tuple(map(float, done.stdout.split()[-2:]))
    from hydra import compose, initialize_config_dir

    from mlops_tui.sources.configs import merge_stack

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        overrides = make_project(root, args.groups, args.options)
        files = sum(1 for _ in root.rglob("*.yaml")) - 1
        merged = merge_stack([str(root / "train.yaml")], overrides)
        with initialize_config_dir(version_base="1.3", config_dir=str(root)):
            theirs = timed(lambda: compose("train", overrides), args.repeat)
        ours = timed(lambda: merge_stack([str(root / "train.yaml")], overrides), args.repeat)
    with initialize_config_dir(version_base="1.3", config_dir=str(TEMPLATE)):
        template_hydra = timed(lambda: compose("train", ["trainer=ddp"]), args.repeat)
    template_ours = timed(lambda: merge_stack([str(TEMPLATE / "train.yaml")], ["trainer=ddp"]), args.repeat)
    print(f"compose {files} group files, {len(merged.entries):,} keys with provenance and resolution: {ours * 1000:.0f} ms")
    print(f"hydra.compose() of the same project: {theirs * 1000:.0f} ms  (ratio ours/hydra {ours / theirs:.2f}x)")
    print(f"lightning-hydra-template train.yaml trainer=ddp: ours {template_ours * 1000:.0f} ms, hydra.compose() "
          f"{template_hydra * 1000:.0f} ms (ratio {template_ours / template_hydra:.2f}x)")
    (first, again), (at_once, _) = figures["shown"], figures["at-once"]
    print(f"Configs pane, first composed view of lightning-hydra-template train.yaml trainer=ddp (fresh process, goal < 500 ms): "
          f"{first * 1000:.0f} ms once the pane was shown; {at_once * 1000:.0f} ms when opened at the pane's first frame "
          f"(warm-up still running); the same view again: {again * 1000:.0f} ms")


if __name__ == "__main__":
    main()
