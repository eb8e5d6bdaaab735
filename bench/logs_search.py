"""Counting matches in a 1 GB log: literal and regex, vs `grep -c`, `grep -cE` and `rg -c`, same run.

Two figures for mlops-tui: the search as the pane runs it on an opened (indexed) file, and the whole
`mlops-tui logs search --count` command (process start + index + search), which is what compares with
one grep process. Page cache is warm for everyone (the file is read once first). Best of 3 runs each.

    python bench/logs_search.py [--size-mb 1024]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import PYTHON, best, which  # noqa: E402
from logs_data import RARE, generate  # noqa: E402

from mlops_tui.sources.logs import FileSource, Mode, Query  # noqa: E402

REGEX = r"latency_ms.?[:=][1-9][0-9]{3}\b"  # requests slower than a second (JSON and text)


def command(argv: list[str]) -> tuple[float, str]:
    return best(lambda: subprocess.run(argv, capture_output=True, text=True).stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    grep, rg = which("grep"), which("rg")
    for name, kind in ((f"app-{args.size_mb}m.json", "json"), (f"app-{args.size_mb}m.log", "text")):
        path = generate(name, args.size_mb, kind)
        subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)
        print(f"== {path.name} ({path.stat().st_size / 2**20:,.0f} MiB)")
        source = FileSource(path, follow=False)
        while not source.complete:
            source.refresh(None)
        source.refresh()
        for label, query, grep_args, rg_args in (
            ("literal", Query(RARE, Mode.LITERAL), ["-c", "-F", RARE], ["-c", "-F", RARE]),
            ("regex", Query(REGEX, Mode.REGEX), ["-c", "-E", REGEX], ["-c", REGEX]),
        ):
            ours, count = best(lambda: source.count(query))
            cli, cli_count = command([PYTHON, "-m", "mlops_tui", "logs", "search", query.pattern, "--file", str(path), "--count",
                                      *(["--regex"] if query.mode is Mode.REGEX else [])])
            print(f"{label} {query.pattern!r}: mlops-tui (open file) {ours:.2f} s -> {count} records; "
                  f"`logs search --count` {cli:.2f} s -> {cli_count}")
            if grep:
                took, out = command([grep, *grep_args, str(path)])
                print(f"  grep {' '.join(grep_args[:-1])}: {took:.2f} s -> {out} lines; ratio mlops-tui/grep {ours / took:.1f}x "
                      f"(whole command {cli / took:.1f}x)")
            if rg:
                took, out = command([rg, *rg_args, str(path)])
                print(f"  rg {' '.join(rg_args[:-1])}: {took:.2f} s -> {out} lines; ratio mlops-tui/rg {ours / took:.1f}x")
        source.close()


if __name__ == "__main__":
    main()
