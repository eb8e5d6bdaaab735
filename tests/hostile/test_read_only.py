"""Read-only, proven: every CLI command and every pane under Pilot, run over a real git + DVC + GTO
repository (with its DVC cache, configs and logs), leaves it exactly as it was: every file's content and
mtime (.git and .dvc/cache included), `git status --ignored`, the index, the refs."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import time
from pathlib import Path

import pytest
from hostile.measure import count, run
from hostile.recorder import RecordingPassThrough
from support.app_factory import make_app


def state(root: Path) -> dict[str, object]:
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            st = path.stat()
            files[str(path.relative_to(root))] = (st.st_mtime_ns, st.st_size, hashlib.sha1(path.read_bytes()).hexdigest())
        elif path.is_dir():
            files[str(path.relative_to(root)) + "/"] = path.stat().st_mtime_ns

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                              env={"GIT_OPTIONAL_LOCKS": "0", "PATH": "/usr/bin:/bin"}).stdout

    return {"files": files, "status": git("status", "--porcelain", "--ignored"),
            "refs": git("for-each-ref", "--format=%(refname) %(objectname)"), "index": git("ls-files", "-s")}


COMMANDS = [
    ["models", "list"], ["models", "list", "--json"], ["models", "history", "model.pkl"],
    ["models", "diff", "HEAD~1", "HEAD"], ["models", "diff", "HEAD~1", "HEAD", "--json"],
    ["config", "diff", "HEAD~1:configs", "configs"], ["config", "diff", "configs/train.yaml", "configs/prod.yaml"],
    ["config", "merge", "configs/train.yaml", "configs/prod.yaml", "--resolve"],
    ["config", "check"], ["logs", "search", "-f", "logs/app.log"], ["logs", "search", "--count", "-f", "logs/*.log"],
    ["logs", "tail", "--for", "0.5", "-f", "logs/app.log"], ["alerts"], ["metrics", "--json"],
]


def test_every_cli_command_leaves_the_repository_as_it_was(repo):
    before = state(repo.root)
    env = {**repo.env, "XDG_CONFIG_HOME": str(repo.root.parent / "xdg-ro")}
    for args in COMMANDS:
        result = run(args, cwd=repo.root, env=env)
        assert not result.hung and "Traceback" not in result.err, str(result)
    after = state(repo.root)
    changed = [k for k in set(before["files"]) | set(after["files"])
               if before["files"].get(k) != after["files"].get(k)]
    count("writes to repositories or backends", len(changed) + sum(before[k] != after[k] for k in ("status", "refs", "index")))
    assert changed == []
    assert before == after


async def test_every_pane_leaves_the_repository_as_it_was(repo, monkeypatch):
    monkeypatch.chdir(repo.root)
    for name, value in repo.env.items():
        if name.startswith(("GIT_", "HOME", "PATH", "DVC_")):
            monkeypatch.setenv(name, value)
    before = state(repo.root)
    app = make_app([f"models.repo={repo.root}", f"logs.files=[{repo.root / 'logs/app.log'}]",
                    "configs.paths=[configs]", "configs.compare=[HEAD~1:configs/train.yaml,configs/train.yaml]"],
                   pane_options={"configs": {"cwd": repo.root}})
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("1", "2", "3", "4", "5", "2", "enter", "down", "enter", "4", "n", "3", "end", "enter", "escape"):
            await pilot.press(key)
            await pilot.pause()
        deadline = time.monotonic() + 30
        endless = {"logs.follow", "metrics.local.sample"}  # they run while the app runs
        while any(w.is_running and w.name not in endless for w in app.workers):
            assert time.monotonic() < deadline, [w.name for w in app.workers if w.is_running]
            await pilot.pause(0.1)
    after = state(repo.root)
    changed = [k for k in set(before["files"]) | set(after["files"]) if before["files"].get(k) != after["files"].get(k)]
    count("inputs and faults tried")
    count("writes to repositories or backends", len(changed))
    assert changed == []
    assert before == after


@pytest.mark.parametrize("mode", ["trickle", "redirect"])
def test_only_reads_reach_a_backend(hostile_server, mode):
    before = len(hostile_server.requests)
    run([f"metrics.prometheus=[{{name: p, url: '{hostile_server.url(mode)}', timeout: 2, retries: 1}}]",
         "limits.http_deadline=2", "metrics", "--source", "p", "--hosts"])
    methods = {method for method, _ in hostile_server.requests[before:]}
    count("writes to repositories or backends", len(methods - {"GET"}))
    assert methods == {"GET"}


# --- backends: an allow-list of reads -----------------------------------------------------------------
READ_POSTS = re.compile(r"^(/[^/_][^/]*)?/(_search|_count|_msearch|_pit|_search/point_in_time)$"  # search engines
                        r"|^(/[^/]+)*/api/v2/query$"  # Flux (under a base path too): its query API takes only POST
                        r"|^(/[^/]+)*/api/v1/(query|query_range|series|labels)$")  # Prometheus allows POST for long queries
PIT_CLOSES = {"/_pit", "/_search/point_in_time"}


def writes(requests) -> list[str]:
    """Every request that is not a read: GET and HEAD of anything; POST only to a query, search, count or
    point-in-time endpoint; DELETE only of a point in time the same session opened (by its id)."""
    opened: set[str] = set()
    bad: list[str] = []
    for method, target, body, answer in requests:
        path = target.split("?", 1)[0]
        if method in ("GET", "HEAD"):
            continue
        if method == "POST" and READ_POSTS.match(path):
            if path.endswith(("/_pit", "/point_in_time")):
                reply = json.loads((gzip.decompress(answer) if answer[:2] == b"\x1f\x8b" else answer) or b"{}")
                if reply.get("id") or reply.get("pit_id"):  # not an error answer (an index matching nothing)
                    opened.add(reply.get("id") or reply.get("pit_id"))
            continue
        if method == "DELETE" and path in PIT_CLOSES:
            sent = json.loads(body or b"{}")
            ids = sent.get("pit_id") or [sent.get("id")]
            if ids and all(i in opened for i in ids):
                opened.difference_update(ids)
                continue
        bad.append(f"{method} {target} {body[:200]!r}")
    bad.extend(f"point in time left open: {i[:20]}..." for i in opened)
    return bad


def cluster_state(cluster) -> dict[str, object]:
    with cluster.client() as client:
        indices = client.get("/_cat/indices", params={"format": "json", "h": "index,docs.count",
                                                      "expand_wildcards": "all"}).json()
        client.post("/_refresh")  # counts as the cluster holds them, not as the last refresh saw them
        counts = {i["index"]: client.get(f"/{i['index']}/_count").json().get("count")
                  for i in indices if not i["index"].startswith(".")}
        nodes = client.get("/_nodes/stats/indices/search").json()["nodes"]
        return {"indices": sorted(i["index"] for i in indices if not i["index"].startswith(".")),
                "counts": counts, "mappings": {k: v for k, v in client.get("/_mapping").json().items()
                                               if not k.startswith(".")},
                "open contexts": sum(n["indices"]["search"]["open_contexts"] for n in nodes.values())}


@pytest.fixture(params=["opensearch", "opensearch3", "elasticsearch", "elasticsearch9"])
def cluster(request):
    return request.getfixturevalue(request.param)


def test_only_reads_reach_a_search_cluster_and_it_is_left_as_it_was(cluster, tmp_path):
    """Every CLI path that talks to Elasticsearch/OpenSearch (a page, pages through a point in time past
    one page, a count, a histogram, a syntax error, an index that matches nothing), through a recording
    pass-through to the real cluster: only reads on the allow-list, every point in time closed, and the
    cluster's indices, mappings, document counts and open search contexts as they were."""
    recorder = RecordingPassThrough(cluster.url)
    try:
        before = cluster_state(cluster)
        (tmp_path / "mlops-tui.yaml").write_text(
            f"logs:\n  {cluster.product}:\n    - {{name: prod, url: '{recorder.url}', index: 'logs-*', retries: 0}}\n"
            f"    - {{name: none, url: '{recorder.url}', index: 'nosuch-*', retries: 0}}\n")
        env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
        for args in (["logs", "search", "log.level: WARN", "--source", "prod", "--json", "--limit", "1500"],
                     ["logs", "search", "log.level: ERROR", "--source", "prod", "--limit", "5"],
                     ["logs", "search", "log.level: ERROR", "--source", "prod", "--count"],
                     ["logs", "search", "log.level: (", "--source", "prod"],
                     ["logs", "search", "error", "--source", "none"]):
            result = run(args, cwd=tmp_path, env=env)
            assert not result.hung and "Traceback" not in result.err, str(result)
        after = cluster_state(cluster)
    finally:
        recorder.stop()
    bad = writes(recorder.requests)
    methods = {method for method, *_ in recorder.requests}
    print(len(recorder.requests), "requests:", sorted(methods))
    count("inputs and faults tried")
    count("writes to repositories or backends", len(bad) + (before != after))
    assert "POST" in methods and "DELETE" in methods, recorder.requests  # the PIT was opened and closed here
    assert bad == [], bad
    assert after == before


def test_only_reads_reach_a_flux_backend(hostile_server):
    before = len(hostile_server.requests)
    run([f"metrics.influxdb=[{{name: f, url: '{hostile_server.url('trickle')}', timeout: 2, retries: 1, "
         "database: telegraf, language: flux, org: ml, token: t0ken}]", "limits.http_deadline=2",
         "metrics", "--source", "f", "--hosts"])
    seen = [(method, path, b"", b"") for method, path in hostile_server.requests[before:]]
    assert any(method == "POST" for method, *_ in seen), seen  # Flux's query reached the backend
    bad = writes(seen)
    count("writes to repositories or backends", len(bad))
    assert bad == [], bad
