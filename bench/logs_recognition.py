"""How much of each sample log we recognise, against lnav in the same run: the share of a file's lines
that belong to a record with a timestamp, and to a record with a level.

Files: tests/logs/samples (one per format, in the shapes of real systems; see its README), or the files
given. A continuation line (traceback, stack trace) counts as covered when its record is. lnav's view of
a file is `SELECT log_line, log_time, log_level FROM all_logs` run headless (HOME in a temporary folder);
its `unknown` level, or a file it does not recognise at all, counts as not covered. lnav gives lines
without a level in their header a default level (usually info), which counts for it here.

    python bench/logs_recognition.py [FILE ...]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import ROOT, which  # noqa: E402

from mlops_tui.sources.logs import FileSource  # noqa: E402

SAMPLES = ROOT / "tests" / "logs" / "samples"


def ours(path: Path) -> tuple[str, float, float]:
    source = FileSource(path, follow=False)
    while not source.complete:
        source.refresh(None)
    source.refresh()
    stamped = levelled = total = 0
    has_time = has_level = False
    for record in source.rows(0, source.row_count()):
        if not record.continuation:
            has_time, has_level = record.timestamp is not None, record.level is not None
        if not record.raw.strip():
            continue
        total += 1
        stamped += has_time
        levelled += has_level
    name = source.format.name
    source.close()
    return name, stamped / max(1, total), levelled / max(1, total)


def lnav(path: Path, home: str) -> tuple[str, float, float]:
    sql = ";SELECT log_line, log_time, log_level, log_format FROM all_logs"
    out = subprocess.run(["lnav", "-n", "-c", sql, "-c", ":write-json-to -", str(path)], capture_output=True, text=True,
                         env={**os.environ, "HOME": home}).stdout
    rows = json.loads(out) if out.strip().startswith("[") else []
    lines = path.read_text(errors="replace").splitlines()
    starts = sorted((row["log_line"], row) for row in rows)
    stamped = levelled = total = 0
    for number, (first, row) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        for line in lines[first:end]:
            if not line.strip():
                continue
            stamped += row["log_time"] is not None
            levelled += row["log_level"] not in (None, "unknown")
    total = sum(1 for line in lines if line.strip())
    formats = sorted({row["log_format"] for _, row in starts})
    return ",".join(formats) or "-", stamped / max(1, total), levelled / max(1, total)


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or sorted(p for p in SAMPLES.iterdir() if p.suffix in (".log", ".json"))
    peer = which("lnav")
    print(f"{'file':<24} {'ours: format':<16} {'time':>5} {'level':>6}   {'lnav: format':<18} {'time':>5} {'level':>6}")
    worse = []
    with tempfile.TemporaryDirectory() as home:
        for path in files:
            name, ts, lv = ours(path)
            line = f"{path.name:<24} {name:<16} {ts:>5.0%} {lv:>6.0%}"
            if peer:
                lname, lts, llv = lnav(path, home)
                line += f"   {lname[:18]:<18} {lts:>5.0%} {llv:>6.0%}"
                if ts < lts:
                    worse.append(f"{path.name} (time)")
            print(line)
    if peer:
        print(f"files where lnav recognises more timestamps: {', '.join(worse) or 'none'} (of {len(files)})")


if __name__ == "__main__":
    main()
