"""Each built-in format recognised without configuration, on samples in the shape real programs write."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mlops_tui.settings.logs import CustomFormat
from mlops_tui.sources.logs import Level, Query, QueryError, custom_formats
from mlops_tui.sources.logs.formats import detect
from mlops_tui.sources.logs.record import parse_level

from pathlib import Path

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> str:
    """A sample file's text, in the exact shape the program writes it."""
    return (SAMPLES / name).read_text()

UTC = timezone.utc


def first_records(source):
    return [r for r in source.rows(0, source.row_count()) if not r.continuation]


@pytest.mark.parametrize(
    ("text", "fmt", "level", "message", "stamp"),
    [
        (sample("ecs.json"), "json", Level.INFO, "model loaded", datetime(2023, 11, 7, 10, 15, 30, 123000, UTC)),
        (sample("structlog.json"), "json", Level.WARN, "request served", datetime(2023, 11, 7, 10, 15, 30, 123456, UTC)),
        (sample("pino.json"), "json", Level.ERROR, "upstream timeout", datetime(2023, 11, 7, 10, 15, 30, 123000, UTC)),
        (sample("logfmt.log"), "logfmt", Level.WARN, "slow query", datetime(2023, 11, 7, 10, 15, 30, 123000, UTC)),
        (sample("python.log"), "python", Level.INFO, "Application startup complete.", datetime(2023, 11, 7, 10, 15, 30, 123000).astimezone()),
        (sample("python-basic.log"), "python", Level.WARN, "disk almost full", None),
        (sample("syslog-3164.log"), "syslog", None, "[12345.678] NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.", None),
        (sample("syslog-5424.log"), "syslog", Level.NOTICE, "An application event log entry", datetime(2003, 10, 11, 22, 14, 15, 3000, UTC)),
        (sample("apache-access.log"), "access", Level.INFO, "GET /apache_pb.gif HTTP/1.0", datetime(2000, 10, 10, 20, 55, 36, tzinfo=UTC)),
        (sample("nginx-access.log"), "access", Level.ERROR, "POST /v1/predict HTTP/1.1", datetime(2023, 11, 7, 10, 15, 30, tzinfo=UTC)),
        (sample("apache-error.log"), "http-error", Level.ERROR, "File does not exist: /usr/local/apache2/htdocs/favicon.ico", datetime(2011, 9, 9, 10, 42, 29, 902022).astimezone()),
        (sample("nginx-error.log"), "http-error", Level.ERROR, "connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: api, request: \"POST /v1/predict HTTP/1.1\", upstream: \"http://127.0.0.1:8000/v1/predict\", host: \"api\"", datetime(2023, 11, 7, 10, 15, 30).astimezone()),
        (sample("log4j.log"), "log4j", Level.INFO, "Subscribed to topic(s): features", datetime(2023, 11, 7, 10, 15, 30, 123000).astimezone()),
        (sample("spark.log"), "log4j", Level.INFO, "Running Spark version 3.5.0", datetime(2023, 11, 7, 10, 15, 30).astimezone()),
        (sample("hadoop.log"), "log4j", Level.INFO, "STARTUP_MSG: Starting NameNode", datetime(2023, 11, 7, 10, 15, 30, 123000).astimezone()),
        (sample("docker-json.log"), "docker", Level.INFO, "started", datetime(2023, 11, 7, 10, 15, 30, 123456, UTC)),
        (sample("cri.log"), "docker", Level.ERROR, "oom killed", datetime(2023, 11, 7, 10, 15, 30, 123456, UTC)),
    ],
    ids=["ecs", "structlog", "pino", "logfmt", "python", "python-basic", "syslog3164", "syslog5424", "apache-access",
         "nginx-access", "apache-error", "nginx-error", "log4j", "spark", "hadoop", "docker", "cri"],
)
def test_format_is_detected_and_parsed(write, opened, text, fmt, level, message, stamp):
    source = opened(write("sample.log", text))
    assert source.format.name == fmt
    record = first_records(source)[0]
    assert record.level == level
    assert record.message == message
    if stamp is not None:
        assert record.timestamp == stamp
    assert record.line == 1 and record.source == "sample.log"


def test_ecs_nested_fields_are_flattened_for_filters(write, opened):
    source = opened(write("ecs.json", sample("ecs.json")))
    second = first_records(source)[1]
    assert second.fields["service.name"] == "model-api"
    assert second.fields["error.type"] == "RuntimeError"
    assert second.fields["latency_ms"] == 812


def test_syslog_priority_gives_severity_and_facility(write, opened):
    source = opened(write("syslog", sample("syslog-3164.log") + sample("syslog-5424.log")))
    records = first_records(source)
    su = records[2]
    assert su.fields["facility"] == 4 and su.level == Level.CRITICAL  # <34>: auth, severity 2
    assert records[3].fields["app"] == "evntslog" and records[3].level == Level.NOTICE


def test_access_log_fields(write, opened):
    records = first_records(opened(write("access.log", sample("nginx-access.log"))))
    assert [r.fields["status"] for r in records] == [503, 404]
    assert [r.level for r in records] == [Level.ERROR, Level.WARN]
    assert records[0].fields["path"] == "/v1/predict" and records[0].fields["agent"] == "python-requests/2.31.0"


def test_python_traceback_stays_with_its_record(write, opened):
    source = opened(write("app.log", sample("python.log")))
    rows = source.rows(0, 10)
    assert [r.continuation for r in rows] == [False, False, True, True, True, True, False]
    record = source.record_at(4)
    assert record.line == 2 and record.end_line == 6
    assert record.raw.splitlines()[-1] == "ZeroDivisionError: division by zero"
    assert record.level == Level.ERROR


def test_java_stack_trace_stays_with_its_record(write, opened):
    source = opened(write("kafka.log", sample("log4j.log")))
    record = source.record_at(5)
    assert (record.line, record.end_line) == (2, 7)
    assert "Caused by: java.io.IOException: Broken pipe" in record.raw
    assert record.fields["thread"] == "kafka-producer-network-thread"


def test_docker_wrapper_unwraps_inner_json(write, opened):
    records = first_records(opened(write("container-json.log", sample("docker-json.log"))))
    assert records[1].message == "oom" and records[1].level == Level.ERROR
    assert records[1].fields["stream"] == "stdout" and records[1].fields["gpu"] == 1


def test_unknown_format_is_plain_lines(write, opened):
    source = opened(write("notes.txt", "hello there\nsecond line with error in it\nthird\n"))
    assert source.format.name == "plain"
    rows = source.rows(0, 3)
    assert [r.message for r in rows] == ["hello there", "second line with error in it", "third"]
    assert [r.continuation for r in rows] == [False, False, False]
    assert [r.level for r in rows] == [None, None, None]  # a word in the text is not a level
    assert [hit.row for hit in source.search(Query("error"))] == [1]  # but searching for it finds the line


def test_custom_format_from_settings(write, opened):
    formats = custom_formats([CustomFormat(name="trainer", regex=r"^\[(?P<timestamp>[^\]]+)\] (?P<level>\w+) step=(?P<step>\d+) (?P<message>.*)$",
                                           timestamp_format="%d.%m.%Y %H:%M:%S")])
    source = opened(write("train.log", "[07.11.2023 10:15:30] WARN step=1200 loss spiked\n[07.11.2023 10:15:31] INFO step=1201 ok\n"), formats=formats)
    assert source.format.name == "trainer"
    record = source.rows(0, 1)[0]
    assert record.level == Level.WARN and record.fields["step"] == 1200 and record.message == "loss spiked"
    assert record.timestamp == datetime(2023, 11, 7, 10, 15, 30).astimezone()


def test_custom_format_with_bad_regex_names_the_setting():
    with pytest.raises(QueryError, match=r"logs.formats.0.regex"):
        custom_formats([CustomFormat(regex="(?P<message>")])


@pytest.mark.parametrize(("name", "level"), [("WARNING", Level.WARN), ("fatal", Level.CRITICAL), ("Err", Level.ERROR),
                                             ("notice", Level.NOTICE), (10, Level.TRACE), (3, Level.ERROR), ("SEVERE", Level.ERROR)])
def test_levels_are_normalised(name, level):
    assert parse_level(name) == level


def test_detect_prefers_the_format_of_most_lines():
    assert detect(sample("logfmt.log").splitlines() + ["garbage"]).name == "logfmt"
    assert detect(["", "   "]).name == "plain"


def test_cri_partial_lines_join_into_one_record(write, opened):
    source = opened(write("pod.log", (
        '2023-11-07T10:15:30.000000001Z stdout P {"level":"error","msg":"oom ki\n'
        '2023-11-07T10:15:30.000000002Z stdout P lled","pod":\n'
        '2023-11-07T10:15:30.000000003Z stdout F "trainer-0"}\n'
        "2023-11-07T10:15:31.000000000Z stderr F level=info msg=restarted\n"
    )))
    assert source.format.name == "docker"
    assert [r.continuation for r in source.rows(0, 4)] == [False, True, True, False]
    assert [r.continuation for r in source.rows(2, 2)] == [True, False]  # also when read from the middle
    record = source.record_at(1)
    assert (record.line, record.end_line) == (1, 3)
    assert record.message == "oom killed" and record.level == Level.ERROR and record.fields["pod"] == "trainer-0"
    assert [hit.record.message for hit in source.search(Query("", min_level=Level.ERROR))] == ["oom killed"]
    assert source.count(Query("lled")) == 1


def test_json_lines_without_a_level_pass_only_the_loosest_filter(write, opened):
    source = opened(write("app.jsonl", '{"level":"info","msg":"a"}\n{"msg":"no level"}\n{"level":"error","msg":"b"}\n'))
    assert [h.record.message for h in source.search(Query("", min_level=Level.DEBUG))] == ["a", "no level", "b"]
    assert [h.record.message for h in source.search(Query("", min_level=Level.INFO))] == ["a", "b"]
    assert source.count(Query("", min_level=Level.DEBUG)) == 3


@pytest.mark.parametrize(("name", "text"), [
    ("app.jsonl", '{"level":"info","msg":"error budget ok"}\n{"level":50,"msg":"pino"}\n{"log":{"level":"ERROR"},"message":"ecs"}\n'
                  '{"severity":"CRITICAL","message":"gcp"}\n{"level":"warn","msg":"slow","status":500}\n{"lvl":"e","msg":"short"}\n'),
    ("app.logfmt", 'level=info msg="error budget ok"\nlevel=50 msg=pino\nlevel=ERROR msg=ecs\nseverity=critical msg=gcp\n'
                   'level=warn msg=slow status=500\nlvl=e msg=short\n'),
])
def test_json_and_logfmt_level_filters_read_the_level_key_only(write, opened, name, text):
    source = opened(write(name, text))
    errors = [h.record.message for h in source.search(Query("", min_level=Level.ERROR))]
    assert errors == ["pino", "ecs", "gcp", "short"]
    assert source.count(Query("", min_level=Level.ERROR)) == 4 and source.count(Query("", min_level=Level.WARN)) == 5
