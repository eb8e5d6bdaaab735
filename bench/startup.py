"""Time from process start to first painted frame: mlops-tui on a prepared demo vs a bare Textual app vs toolong.

Usage: python bench/startup.py [--runs 5]
Figure: median seconds until the first frame's text reaches the terminal (80x24 pty); ratios in the same run.
"""

from __future__ import annotations

import argparse
import sys

from harness import OUT, PYTHON, Terminal, demo_argv, median_time, peer_venv, prepared_demo

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
    ours = median_time(lambda: Terminal(demo_argv(root), cwd=root), b"Metrics", args.runs)
    bare = median_time(lambda: Terminal([PYTHON, "-c", BARE_APP]), b"bare-app-ready", args.runs)
    print(f"mlops-tui first paint: {ours:.3f} s (median of {args.runs})")
    print(f"bare Textual app first paint: {bare:.3f} s")
    print(f"ratio mlops-tui / bare Textual: {ours / bare:.2f} (goal <= 1.3)")

    venv = peer_venv("toolong", "toolong==1.5.0")
    if venv is not None:
        log = OUT / "startup-toolong.log"
        log.write_text("".join(f"2026-11-29 03:00:{i % 60:02d} INFO startup line {i}\n" for i in range(2000)))
        toolong = median_time(lambda: Terminal([str(venv / "bin/tl"), str(log)]), b"startup line", args.runs)
        print(f"toolong first paint: {toolong:.3f} s")
        print(f"ratio mlops-tui / toolong: {ours / toolong:.2f} (goal < 1)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
