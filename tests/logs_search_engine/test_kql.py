"""KQL to query DSL, against DSL written out by hand (the engines run the same queries in test_search.py)."""

from __future__ import annotations

import pytest

from mlops_tui.sources.logs import QueryError
from mlops_tui.sources.logs.kql import KqlSyntaxError, to_dsl


def match(field: str, value: str) -> dict:
    return {"match": {field: value}}


@pytest.mark.parametrize(
    ("kql", "dsl"),
    [
        ("", {"match_all": {}}),
        ("   ", {"match_all": {}}),
        ("service.name: api", match("service.name", "api")),
        ("service.name:api", match("service.name", "api")),
        ('message: "timed out"', {"match_phrase": {"message": "timed out"}}),
        ("message: timed out", match("message", "timed out")),
        ("host.name: web-*", {"query_string": {"fields": ["host.name"], "query": "web\\-*"}}),
        ("host.name: *", {"exists": {"field": "host.name"}}),
        ("status >= 500", {"range": {"status": {"gte": "500"}}}),
        ("status>500", {"range": {"status": {"gt": "500"}}}),
        ("status < 500", {"range": {"status": {"lt": "500"}}}),
        ('@timestamp <= "2026-11-24T10:00:00Z"', {"range": {"@timestamp": {"lte": "2026-11-24T10:00:00Z"}}}),
        ("timeout", {"multi_match": {"query": "timeout", "type": "best_fields", "lenient": True}}),
        ('"connection reset"', {"multi_match": {"query": "connection reset", "type": "phrase", "lenient": True}}),
        ("time*", {"query_string": {"query": "time*"}}),
        (
            "service.name: api and not log.level: debug",
            {"bool": {"filter": [match("service.name", "api"),
                                 {"bool": {"must_not": [match("log.level", "debug")]}}]}},
        ),
        (
            "a: 1 or b: 2",
            {"bool": {"should": [match("a", "1"), match("b", "2")], "minimum_should_match": 1}},
        ),
        (
            "a: 1 and b: 2 and c: 3",
            {"bool": {"filter": [match("a", "1"), match("b", "2"), match("c", "3")]}},
        ),
        (
            # and binds tighter than or
            "a: 1 or b: 2 and c: 3",
            {"bool": {"should": [match("a", "1"), {"bool": {"filter": [match("b", "2"), match("c", "3")]}}],
                      "minimum_should_match": 1}},
        ),
        (
            "(a: 1 or b: 2) and c: 3",
            {"bool": {"filter": [{"bool": {"should": [match("a", "1"), match("b", "2")], "minimum_should_match": 1}},
                                 match("c", "3")]}},
        ),
        (
            "host.name: (web-01 or web-02)",
            {"bool": {"should": [match("host.name", "web-01"), match("host.name", "web-02")],
                      "minimum_should_match": 1}},
        ),
        (
            'message: ("out of memory" and not cuda)',
            {"bool": {"filter": [{"match_phrase": {"message": "out of memory"}},
                                 {"bool": {"must_not": [match("message", "cuda")]}}]}},
        ),
        ("NOT a: 1", {"bool": {"must_not": [match("a", "1")]}}),
        ("not not a: 1", {"bool": {"must_not": [{"bool": {"must_not": [match("a", "1")]}}]}}),
        ("A: 1 AND B: 2", {"bool": {"filter": [match("A", "1"), match("B", "2")]}}),
        # escapes: a literal star, parenthesis, colon, keyword; quoted escapes
        ("name: a\\*b", match("name", "a*b")),
        ("name: f\\(x\\)", match("name", "f(x)")),
        ("url: http\\://x", match("url", "http://x")),
        ("word: \\and", match("word", "and")),
        ('message: "say \\"hi\\" \\\\ bye"', {"match_phrase": {"message": 'say "hi" \\ bye'}}),
        # a wildcard value keeps its star and escapes the query_string characters around it
        ("path: /api/v1/*", {"query_string": {"fields": ["path"], "query": "\\/api\\/v1\\/*"}}),
        ("name: a?b*", {"query_string": {"fields": ["name"], "query": "a\\?b*"}}),
        ("name: a\\*b*", {"query_string": {"fields": ["name"], "query": "a\\*b*"}}),
        ("msg: out of*", {"query_string": {"fields": ["msg"], "query": "out\\ of*"}}),
    ],
)
def test_translation(kql: str, dsl: dict) -> None:
    assert to_dsl(kql) == dsl


@pytest.mark.parametrize(
    ("kql", "column", "words"),
    [
        ("service.name:", 14, "expected a value, found the end of the query"),
        ("a: 1 and", 9, "expected a value"),
        ("(a: 1 or b: 2", 1, "unclosed '('"),
        ("a: (1 or 2", 4, "unclosed '('"),
        ("a: 1)", 5, "found ')'"),
        ('message: "timed out', 10, "unterminated quoted phrase"),
        ("status >= ", 11, "a value after '>='"),
        ("status >= web*", 11, "a value after '>='"),
        ("a: 1 b: 2", 6, "a field name cannot contain spaces"),
        ('"a" b', 5, "expected 'and', 'or' or the end"),
        ("user: { first: x }", 7, "nested field queries"),
        ("host.*: web", 1, "wildcards in field names"),
        ("and", 1, "expected a value, found 'and'"),
        ("a: 1 or or b: 2", 9, "expected a value, found 'or'"),
        ("x\\", 2, "a backslash at the end"),
        (":", 1, "expected a value, found ':'"),
    ],
)
def test_syntax_errors_name_the_column(kql: str, column: int, words: str) -> None:
    with pytest.raises(KqlSyntaxError) as caught:
        to_dsl(kql)
    assert caught.value.column == column
    assert str(caught.value).startswith(f"KQL syntax error at column {column}: ")
    assert words in str(caught.value)
    assert isinstance(caught.value, QueryError)
