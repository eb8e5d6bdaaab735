"""The Logs pane's state machine without a screen: query grammar, jump grammar, search generations, files."""

from __future__ import annotations

from array import array
from datetime import datetime, timedelta, timezone

import pytest

from mlops_tui.sources.logs import Level, Mode, QueryError
from mlops_tui.sources.logs.controller import LogsModel, default_files, jump_time, parse_search, query_text

ANCHOR = datetime(2024, 5, 1, 14, 5, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["/err(or)?/ service=api", '"Exact Case"', "timeout latency_ms>500", "plain"])
def test_query_text_reads_back_as_the_same_query(text):
    query = parse_search(text)
    assert parse_search(query_text(query)) == query


def test_query_grammar():
    assert parse_search("/err(or)?/ service=api").mode is Mode.REGEX
    assert parse_search('"Exact"').pattern == "Exact" and parse_search('"Exact"').mode is Mode.LITERAL
    query = parse_search("timeout latency_ms>500")
    assert query.mode is Mode.IGNORE_CASE and query.pattern == "timeout"
    assert [(f.key, f.op, f.value) for f in query.filters] == [("latency_ms", ">", "500")]
    assert parse_search("   ") is None and query_text(None) == ""


def test_bad_search_text_leaves_the_state_alone():
    model = LogsModel()
    model.set_search("ok")
    with pytest.raises(QueryError):
        model.set_search("/(/")
    assert model.query.pattern == "ok"


@pytest.mark.parametrize("text, expected", [
    ("-10m", ANCHOR - timedelta(minutes=10)),
    ("+1h", ANCHOR + timedelta(hours=1)),
    ("14:00", ANCHOR.replace(minute=0, second=0)),
    ("14:00:15", ANCHOR.replace(minute=0, second=15)),
    ("2024-05-01T10:00Z", datetime(2024, 5, 1, 10, tzinfo=timezone.utc)),
])
def test_jump_grammar_is_relative_to_the_cursor(text, expected):
    assert jump_time(text, anchor=ANCHOR) == expected


def test_jump_without_a_timestamp_is_relative_to_now():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert jump_time("-1h", now=now) == now - timedelta(hours=1)


@pytest.mark.parametrize("text, words", [
    ("+99999999999d", "too long"),
    ("-99999999999d", "too long"),
    ("25:00", "not a time of day"),
    ("soon", "not a time"),
    ("", "no time given"),
])
def test_bad_jumps_are_messages_not_tracebacks(text, words):
    with pytest.raises(ValueError, match=words):
        jump_time(text, anchor=ANCHOR)


def test_jump_past_the_end_of_time_is_a_message():
    with pytest.raises(ValueError, match="out of range"):
        jump_time("+36500d", anchor=datetime(9999, 1, 1, tzinfo=timezone.utc))


def test_stale_generations_are_discarded():
    model = LogsModel()
    model.set_search("error")
    _, first = model.restart()
    model.set_search("warn")
    query, second = model.restart()
    assert query.pattern == "warn" and second > first and model.searching
    assert not model.progress(first, array("Q", [1]), array("Q", [1]), [None], True, 10)
    assert list(model.hits) == [] and model.searching
    assert model.progress(second, array("Q", [3, 5]), array("Q", [1, 2]), [None, None], False, 10)
    assert list(model.hits) == [3, 5] and model.searching
    assert model.progress(second, array("Q", [3, 5, 8]), array("Q", [1, 2, 1]), [None] * 3, True, 10)
    assert not model.searching and model.searched_to == 10
    assert list(model.subset()) == [3, 5, 6, 8]
    assert model.hits_text() == "error: 3 hits".replace("error", "warn")


def test_continuation_accumulates_after_the_earlier_hits():
    model = LogsModel()
    model.set_search("x")
    _, gen = model.restart()
    model.progress(gen, array("Q", [2]), array("Q", [1]), [None], True, 10)
    assert not model.needs_continuation(10, complete=True)
    assert model.needs_continuation(12, complete=True) and not model.needs_continuation(12, complete=False)
    gen = model.begin(10)
    model.progress(gen, array("Q", [11]), array("Q", [1]), [None], True, 12)
    assert list(model.hits) == [2, 11] and model.searched_to == 12


def test_clearing_makes_a_running_search_stale():
    model = LogsModel()
    model.set_search("x")
    _, gen = model.restart()
    model.clear()
    assert model.restart() is None and not model.searching
    assert not model.progress(gen, array("Q", [1]), array("Q", [1]), [None], True, 5)
    assert model.hits_text() is None


def test_level_cycles_and_filters_without_a_query():
    model = LogsModel()
    assert not model.toggle_filter()
    model.cycle_level()
    assert model.level is Level.DEBUG and model.filter_active()
    query, _ = model.restart()
    assert query.min_level is Level.DEBUG and query.pattern == ""
    assert model.hits_text() == "0 records…"
    assert model.restart(ready=False) is None and not model.searching


def test_next_hit_wraps():
    model = LogsModel()
    model.hits = array("Q", [3, 7, 9])
    assert [model.next_hit(5, 1), model.next_hit(9, 1), model.next_hit(5, -1), model.next_hit(3, -1)] == [7, 3, 3, 9]
    assert LogsModel().next_hit(0, 1) is None


def test_default_files(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    for name in ("b.log", "a[1].log", "notes.txt"):
        (folder / name).write_text("x\n")
    files = default_files((), (), folder)
    from mlops_tui.sources.logs import expand
    assert [p.rsplit("/", 1)[-1] for p in expand(files)] == ["a[1].log", "b.log"]
    assert default_files(("given.log",), ("set.log",), folder) == ["given.log"]
    assert default_files((), ("set.log",), folder) == ["set.log"]
    assert default_files((), (), tmp_path / "none") == []
