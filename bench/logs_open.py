"""Opening a 1 GB log: time to the first screen of rows, time until the whole file is indexed, peak RSS.

Side by side in one run: the Logs pane (in a bare Textual app, in a pseudo-terminal), lnav and toolong
(own venv under bench/.peers/, it pins textual 0.58). First screen = first log row drawn on the terminal.
Indexed: the pane's status line says "N lines, FORMAT"; lnav's figure is a headless `lnav -n` load of the
whole file (the pty view gives no signal when lnav is done); toolong gives none either, so its index time
is not measured here. Peak RSS is VmHWM from /proc (ru_maxrss for the headless lnav run).

    python bench/logs_open.py [--size-mb 1024]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import PYTHON, Terminal, peer_venv, which  # noqa: E402
from logs_data import generate  # noqa: E402

PANE_APP = """
import sys
from textual.app import App
from mlops_tui.settings.logs import LogsSettings
from mlops_tui.widgets.logs import LogsPane

class Bench(App):
    def compose(self):
        yield LogsPane(LogsSettings(files=[sys.argv[1]], follow=False))

Bench().run()
"""
ROW_MARKER = b"latency_ms"


def vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def pane(path: Path, done_marker: bytes, tree: Path = Path(__file__).resolve().parent.parent) -> tuple[float, float, int]:
    """The pane of the code in `tree` (it runs from there, so that tree's mlops_tui is imported)."""
    with Terminal([PYTHON, "-c", PANE_APP, str(path)], size=(160, 48), cwd=tree) as term:
        first = term.wait_for(ROW_MARKER, 60)
        indexed = term.wait_for(done_marker, 120)
        return first, indexed, vm_hwm(term.process.pid)


def first_screen(argv: list[str]) -> tuple[float, int]:
    with Terminal(argv, size=(160, 48)) as term:
        first = term.wait_for(ROW_MARKER, 60)
        return first, vm_hwm(term.process.pid)


def lnav_headless(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    process = subprocess.Popen(["lnav", "-n", "-c", ":goto 100%", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, _status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss * 1024


def mb(value: int) -> str:
    return f"{value / 2**20:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="another checkout (e.g. `git archive main | tar -x -C DIR`): measure its pane and this one's, "
                             "one after the other in the same run, instead of the peers")
    args = parser.parse_args()
    if args.baseline:
        return before_after(args.baseline.resolve(), args.size_mb)
    toolong = peer_venv("toolong", "toolong==1.5.0")
    lnav = which("lnav")
    for name, kind, done in ((f"app-{args.size_mb}m.json", "json", b"lines, json"), (f"app-{args.size_mb}m.log", "text", b"lines, python")):
        path = generate(name, args.size_mb, kind)
        subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # page cache warm for everyone
        print(f"== {path.name} ({path.stat().st_size / 2**20:,.0f} MiB)")
        first, indexed, rss = pane(path, done)
        print(f"mlops-tui Logs pane: first screen {first:.2f} s, indexed {indexed:.2f} s, peak RSS {mb(rss)}")
        if lnav:
            lnav_first, lnav_rss_first = first_screen([lnav, str(path)])
            lnav_index, lnav_rss = lnav_headless(path)
            print(f"lnav: first screen {lnav_first:.2f} s, indexed (headless load) {lnav_index:.2f} s, peak RSS {mb(lnav_rss)}")
            print(f"  ratio lnav/mlops-tui: first screen {lnav_first / first:.1f}x, index {lnav_index / indexed:.1f}x, "
                  f"peak RSS {lnav_rss / rss:.1f}x")
        if toolong:
            tl_first, tl_rss = first_screen([str(toolong / "bin/tl"), str(path)])
            print(f"toolong: first screen {tl_first:.2f} s, RSS at first screen {mb(tl_rss)} (index time not observable)")
            print(f"  ratio toolong/mlops-tui: first screen {tl_first / first:.1f}x")


def before_after(baseline: Path, size_mb: int) -> None:
    """Index time of the pane, the baseline checkout's against this one's, each best of 2, same files."""
    for name, kind, done in ((f"app-{size_mb}m.json", "json", b"lines, json"), (f"app-{size_mb}m.log", "text", b"lines, python")):
        path = generate(name, size_mb, kind)
        subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)
        print(f"== {path.name} ({path.stat().st_size / 2**20:,.0f} MiB)")
        results, phases = {}, {}
        for label, tree in (("before", baseline), ("after", Path(__file__).resolve().parent.parent)):
            runs = [pane(path, done, tree) for _ in range(2)]
            first, indexed, rss = min(runs, key=lambda run: run[1])
            results[label], phases[label] = indexed, indexed - first
            print(f"{label} ({tree}): first screen {first:.2f} s, indexed {indexed:.2f} s "
                  f"({indexed - first:.2f} s after the first screen), peak RSS {mb(rss)}")
        print(f"  index time after/before {results['after'] / results['before']:.2f}x from the start, "
              f"{phases['after'] / phases['before']:.2f}x after the first screen (startup apart)")


if __name__ == "__main__":
    main()
