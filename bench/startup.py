"""Time from process start to first painted frame: mlops-tui on a prepared demo vs a bare Textual app vs toolong.

Usage: python bench/startup.py [--runs 5]
Figure: median seconds until the first frame's text reaches the terminal (80x24 pty); ratios in the same run.
mlops-tui paints its frame before it reads its settings (mlops_tui/app.py), so two more figures are printed
for it: seconds until the Metrics pane is built from the settings (its `Local Remote` row), and until it
shows its first figures (its `procs` count, with memory, load and disks; CPU rates come 0.5 s later).
The programs are measured in interleaved rounds (one start of each per round, after one unmeasured warm-up
round), so a machine that slows down or speeds up during the run weighs on all of them alike.
"""

from __future__ import annotations

import argparse
import sys

import statistics

from harness import OUT, PYTHON, Terminal, demo_argv, peer_venv, prepared_demo

BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("bare-app-ready")
Bare().run()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    root = prepared_demo()
    programs = {
        "mlops-tui": (lambda: Terminal(demo_argv(root), cwd=root), b"Metrics", (b"Remote", b"procs")),
        "bare": (lambda: Terminal([PYTHON, "-c", BARE_APP]), b"bare-app-ready", ()),
    }
    venv = peer_venv("toolong", "toolong==1.5.0")
    if venv is not None:
        log = OUT / "startup-toolong.log"
        log.write_text("".join(f"2026-11-29 03:00:{i % 60:02d} INFO startup line {i}\n" for i in range(2000)))
        programs["toolong"] = (lambda: Terminal([str(venv / "bin/tl"), str(log)]), b"startup line", ())
    times: dict[str, list[float]] = {name: [] for name in programs}
    later: dict[bytes, list[float]] = {b"Remote": [], b"procs": []}
    for round_ in range(args.runs + 1):  # round 0 warms the file cache and is not counted
        for name, (make_terminal, marker, later_markers) in programs.items():
            with make_terminal() as term:
                seconds = term.wait_for(marker)
                later_seconds = [term.wait_for(later_marker) for later_marker in later_markers]
            if round_:
                times[name].append(seconds)
                for later_marker, value in zip(later_markers, later_seconds):
                    later[later_marker].append(value)
    ours, bare = statistics.median(times["mlops-tui"]), statistics.median(times["bare"])
    built, figures = statistics.median(later[b"Remote"]), statistics.median(later[b"procs"])
    print(f"mlops-tui first paint: {ours:.3f} s (median of {args.runs}, interleaved with the others)")
    print(f"bare Textual app first paint: {bare:.3f} s")
    print(f"ratio mlops-tui / bare Textual: {ours / bare:.2f} (goal <= 1.3)")
    print(f"mlops-tui Metrics pane built from the settings: {built:.3f} s ({built / bare:.2f} x bare)")
    print(f"mlops-tui Metrics pane's first figures: {figures:.3f} s ({figures / bare:.2f} x bare)")
    if "toolong" in times:
        toolong = statistics.median(times["toolong"])
        print(f"toolong first paint (its log lines): {toolong:.3f} s")
        print(f"ratio mlops-tui / toolong: {ours / toolong:.2f} (goal < 1); pane built {built / toolong:.2f}; "
              f"first figures {figures / toolong:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
