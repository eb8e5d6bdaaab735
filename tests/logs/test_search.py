"""Search modes, level/time/field filters and the hit histogram, on files opened like the pane opens them."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mlops_tui.sources.logs import FieldFilter, Level, Mode, Query, QueryError, open_files
from mlops_tui.sources.logs.histogram import histogram

JSON = "".join(
    f'{{"@timestamp":"2023-11-07T10:{i // 60:02d}:{i % 60:02d}Z","level":"{lv}","service":"{svc}","latency_ms":{lat},"message":"{msg}"}}\n'
    for i, (lv, svc, lat, msg) in enumerate([
        ("info", "api", 12, "GET /v1/predict ok"),
        ("warn", "api", 700, "slow Predict call"),
        ("error", "worker", 30, "CUDA out of memory"),
        ("info", "worker", 5, "batch done"),
        ("error", "api", 950, "upstream timeout on /v1/predict"),
        ("critical", "api", 0, "Model server crashed"),
    ])
)


@pytest.fixture
def source(write):
    source = open_files([str(write("app.json", JSON))])
    source.refresh()
    yield source
    source.close()


def messages(source, query: Query) -> list[str]:
    return [hit.record.message for hit in source.search(query)]


def test_literal_is_case_sensitive(source):
    assert messages(source, Query("predict", Mode.LITERAL)) == ["GET /v1/predict ok", "upstream timeout on /v1/predict"]
    assert source.count(Query("predict", Mode.LITERAL)) == 2


def test_ignore_case(source):
    assert messages(source, Query("predict", Mode.IGNORE_CASE)) == ["GET /v1/predict ok", "slow Predict call", "upstream timeout on /v1/predict"]


def test_regex(source):
    assert messages(source, Query(r"(out of|crash)\w*", Mode.REGEX)) == ["CUDA out of memory", "Model server crashed"]


def test_bad_regex_is_a_query_error():
    with pytest.raises(QueryError, match="bad regex"):
        Query("(unclosed", Mode.REGEX)


def test_empty_pattern_matches_every_record(source):
    assert len(list(source.search(Query("")))) == 6


def test_level_at_or_worse(source):
    assert messages(source, Query("", min_level=Level.ERROR)) == ["CUDA out of memory", "upstream timeout on /v1/predict", "Model server crashed"]


def test_field_filters(source):
    query = Query.from_text("service=api level>=error latency_ms>500")
    assert query.pattern == "" and len(query.filters) == 3
    assert messages(source, query) == ["upstream timeout on /v1/predict"]
    assert messages(source, Query.from_text("predict latency_ms<=100")) == ["GET /v1/predict ok"]
    assert messages(source, Query.from_text("service!=api")) == ["CUDA out of memory", "batch done"]
    assert messages(source, Query.from_text("message~^Model")) == ["Model server crashed"]


def test_bad_field_filter_is_a_query_error():
    with pytest.raises(QueryError):
        FieldFilter.parse("level>=loud")
    with pytest.raises(QueryError):
        FieldFilter.parse("path~(")


def test_since_until(source):
    since = datetime(2023, 11, 7, 10, 0, 2, tzinfo=timezone.utc)
    until = datetime(2023, 11, 7, 10, 0, 4, tzinfo=timezone.utc)
    assert messages(source, Query("", since=since, until=until)) == ["CUDA out of memory", "batch done", "upstream timeout on /v1/predict"]


def test_row_at_time(source):
    assert source.row_at_time(datetime(2023, 11, 7, 10, 0, 3, 500000, tzinfo=timezone.utc)) == 4
    assert source.row_at_time(datetime(2030, 1, 1, tzinfo=timezone.utc)) == 6


def test_search_from_a_row_and_hit_rows(source):
    hits = list(source.search(Query("", min_level=Level.ERROR), start=3))
    assert [h.row for h in hits] == [4, 5]


def test_match_in_a_traceback_line_returns_its_record(write):
    text = (
        "2023-11-07 10:15:31,456 - app - ERROR - predict failed\n"
        "Traceback (most recent call last):\n"
        "ZeroDivisionError: division by zero\n"
        "2023-11-07 10:15:32,000 - app - INFO - recovered\n"
    )
    source = open_files([str(write("app.log", text))])
    source.refresh()
    hits = list(source.search(Query("ZeroDivision")))
    assert [(h.row, h.record.message, h.record.end_line) for h in hits] == [(0, "predict failed", 3)]
    assert source.count(Query("division")) == 1
    source.close()


def test_spans_for_highlighting():
    assert Query("ab", Mode.IGNORE_CASE).spans("xAbyab") == [(1, 3), (4, 6)]
    assert Query("a+", Mode.REGEX).spans("caaat") == [(1, 4)]


def test_histogram_of_hits(source):
    stamps = [h.record.timestamp for h in source.search(Query("", min_level=Level.WARN))]
    result = histogram(stamps, buckets=4)
    assert sum(result.counts) == 4 and result.counts[0] == 1 and result.counts[-1] == 2
    assert len(result.bars()) == 4 and result.bars()[-1] == "█"


def test_source_layer_does_not_import_textual():
    import subprocess
    import sys

    code = "import sys, mlops_tui.sources.logs, mlops_tui.sources.logs.histogram; print('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_regex_finder_handles_syntax_re2_lacks():
    assert Query(r"(a)\1", Mode.REGEX).byte_finder()(b"xa\nxaa", 0) == 4  # backreference: Python's re
    assert Query(r"^t[io]me", Mode.REGEX).byte_finder()(b"a time\ntimeout", 0) == 7  # line anchors per line
    assert Query("TIME", Mode.IGNORE_CASE).byte_finder()(b"a time", 0) == 2


def test_search_streams_hits_before_the_file_is_indexed_and_misses_none(write):
    from mlops_tui.sources.logs import FileSource, Query
    from mlops_tui.sources.logs.base import search_streaming

    lines = []
    for i in range(3000):
        lines.append(f"2023-11-07 10:{i // 60 % 60:02d}:{i % 60:02d},000 - api - {'ERROR' if i % 97 == 0 else 'INFO'} - step {i}")
        if i % 97 == 0:
            lines += ["Traceback (most recent call last):", '  File "x.py", line 1, in f', f"ValueError: bad {i}"]
    path = write("app.log", "\n".join(lines) + "\n")
    everything = FileSource(path, follow=False)
    while everything.refresh() and not everything.complete:
        pass
    query = Query("ValueError")
    expected = [(hit.row, hit.record.end_line) for hit in everything.search(query)]
    everything.close()

    source = FileSource(path, follow=False)
    seen, complete_at_first = [], None
    for hit in search_streaming(source, query, step=8192):  # tracebacks straddle the steps
        complete_at_first = source.complete if complete_at_first is None else complete_at_first
        seen.append((hit.row, hit.record.end_line))
    source.close()
    assert complete_at_first is False  # the first hit came out before the file was all read
    assert seen == expected and len(expected) == 31
