"""Following a log written at 100,000 lines/s for 10 s: does the view keep up, at what CPU, in what memory.

A writer process appends Python-logging lines in batches; the viewer runs in a pseudo-terminal. Figures:
delay from the writer's last line to that line on screen, the viewer's CPU% during the burst (its own
process, from /proc), and its peak RSS. Side by side: the Logs pane (bare Textual app), lnav, toolong.

    python bench/logs_tail.py [--rate 100000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import OUT, PYTHON, Terminal, cpu_seconds, peer_venv, which  # noqa: E402

PANE_APP = """
import sys
from textual.app import App
from mlops_tui.settings.logs import LogsSettings
from mlops_tui.widgets.logs import LogsPane

class Bench(App):
    def compose(self):
        yield LogsPane(LogsSettings(files=[sys.argv[1]], follow=True))

Bench().run()
"""
WRITER = """
import sys, time
path, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
batch = max(1, rate // 100)
line = "2026-11-29 10:00:00,000 - api.handler - INFO - request served req=%08d latency_ms=12\\n"
with open(path, "a", buffering=1 << 20) as out:
    start = time.perf_counter()
    sent = 0
    while time.perf_counter() - start < seconds:
        out.write("".join(line % (sent + i) for i in range(batch)))
        out.flush()
        sent += batch
        ahead = sent / rate - (time.perf_counter() - start)
        if ahead > 0:
            time.sleep(ahead)
    out.write("2026-11-29 10:00:00,000 - api.handler - INFO - FINAL-MARKER sent=%d\\n" % sent)
    out.flush()
print(sent, time.perf_counter() - start)
"""


def vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def run(name: str, argv_for, rate: int, seconds: float) -> tuple[float, float, int, float] | None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"tail-{name}.log"
    path.write_text("2026-11-29 10:00:00,000 - api.handler - INFO - START-MARKER\n")
    with Terminal(argv_for(path), size=(160, 48)) as term:
        term.wait_for(b"START-MARKER", 30)
        term.idle(0.5)
        cpu0, t0 = cpu_seconds(term.process.pid), time.perf_counter()
        writer = subprocess.Popen([PYTHON, "-c", WRITER, str(path), str(rate), str(seconds)], stdout=subprocess.PIPE, text=True)
        while writer.poll() is None:
            term.drain(0.05)
        stopped = time.perf_counter()
        cpu1 = cpu_seconds(term.process.pid)
        sent, took = writer.stdout.read().split()
        try:
            seen = term.wait_for(b"FINAL-MARKER", 60) + term.started - stopped
        except TimeoutError:
            seen = float("inf")
        cpu_pct = 100 * (cpu1 - cpu0) / (stopped - t0)
        achieved = int(sent) / float(took)
        return seen, cpu_pct, vm_hwm(term.process.pid), achieved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    viewers = {"mlops-tui": lambda p: [PYTHON, "-c", PANE_APP, str(p)]}
    if which("lnav"):
        viewers["lnav"] = lambda p: ["lnav", str(p)]
    toolong = peer_venv("toolong", "toolong==1.5.0")
    if toolong:
        viewers["toolong"] = lambda p: [str(toolong / "bin/tl"), str(p)]
    results = {}
    for name, argv_for in viewers.items():
        seen, cpu, rss, achieved = run(name, argv_for, args.rate, args.seconds)
        results[name] = (seen, cpu, rss)
        late = "never (within 60 s)" if seen == float("inf") else f"{seen:.2f} s after the writer stopped"
        print(f"{name}: writer {achieved:,.0f} lines/s; last line on screen {late}; CPU {cpu:.0f}% of a core during the burst; "
              f"peak RSS {rss / 2**20:,.0f} MB")
    ours = results["mlops-tui"]
    for name, (seen, cpu, rss) in results.items():
        if name != "mlops-tui":
            print(f"  ratio {name}/mlops-tui: CPU {cpu / max(ours[1], 0.1):.1f}x, peak RSS {rss / max(ours[2], 1):.1f}x")


if __name__ == "__main__":
    main()
