"""Field filters on JSON and logfmt files find their candidate lines in the raw bytes (`query.field_finder`):
the counts and hits must be those of parsing and testing every record, for every spelling a line may use."""

from __future__ import annotations

import pytest

from mlops_tui.sources.logs import FieldFilter, Query, open_files

FILLER = '{"ts":"2023-11-07T10:00:00Z","level":"info","message":"tick","service":"api"}\n'
RARE = [  # a few lines with the fields the filters ask about, spelled as real writers spell them
    '{"ts":"2023-11-07T10:00:01Z","level":"error","message":"boom","http":{"response":{"status_code":503}},"error":{"type":"OOM"}}',
    '{"ts":"2023-11-07T10:00:02Z","level":"error","message":"boom","http.response.status_code":500.0,"retry":true}',
    '{"ts":"2023-11-07T10:00:03Z","level":"warn","message":"slow","http.response.status_code":499,"path":"\\/v1\\/predict"}',
    '{"ts":"2023-11-07T10:00:04Z","level":"info","message":"ok","retry":false,"error":{"type":"OOMKilled"}}',
]
FILTERS = ["http.response.status_code>=500", "http.response.status_code=500", "error.type=OOM", "retry=True",
           "retry=false", "path=/v1/predict", "error.type~^OOM", "service=worker", "service!=api"]


@pytest.fixture
def source(write):
    text = FILLER * 300 + "\n".join(RARE) + "\n" + FILLER * 300
    source = open_files([str(write("app.json", text))])
    source.refresh()
    yield source
    source.close()


def every_record(source, query: Query) -> int:
    return sum(1 for record in source.rows(0, source.row_count()) if query.accepts(record))


@pytest.mark.parametrize("text", FILTERS)
def test_field_filter_counts_as_a_full_parse_does(source, text):
    query = Query("", filters=(FieldFilter.parse(text),))
    expected = every_record(source, query)
    assert source.count(query) == expected
    assert sum(1 for _ in source.search(query)) == expected


def test_rare_fields_are_found_by_the_prefilter(source):
    # the raw-byte path is taken (not the parse of all 600 filler lines) and gives the right records
    query = Query("", filters=(FieldFilter.parse("http.response.status_code>=500"),))
    assert source._finder(query) is not None
    assert [hit.record.line for hit in source.search(query)] == [301, 302]
    assert source.count(Query("", filters=(FieldFilter.parse("retry=True"),))) == 1


def test_a_needle_on_most_lines_parses_in_batches(source):
    assert source._finder(Query("", filters=(FieldFilter.parse("service=api"),))) is None


def test_logfmt_keys_and_values(write):
    lines = ["ts=2023-11-07T10:00:00Z level=info msg=tick svc=api"] * 100
    lines[50] = 'ts=2023-11-07T10:00:01Z level=error msg="db down" svc=api db.host=pg-1 latency=1200'
    source = open_files([str(write("app.log", "\n".join(lines) + "\n"))])
    source.refresh()
    try:
        for text in ("db.host=pg-1", "latency>1000", "latency=1200.0"):
            query = Query("", filters=(FieldFilter.parse(text),))
            assert source._finder(query) is not None
            assert [hit.record.line for hit in source.search(query)] == [51], text
            assert source.count(query) == 1
    finally:
        source.close()



STATUS_FILLER = '{"ts":"2023-11-07T10:00:00Z","level":"info","message":"ok","http":{"status":200}}\n'
STATUS_SPELLINGS = [  # every line has the key: the prefilter must look at the number, in each spelling float() reads
    '{"ts":"2023-11-07T10:00:01Z","level":"error","message":"a","http":{"status":503}}',
    '{"ts":"2023-11-07T10:00:02Z","level":"error","message":"b","http.status":"500"}',
    '{"ts":"2023-11-07T10:00:03Z","level":"error","message":"c","http":{"status":5e2}}',
    '{"ts":"2023-11-07T10:00:04Z","level":"warn","message":"d","http":{"status":499.9}}',
    '{"ts":"2023-11-07T10:00:05Z","level":"error","message":"e","http":{"status":500.5}}',
    '{"ts":"2023-11-07T10:00:06Z","level":"error","message":"f","http":{"status":" 1_000 "}}',
    '{"ts":"2023-11-07T10:00:07Z","level":"error","message":"g","http":{"status":"+600"}}',
    '{"ts":"2023-11-07T10:00:08Z","level":"error","message":"h","http":{"status":10000}}',
    '{"ts":"2023-11-07T10:00:09Z","level":"error","message":"i","http":{"status":"Infinity"}}',
    '{"ts":"2023-11-07T10:00:10Z","level":"info","message":"j","http":{"status":0500}}',
    '{"ts":"2023-11-07T10:00:11Z","level":"info","message":"k","http_status":900,"http":{"status":204}}',
]
STATUS_FILTERS = ["http.status>=500", "http.status>500", "http.status>=1000", "http.status=500", "http.status>=9",
                  "http.status>1.5", "http.status>=500 level=error"]


@pytest.mark.parametrize("text", STATUS_FILTERS)
def test_a_number_filter_on_a_key_every_line_has_counts_as_a_full_parse_does(write, text):
    source = open_files([str(write("status.json", STATUS_FILLER * 400 + "\n".join(STATUS_SPELLINGS) + "\n"
                                   + STATUS_FILLER * 400))])
    source.refresh()
    try:
        query = Query("", filters=tuple(FieldFilter.parse(part) for part in text.split()))
        expected = every_record(source, query)
        assert expected > 0 or text == "http.status>=1000" and expected >= 0
        assert source.count(query) == expected
        assert sum(1 for _ in source.search(query)) == expected
    finally:
        source.close()


def test_the_number_prefilter_skips_the_lines_whose_number_cannot_pass():
    from mlops_tui.sources.logs.query import field_finder

    finder = field_finder([FieldFilter.parse("http.status>=500")])
    text = (STATUS_FILLER * 50 + STATUS_SPELLINGS[0] + "\n").encode()
    assert finder(text, 0) == text.index(b'{"status":503}')  # past every 200, at the 503 (from the char before the key)
