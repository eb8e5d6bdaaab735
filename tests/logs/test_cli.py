"""`mlops-tui logs search` and `logs tail` run as a user runs them: a real process, real files, exit codes."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time

import pytest
from pathlib import Path

LOG = (
    "2023-11-07 10:15:30,123 - api - INFO - GET /v1/predict 200\n"
    "2023-11-07 10:15:31,456 - api - ERROR - predict failed\n"
    "Traceback (most recent call last):\n"
    "ZeroDivisionError: division by zero\n"
    "2023-11-07 10:15:32,000 - api - WARNING - [bold red]markup\x1b]0;title\x07 stays literal\n"
)


def run(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "mlops_tui", "logs", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def log(write):
    return write("app.log", LOG)


def test_search_json_lines(tmp_path, log):
    result = run(tmp_path, "search", "division", "--file", str(log), "--json")
    assert result.returncode == 0, result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["message"] == "predict failed" and record["level"] == "error"
    assert record["line"] == 2 and record["end_line"] == 4 and record["source"] == "app.log"
    assert record["timestamp"].startswith("2023-11-07T10:15:31.456")


def test_search_level_and_empty_pattern(tmp_path, log):
    result = run(tmp_path, "search", "--file", str(log), "--level", "warn", "--json")
    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == [2, 5]
    assert run(tmp_path, "search", "", "--file", str(log), "--count").stdout.strip() == "3"
    assert run(tmp_path, "search", "--file", str(log), "--limit", "1", "--json").stdout.count("\n") == 1


def test_search_text_output_is_literal(tmp_path, log):
    result = run(tmp_path, "search", "markup", "--file", str(log))
    assert result.returncode == 0
    assert "[bold red]markup" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "␛]0;title␇" in result.stdout


def test_search_fields_on_json(tmp_path, write):
    path = write("svc.json", '{"level":"error","service":"api","latency_ms":900,"msg":"slow"}\n'
                             '{"level":"error","service":"db","latency_ms":900,"msg":"db slow"}\n'
                             '{"level":"info","service":"api","latency_ms":10,"msg":"fast"}\n')
    result = run(tmp_path, "search", "--file", str(path), "--field", "service=api", "--field", "latency_ms>500", "--json")
    assert [json.loads(line)["message"] for line in result.stdout.splitlines()] == ["slow"]


def test_nothing_matched_is_exit_0(tmp_path, log):
    result = run(tmp_path, "search", "no such text", "--file", str(log))
    assert (result.returncode, result.stdout) == (0, "")


@pytest.mark.parametrize("args", [("(", "--regex"), ("x", "--level", "loud"), ("x", "--since", "yesterday-ish"), ("x", "--field", "=1")])
def test_bad_query_is_exit_2_with_a_message(tmp_path, log, args):
    result = run(tmp_path, "search", *args, "--file", str(log))
    assert result.returncode == 2
    assert result.stderr.startswith("mlops-tui: ") and "Traceback" not in result.stderr


def test_unreadable_file_is_exit_3(tmp_path, log):
    result = run(tmp_path, "search", "x", "--file", str(tmp_path / "missing.log"))
    assert result.returncode == 3 and "missing.log" in result.stderr and "Traceback" not in result.stderr
    result = run(tmp_path, "search", "x", "--file", str(tmp_path / "*.nothing"))
    assert result.returncode == 3 and "no file matches" in result.stderr


def test_tail_follows_appends_and_rotation(tmp_path, log):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    process = subprocess.Popen([sys.executable, "-m", "mlops_tui", "logs", "tail", "--file", str(log), "-n", "1",
                                "--interval", "0.05", "--for", "30"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    got: list[str] = []

    def read_until(count: int) -> None:
        deadline = time.monotonic() + 20
        while len(got) < count and time.monotonic() < deadline:
            if selector.select(timeout=1):
                line = process.stdout.readline()
                if not line:
                    break
                got.append(line)

    try:
        read_until(1)
        assert "stays literal" in got[0]
        with open(log, "a") as handle:
            handle.write("2023-11-07 10:15:33,000 - api - INFO - after append\n")
        read_until(2)
        os.rename(log, tmp_path / "app.log.1")
        log.write_text("2023-11-07 10:15:34,000 - api - INFO - new file\n")
        read_until(3)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert [line.split("app.log:", 1)[1].split(" ", 1)[1].rstrip("\n") for line in got] == [
        LOG.splitlines()[-1].replace("\x1b", "␛").replace("\x07", "␇"),
        "2023-11-07 10:15:33,000 - api - INFO - after append",
        "2023-11-07 10:15:34,000 - api - INFO - new file",
    ]


def test_limit_zero_prints_nothing(tmp_path, log):
    result = run(tmp_path, "search", "--file", str(log), "--limit", "0")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_default_files_with_glob_characters_in_their_names(tmp_path, write):
    write("logs/app[1].log", LOG)
    write("logs/other.log", LOG)
    result = run(tmp_path, "search", "division", "--json")
    assert result.returncode == 0, result.stderr
    assert sorted(json.loads(line)["source"] for line in result.stdout.splitlines()) == ["app[1].log", "other.log"]


@pytest.mark.parametrize("since, count", [("2023-11-07T10:15:31", 2), ("2023-11-07 10:15:31.500", 1), ("10m", 0),
                                          ("1699000000", 3)])
def test_since_grammar(tmp_path, log, since, count):
    result = run(tmp_path, "search", "--file", str(log), "--since", since, "--count")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(count)


def test_since_too_long_is_a_usage_error(tmp_path, log):
    result = run(tmp_path, "search", "--file", str(log), "--since", "99999999999d")
    assert result.returncode == 2 and "too long" in result.stderr and "Traceback" not in result.stderr


def test_level_counts_of_a_file_without_levels_say_how_unknown_is_treated(tmp_path, write):
    proxy = write("proxy.log", "[10.30 16:49:06] chrome.exe - proxy:5070 open through proxy HTTPS\n"
                               "[10.30 16:49:08] chrome.exe - proxy:5070 error : Could not connect through proxy\n")
    counts = [run(tmp_path, "search", "", "--file", str(proxy), "--level", level, "--count").stdout.strip() for level in ("debug", "info")]
    assert counts == ["2", "0"]
    assert "records without a level are kept at debug or trace" in " ".join(run(tmp_path, "search", "--help").stdout.split())


def test_demo_python_logging_gets_its_timestamps_and_one_error_per_traceback(tmp_path, write):
    demo = write("feature-store.log", (Path(__file__).parent / "samples" / "python-demo.log").read_text())
    result = run(tmp_path, "search", "", "--file", str(demo), "--level", "error", "--json")
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["timestamp"].startswith("2026-12-01T23:41:51.977") and (record["line"], record["end_line"]) == (2, 8)
    window = run(tmp_path, "search", "", "--file", str(demo), "--since", "2026-12-01T23:41:51", "--until", "2026-12-01T23:41:52", "--count")
    assert window.stdout.strip() == "1"


def big_log(write):
    # far more than a pipe holds (64 KiB): the command is still writing when its reader goes
    return write("big.log", "".join(f"2023-11-07 10:15:30,123 - api - INFO - request {n}\n" for n in range(50_000)))


@pytest.mark.parametrize("command", [("search", "request"), ("search", "--json"), ("search", "--count", "--field", "nosuch=1"),
                                     ("tail", "-n", "50000", "--for", "5")], ids=" ".join)
def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path, write, command):
    """`mlops-tui logs search ... | head -1`: a real pipe whose reader closes after the first line. The
    command ends as grep does (nothing on stderr, 141 as a shell reports grep's SIGPIPE), not as a file
    it could not read (exit 3). (--count on an unknown field writes nothing: it is the exit-2 case.)"""
    path = big_log(write)
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "NO_COLOR": "1"}
    process = subprocess.Popen([sys.executable, "-m", "mlops_tui", "logs", *command, "--file", str(path)], cwd=tmp_path,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()
    process.wait(60)
    stderr = process.stderr.read().decode()
    process.stderr.close()
    if "--count" in command:
        assert (first, process.returncode) == (b"", 2) and "unknown field 'nosuch'" in stderr
        return
    assert first  # it had started printing
    assert (process.returncode, stderr) == (141, "")


def test_a_filter_on_a_field_no_record_has_says_so(tmp_path, write):
    path = write("svc.json", '{"level":"error","service":"api","status":503,"msg":"down"}\n'
                             '{"level":"info","service":"api","status":200,"msg":"ok"}\n')
    for extra in ((), ("--count",), ("--json",)):
        result = run(tmp_path, "search", "--file", str(path), "--field", "http.status>=500", *extra)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == "mlops-tui: unknown field 'http.status': no record in svc.json has it\n"
    # a known field that matches nothing is still a plain 0, and != on an absent field matches every record
    assert run(tmp_path, "search", "--file", str(path), "--field", "status>=600", "--count").stdout == "0\n"
    assert run(tmp_path, "search", "--file", str(path), "--field", "http.status!=500", "--count").stdout == "2\n"


def test_the_pattern_takes_the_panes_filter_syntax(tmp_path, write):
    path = write("ecs.json", "".join(
        f'{{"@timestamp":"2023-11-07T10:15:{n:02d}Z","log.level":"info","service":{{"name":"{svc}"}},'
        f'"http":{{"response":{{"status_code":{code}}}}},"message":"GET /v1/predict"}}\n'
        for n, (svc, code) in enumerate([("api", 200), ("api", 503), ("gw", 500), ("api", 502), ("gw", 404)])))
    as_pattern = run(tmp_path, "search", "http.response.status_code>=500", "--file", str(path), "--count")
    as_field = run(tmp_path, "search", "--field", "http.response.status_code>=500", "--file", str(path), "--count")
    assert (as_pattern.returncode, as_pattern.stdout) == (as_field.returncode, as_field.stdout) == (0, "3\n")
    # text and filters together, as in the search box; the filter's records are those --field gives
    both = run(tmp_path, "search", "/v1/predict service.name=api status_code>=500", "--file", str(path), "--count")
    assert both.returncode == 2 and "unknown field 'status_code'" in both.stderr
    both = run(tmp_path, "search", "/v1/predict service.name=api http.response.status_code>=500", "--file", str(path), "--json")
    assert [json.loads(line)["timestamp"][17:19] for line in both.stdout.splitlines()] == ["01", "03"]
    # with --regex the whole pattern is the regex
    assert run(tmp_path, "search", "-E", "status_code.:5", "--file", str(path), "--count").stdout == "3\n"


@pytest.mark.parametrize("first_record", [
    "2023-11-07 10:15:30,123 INFO api started",
    '{"ts": "2023-11-07T10:15:30Z", "level": "info", "msg": "started"}',
])
def test_lines_before_the_first_record_are_a_record_of_their_own(tmp_path, write, first_record):
    """A banner before the first record (or a line of another format) was dropped by `search ""` and --count,
    while a search for its text found it."""
    log = write("banner.log", f"=== log opened ===\n{first_record}\n{first_record}\n")
    result = run(tmp_path, "search", "", "--file", str(log))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and "=== log opened ===" in lines[0] and "banner.log:1" in lines[0]
    assert run(tmp_path, "search", "", "--file", str(log), "--count").stdout.strip() == "3"
