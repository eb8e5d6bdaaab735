"""A level filter on a log4j file: `logs search "" --level error --count` vs a text search and lnav, same run.

"from open" times a count on a file not yet opened: before, the whole line index then the count (two
passes); now, as `--count` does, the format from a 64 KiB sample and one pass over the raw bytes.
The level comes from the header's level column; the format's level scan finds the passing record starts in
the raw bytes (no Python parse per line), so a level filter should cost what a text search costs. lnav
counts the same records with SQL over its own parse (`log_level >= 'error'`); HOME is a temporary folder so
it keeps no state. Page cache warm for everyone; best of 3 runs each. Counts are printed so a mismatch shows.

    python bench/logs_levels.py [--size-mb 38]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import PYTHON, best, which  # noqa: E402
from logs_data import generate  # noqa: E402

from mlops_tui.sources.logs import FileSource, Level, Query  # noqa: E402


def command(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    return best(lambda: subprocess.run(argv, capture_output=True, text=True, env=env).stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=38)
    args = parser.parse_args()
    path = generate(f"app-{args.size_mb}m.log4j", args.size_mb, "log4j")
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)
    lines = sum(1 for _ in open(path, "rb"))
    print(f"== {path.name} ({path.stat().st_size / 2**20:,.0f} MiB, {lines:,} lines)")
    def two_pass(query: Query) -> int:  # before: the whole line index, then the count over it
        fresh = FileSource(path, follow=False)
        while not fresh.complete:
            fresh.refresh(None)
        fresh.refresh()
        try:
            return fresh.count(query)
        finally:
            fresh.close()

    def one_pass(query: Query) -> int:  # now (`--count`): the format from a 64 KiB sample, one raw scan
        fresh = FileSource(path, follow=False)
        while not fresh.detected and not fresh.complete:
            fresh.refresh(64 << 10)
        try:
            found = fresh.count_unindexed(query)
            assert found is not None
            return found
        finally:
            fresh.close()

    for name, query in (("level error", Query("", min_level=Level.ERROR)), ("text ERROR", Query("ERROR"))):
        before, before_count = best(lambda: two_pass(query))
        after, after_count = best(lambda: one_pass(query))
        print(f"from open, {name}: index then count {before:.2f} s -> {before_count}; one pass {after:.2f} s -> "
              f"{after_count} ({before / after:.1f}x faster)")
    source = FileSource(path, follow=False)
    while not source.complete:
        source.refresh(None)
    source.refresh()
    ours, count = best(lambda: source.count(Query("", min_level=Level.ERROR)))
    text, text_count = best(lambda: source.count(Query("ERROR")))
    source.close()
    base = [PYTHON, "-m", "mlops_tui", "logs", "search"]
    cli, cli_count = command([*base, "", "--level", "error", "--count", "--file", str(path)])
    cli_text, cli_text_count = command([*base, "ERROR", "--count", "--file", str(path)])
    print(f"mlops-tui level error: open file {ours:.2f} s -> {count} records; `logs search \"\" --level error --count` "
          f"{cli:.2f} s -> {cli_count}")
    print(f"mlops-tui text ERROR:  open file {text:.2f} s -> {text_count} records; `logs search ERROR --count` "
          f"{cli_text:.2f} s -> {cli_text_count}")
    print(f"  ratio level/text: open file {ours / text:.1f}x, whole command {cli / cli_text:.1f}x")
    lnav = which("lnav")
    if lnav:
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "HOME": home}
            sql = ";SELECT count(*) AS n FROM all_logs WHERE log_level >= 'error'"
            took, out = command([lnav, "-n", "-c", sql, "-c", ":write-csv-to -", str(path)], env)
        print(f"lnav level error: {took:.2f} s -> {out.splitlines()[-1] if out else '?'} records")
        print(f"  ratio mlops-tui/lnav: whole command {cli / took:.1f}x, open file {ours / took:.2f}x")


if __name__ == "__main__":
    main()
