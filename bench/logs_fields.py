"""A field filter on a JSON-lines file: `logs search "" --field K=V --count` vs a text search of V, same run.

A filter on a field most lines lack (`error.type=ZeroDivisionError`, about 1 line in 70) finds its candidate
lines in the raw bytes by the field's value (`query.field_finder`), then parses only those; a number filter
on a key every line has (`http.status>=500`) finds the lines whose number may pass (`query.number_pattern`:
the key followed by a big enough number) and parses only those. Page cache warm; best of 3 runs each.

    python bench/logs_fields.py [--size-mb 38]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import PYTHON, best  # noqa: E402
from logs_data import generate  # noqa: E402


def command(argv: list[str]) -> tuple[float, str]:
    return best(lambda: subprocess.run(argv, capture_output=True, text=True).stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=38)
    args = parser.parse_args()
    path = generate(f"app-{args.size_mb}m.json", args.size_mb, "json")
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)
    print(f"== {path.name} ({path.stat().st_size / 2**20:,.0f} MiB)")
    base = [PYTHON, "-m", "mlops_tui", "logs", "search"]
    text, text_count = command([*base, "ZeroDivisionError", "--count", "--file", str(path)])
    print(f"text ZeroDivisionError:              {text:.2f} s -> {text_count}")
    for field in ("error.type=ZeroDivisionError", "http.status>=500"):
        took, count = command([*base, "", "--field", field, "--count", "--file", str(path)])
        print(f"--field {field:<28} {took:.2f} s -> {count}  ({took / text:.1f}x the text search)")


if __name__ == "__main__":
    main()
