"""`mlops-tui logs search --source NAME` as a user runs it: a real process, settings in ./mlops-tui.yaml, a real
cluster (OpenSearch 2.19 and Elasticsearch 8.15 from the fixtures), exit codes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from support.cli import run_cli
from support.ports import free_port


@pytest.fixture(params=["opensearch", "opensearch3", "elasticsearch", "elasticsearch9"])
def cluster(request: pytest.FixtureRequest):
    return request.getfixturevalue(request.param)


def configure(tmp_path: Path, kind: str, url: str, name: str = "prod", index: str = "logs-*") -> Path:
    (tmp_path / "mlops-tui.yaml").write_text(
        f"logs:\n  {kind}:\n    - name: {name}\n      url: {url}\n      index: '{index}'\n      retries: 0\n"
    )
    return tmp_path


def logs(tmp_path: Path, *args: str):
    return run_cli(["logs", *args], cwd=tmp_path, env={"XDG_CONFIG_HOME": str(tmp_path / "xdg")}, timeout=120)


def open_contexts(cluster) -> int:
    with cluster.client() as client:
        nodes = client.get("/_nodes/stats/indices/search").json()["nodes"]
    return sum(node["indices"]["search"]["open_contexts"] for node in nodes.values())


def test_count(tmp_path: Path, cluster) -> None:
    configure(tmp_path, cluster.product, cluster.url)
    result = logs(tmp_path, "search", "log.level: ERROR and service.name: checkout", "--source", "prod", "--count")
    expected = sum(1 for d in cluster.seed.documents
                   if d["log"]["level"] == "ERROR" and d["service"]["name"] == "checkout")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{expected}\n", "")


def test_json_newest_first_with_a_limit_and_the_point_in_time_closed(tmp_path: Path, cluster) -> None:
    configure(tmp_path, cluster.product, cluster.url)
    result = logs(tmp_path, "search", "log.level: WARN", "--source", "prod", "--json", "--limit", "1500")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 1500  # more than one page of 1,000
    assert {r["level"] for r in records} == {"warn"}
    stamps = [r["timestamp"] for r in records]
    assert stamps == sorted(stamps, reverse=True)
    newest = max(d["@timestamp"] for d in cluster.seed.documents if d["log"]["level"] == "WARN")
    assert records[0]["fields"]["@timestamp"] == newest
    assert [r["line"] for r in records] == list(range(1, 1501))
    assert open_contexts(cluster) == 0


def test_time_range(tmp_path: Path, cluster) -> None:
    configure(tmp_path, cluster.product, cluster.url)
    result = logs(tmp_path, "search", "", "--source", "prod", "--since", "2026-11-27T12:00:00Z",
                  "--until", "2026-11-27T12:10:00Z")
    assert result.returncode == 0, result.stderr
    expected = sorted((d for d in cluster.seed.documents
                       if "2026-11-27T12:00:00.000Z" <= d["@timestamp"] <= "2026-11-27T12:10:00.000Z"),
                      key=lambda d: d["@timestamp"], reverse=True)
    assert result.stderr == f"{len(expected):,} hits\n"
    lines = [line for line in result.stdout.splitlines() if line.startswith("2026-")]  # not traceback lines
    assert len(lines) == len(expected) > 20
    assert len(result.stdout.splitlines()) == sum(d["message"].count("\n") + 1 for d in expected)
    assert lines[0].startswith(expected[0]["@timestamp"].replace("Z", "+00:00"))


def test_text_output_shows_untrusted_text_literally(tmp_path: Path, cluster) -> None:
    configure(tmp_path, cluster.product, cluster.url)
    result = logs(tmp_path, "search", 'message: "user input echoed"', "--source", "prod")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "user input echoed:" in result.stdout and result.stderr == "1 hit\n"


def test_kql_syntax_error_is_a_usage_error(tmp_path: Path, cluster) -> None:
    configure(tmp_path, cluster.product, cluster.url)
    result = logs(tmp_path, "search", "status >= ", "--source", "prod")
    assert result.returncode == 2
    assert "KQL syntax error at column 11: expected a value after '>='" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_engine_reason_for_a_refused_query(tmp_path: Path, cluster) -> None:
    configure(tmp_path, cluster.product, cluster.url)
    result = logs(tmp_path, "search", "@timestamp >= notadate", "--source", "prod")
    assert result.returncode == 3
    assert "prod: the engine refused the query: " in result.stderr and "Traceback" not in result.stderr


def test_index_matching_nothing(tmp_path: Path, cluster) -> None:
    configure(tmp_path, cluster.product, cluster.url, index="nothing-*")
    result = logs(tmp_path, "search", "", "--source", "prod")
    assert result.returncode == 3
    assert "prod: no index matches 'nothing-*'" in result.stderr


def test_the_other_engine_under_the_wrong_key(tmp_path: Path, cluster) -> None:
    other = "elasticsearch" if cluster.product == "opensearch" else "opensearch"
    configure(tmp_path, other, cluster.url)
    result = logs(tmp_path, "search", "", "--source", "prod")
    assert result.returncode == 3
    assert f"is {cluster.product} {cluster.version}, but it is configured under logs.{other}" in result.stderr


def test_unreachable(tmp_path: Path) -> None:
    configure(tmp_path, "opensearch", f"http://127.0.0.1:{free_port()}")
    result = logs(tmp_path, "search", "", "--source", "prod")
    assert result.returncode == 3
    assert "prod: cannot connect:" in result.stderr and "Traceback" not in result.stderr


def test_unknown_source_and_file_options(tmp_path: Path) -> None:
    configure(tmp_path, "opensearch", "http://127.0.0.1:9")
    unknown = logs(tmp_path, "search", "", "--source", "nope")
    assert unknown.returncode == 2
    assert "no search-engine source named 'nope' (known: prod)" in unknown.stderr
    regex = logs(tmp_path, "search", "x", "--source", "prod", "--regex", "--level", "warn")
    assert regex.returncode == 2
    assert "--regex, --level: for log files only; with --source, PATTERN is KQL" in regex.stderr


def test_lucene_search(tmp_path: Path, cluster) -> None:
    configure(tmp_path, cluster.product, cluster.url)
    result = logs(tmp_path, "search", "log.level:ERROR AND NOT service.name:trainer", "--source", "prod", "--lucene",
                  "--count")
    expected = sum(1 for d in cluster.seed.documents
                   if d["log"]["level"] == "ERROR" and d["service"]["name"] != "trainer")
    assert (result.returncode, result.stdout) == (0, f"{expected}\n")
    refused = logs(tmp_path, "search", "log.level:(ERROR", "--source", "prod", "--lucene")
    assert refused.returncode == 3 and "prod: the engine refused the query: " in refused.stderr
    assert "Traceback" not in refused.stderr
    files = logs(tmp_path, "search", "x", "--lucene")
    assert files.returncode == 2 and "--lucene: for --source only" in files.stderr


def test_fields_and_top_values(tmp_path: Path, cluster) -> None:
    configure(tmp_path, cluster.product, cluster.url)
    names = logs(tmp_path, "fields", "--source", "prod")
    assert names.returncode == 0, names.stderr
    listed = dict(line.split() for line in names.stdout.splitlines())
    assert listed["log.level"] == "keyword" and listed["@timestamp"] == "date" and listed["message"] == "text"
    top = logs(tmp_path, "fields", "host.name", "--source", "prod", "--query", "service.name: checkout", "--json")
    assert top.returncode == 0, top.stderr
    answer = json.loads(top.stdout)
    hosts = Counter(d["host"]["name"] for d in cluster.seed.documents if d["service"]["name"] == "checkout")
    assert {v["value"]: v["count"] for v in answer["values"]} == dict(hosts)  # exact, over every hit
    assert answer["hits"] == sum(hosts.values()) and answer["other"] == 0 and answer["missing"] == 0
    text = logs(tmp_path, "fields", "message", "--source", "prod")
    assert text.returncode == 2 and "'message' is text, which cannot be counted by value" in text.stderr
    unknown = logs(tmp_path, "fields", "nope", "--source", "prod")
    assert unknown.returncode == 2 and "no field 'nope'" in unknown.stderr


def test_tail_prints_the_newest_then_follows(tmp_path: Path, cluster) -> None:
    configure(tmp_path, cluster.product, cluster.url)
    result = logs(tmp_path, "tail", "log.level: ERROR", "--source", "prod", "-n", "3", "--json", "--for", "1",
                  "--interval", "0.5")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    newest = sorted((d["@timestamp"] for d in cluster.seed.documents if d["log"]["level"] == "ERROR"))[-3:]
    assert [r["fields"]["@timestamp"] for r in records] == newest  # oldest of the three first, as tail prints
    unreachable_dir = tmp_path / "gone"
    unreachable_dir.mkdir()
    configure(unreachable_dir, cluster.product, f"http://127.0.0.1:{free_port()}")
    gone = logs(unreachable_dir, "tail", "--source", "prod", "--for", "1")
    assert gone.returncode == 3 and "prod: cannot connect" in gone.stderr


def test_context_of_a_document_by_its_id(tmp_path: Path, cluster) -> None:
    """`--context ID`: the 5 newer and 5 older documents of the whole pattern around it, newest first, checked
    as timestamps against the seed sorted by hand; `--same service.name` narrows; an unknown _id exits 3."""
    configure(tmp_path, cluster.product, cluster.url)
    first = logs(tmp_path, "search", "log.level: ERROR and service.name: checkout", "--source", "prod", "--json",
                 "--limit", "1")
    anchor = json.loads(first.stdout)["fields"]
    docs = sorted(cluster.seed.documents, key=lambda d: d["@timestamp"], reverse=True)
    at = [d["@timestamp"] for d in docs].index(anchor["@timestamp"])

    result = logs(tmp_path, "search", "--source", "prod", "--context", anchor["_id"], "--json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["fields"]["@timestamp"] for r in records] == [d["@timestamp"] for d in docs[at - 5:at + 6]]
    assert records[5]["fields"]["_id"] == anchor["_id"] and result.stderr == "5 newer, 5 older\n"

    same = [d for d in docs if d["service"]["name"] == "checkout"]
    at = [d["@timestamp"] for d in same].index(anchor["@timestamp"])
    narrowed = logs(tmp_path, "search", "--source", "prod", "--context", anchor["_id"], "--same", "service.name",
                    "--context-size", "3")
    assert narrowed.returncode == 0, narrowed.stderr
    lines = narrowed.stdout.splitlines()
    assert len(lines) == 7 and lines[3].startswith("> ") and all(line.startswith("  ") for line in lines[:3] + lines[4:])
    assert [line[2:25] for line in lines] == [d["@timestamp"][:23]
                                             for d in same[at - 3:at + 4]]

    missing = logs(tmp_path, "search", "--source", "prod", "--context", "no-such-id")
    assert missing.returncode == 3 and "no document with _id 'no-such-id'" in missing.stderr
    usage = logs(tmp_path, "search", "x", "--source", "prod", "--context", anchor["_id"])
    assert usage.returncode == 2 and "PATTERN: not with --context" in usage.stderr
    assert open_contexts(cluster) == 0
