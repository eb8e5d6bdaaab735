"""`logs search --count` in one pass over the raw bytes (no line index) equals the count over the index:
on every sample format, multi-line records (tracebacks, stack traces) counted once."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_tui.sources.logs import FileSource, Level, Mode, Query

SAMPLES = sorted(p for p in (Path(__file__).parent / "samples").iterdir() if p.is_file() and p.suffix in (".log", ".json"))
QUERIES = [Query("", min_level=level) for level in (Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR)] + [
    Query(text) for text in ("error", "Error", "Exception", "at ", "e", " ", ":", "0", "no such text here")
] + [Query("error", Mode.IGNORE_CASE), Query(r"\d+ms|fail", Mode.REGEX)]


def indexed(path: Path) -> FileSource:
    source = FileSource(path, follow=False)
    while not source.complete:
        source.refresh(None)
    source.refresh()
    return source


def sniffed(path: Path) -> FileSource:
    """Only what the CLI reads before counting: enough lines to pick the format."""
    source = FileSource(path, follow=False)
    while not source.detected and not source.complete:
        source.refresh(64 << 10)
    return source


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_one_pass_count_equals_indexed_count(path):
    full, quick = indexed(path), sniffed(path)
    try:
        assert quick.format.name == full.format.name
        compared = 0
        for query in QUERIES:
            found = quick.count_unindexed(query)
            if found is None:
                continue
            assert found == full.count(query), (query.pattern, query.min_level)
            compared += 1
        if full.format.name not in ("docker",):  # CRI partial lines are joined across lines: the index counts
            assert compared >= len(QUERIES) - 4  # every text query; level ones where the format's scan is exact
    finally:
        full.close()
        quick.close()


def traceback_log(path: Path, records: int) -> Path:
    lines = []
    for n in range(records):
        level = "ERROR" if n % 7 == 0 else "INFO"
        lines.append(f"2026-12-01 23:41:{n % 60:02d},{n % 1000:03d} {level}    feast.materialize [77] step {n} failed")
        if n % 7 == 0:
            lines += ["Traceback (most recent call last):", '  File "job.py", line 3, in <module>',
                      "    run()", "ValueError: step failed"]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_big_file_is_counted_without_its_index_and_a_traceback_counts_once(tmp_path):
    path = traceback_log(tmp_path / "big.log", 20_000)  # a few MiB: past the sample detection reads
    full, quick = indexed(path), sniffed(path)
    try:
        assert quick.format.name == full.format.name
        errors = len(range(0, 20_000, 7))
        assert quick.count_unindexed(Query("", min_level=Level.ERROR)) == full.count(Query("", min_level=Level.ERROR)) == errors
        # "failed" is on the header and on the traceback's last line: one record each
        assert quick.count_unindexed(Query("failed")) == full.count(Query("failed")) == 20_000
        # only on traceback lines (continuations): once per traceback
        assert quick.count_unindexed(Query("ValueError")) == full.count(Query("ValueError")) == errors
        assert quick.count_unindexed(Query("line 3")) == errors
        assert quick.segments[0].index.indexed_to < path.stat().st_size // 2  # no index was built
    finally:
        full.close()
        quick.close()


def test_the_cli_count_needs_no_index_and_says_the_same(tmp_path):
    import os
    import subprocess
    import sys

    path = traceback_log(tmp_path / "app.log", 3_000)
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}

    def count(*args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "mlops_tui", "logs", "search", *args, "--file", str(path), "--count"],
                                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    errors = str(len(range(0, 3_000, 7)))
    assert count("", "--level", "error") == errors
    assert count("ValueError") == errors
    assert count("ValueError", "--level", "error") == errors  # level with text: through the index
