"""Bounds stated once (settings `limits:`): a log line, an HTTP answer, a .gz log, a config file. Each
hostile input ends by itself with a clear message and the child's peak RSS under measure.PEAK_BOUND_MIB."""

from __future__ import annotations

import gzip
import random
import zlib
from pathlib import Path

import pytest
from hostile.measure import PEAK_BOUND_MIB, ok_refusal, run

MiB = 1024 * 1024
STAMP = "2023-11-07 10:00:0{}.000 - app - INFO - {}\n"


def _prom(url: str) -> list[str]:
    return [f"metrics.prometheus=[{{name: prom, url: '{url}', timeout: 5, retries: 1}}]"]


def _influxql(url: str) -> list[str]:
    return [f"metrics.influxdb=[{{name: prom, url: '{url}', timeout: 5, retries: 1, database: telegraf}}]"]


def _flux(url: str) -> list[str]:
    return [f"metrics.influxdb=[{{name: prom, url: '{url}', timeout: 5, retries: 1, database: telegraf, "
            "language: flux, org: ml, token: t0ken}]"]


# --- HTTP answers -----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["huge", "endless", "gzip-bomb"])
@pytest.mark.parametrize("backend", [_prom, _influxql, _flux], ids=["prometheus", "influxql", "flux"])
def test_an_answer_past_the_bound_is_refused_before_it_is_in_memory(hostile_server, mode, backend):
    result = run([*backend(hostile_server.url(mode)), "metrics", "--source", "prom", "--hosts"])
    ok_refusal(result, 3, "larger than 67,108,864 bytes", "limits.http_answer_bytes")
    assert result.peak_mib < PEAK_BOUND_MIB, str(result)


@pytest.mark.parametrize("mode", ["huge", "gzip-bomb"])
@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_a_search_engine_answer_past_the_bound_is_refused(hostile_server, mode, engine):
    result = run([f"logs.{engine}=[{{name: es, url: '{hostile_server.url(mode)}', timeout: 5, retries: 1}}]",
                  "logs", "search", "--source", "es", "error"])
    ok_refusal(result, 3, "limits.http_answer_bytes")
    assert result.peak_mib < PEAK_BOUND_MIB, str(result)


def test_the_answer_bound_is_the_users_to_change(hostile_server):
    result = run([*_prom(hostile_server.url("gzip-bomb")), "limits.http_answer_bytes=2000000",
                  "metrics", "--source", "prom", "--hosts"])
    ok_refusal(result, 3, "larger than 2,000,000 bytes")
    assert result.peak_mib < 150, str(result)


def test_a_redirect_to_another_host_is_named_not_malformed(hostile_server):
    result = run([*_prom(hostile_server.url("redirect")), "metrics", "--source", "prom", "--hosts"])
    ok_refusal(result, 3, "redirect to http://elsewhere.invalid:8080 (not followed)")
    assert "s3cr3t" not in result.err


# --- log lines ---------------------------------------------------------------------------------------
def _nul_line_log(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.write(STAMP.format(0, "before").encode())
        start = handle.tell()
        handle.truncate(start + size)  # sparse: the NUL bytes cost no disk
        handle.seek(start + size)
        handle.write(b"\n" + STAMP.format(1, "after").encode())
    return path


@pytest.mark.parametrize("args", [[], ["--count"], ["after"], ["-E", "aft.r"], ["--level", "info", "--json"]],
                         ids=["all", "count", "literal", "regex", "level-json"])
def test_a_100_mb_line_of_nul_bytes_is_cut_and_indexing_goes_on(tmp_path, args):
    log = _nul_line_log(tmp_path / "nul.log", 100 * MiB)
    result = run(["logs", "search", *args, "-f", str(log)])
    assert not result.hung and result.code == 0, str(result)
    assert result.peak_mib < PEAK_BOUND_MIB, str(result)
    if args == ["--count"]:
        assert result.out.strip() == "2"  # before (with the NUL line as its continuation) and after
    else:
        assert "after" in result.out
    if not args:
        assert "[line cut at 16,777,216 bytes: limits.log_line_bytes]" in result.out


def test_the_line_bound_is_the_users_to_change(tmp_path):
    log = tmp_path / "long.log"
    log.write_bytes(b"x" * 100_000 + b"\nshort\n")
    result = run(["limits.log_line_bytes=5000", "logs", "search", "-f", str(log)])
    assert result.code == 0, str(result)
    first, second = result.out.splitlines()
    assert first.count("x") == 5000 and "[line cut at 5,000 bytes" in first
    assert second.endswith("short")


def test_a_line_bound_below_a_page_is_refused(tmp_path):
    result = run(["limits.log_line_bytes=10", "logs", "search", "-f", str(tmp_path / "x.log")])
    ok_refusal(result, 2, "limits.log_line_bytes")


# --- .gz logs ----------------------------------------------------------------------------------------
def _bomb(path: Path, inflated: int) -> Path:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * MiB
    with path.open("wb") as handle:
        for _ in range(inflated // MiB):
            handle.write(packer.compress(block))
        handle.write(packer.flush())
    return path


def _varied_log(lines: int) -> bytes:
    rng = random.Random(20)
    return "".join(STAMP.format(i % 10, f"request {rng.random()} user {rng.randint(0, 10**9)}")
                   for i in range(lines)).encode()


def test_a_gzip_bomb_stops_at_the_bound_and_leaves_no_file(tmp_path):
    bomb = _bomb(tmp_path / "bomb.log.gz", 512 * MiB)  # 0.5 MiB on disk, 512 MiB inflated (ratio 1000)
    temp = tmp_path / "tmp"
    temp.mkdir()
    result = run(["logs", "search", "--count", "-f", str(bomb)], env={"TMPDIR": str(temp)})
    ok_refusal(result, 3, "bomb.log.gz: inflates past", "limits.gzip_ratio")
    assert result.peak_mib < PEAK_BOUND_MIB and result.seconds < 20, str(result)
    assert list(temp.iterdir()) == []


def test_a_truncated_gz_prints_what_it_has_and_says_so(tmp_path):
    data = gzip.compress(_varied_log(50_000))
    log = tmp_path / "cut.log.gz"
    log.write_bytes(data[: len(data) // 2])
    result = run(["logs", "search", "--count", "-f", str(log)])
    ok_refusal(result, 3, "cut.log.gz: truncated gzip file")
    assert 10_000 < int(result.out) < 50_000


def test_a_fake_gz_is_named_not_zero_records(tmp_path):
    log = tmp_path / "fake.log.gz"
    log.write_bytes(_varied_log(100))
    result = run(["logs", "search", "-f", str(log)])
    ok_refusal(result, 3, "fake.log.gz: not a gzip file")


def test_an_honest_gz_reads_whole(tmp_path):
    log = tmp_path / "app.log.gz"
    log.write_bytes(gzip.compress(_varied_log(20_000)))
    result = run(["logs", "search", "--count", "-f", str(log)])
    assert result.code == 0 and result.out.strip() == "20000", str(result)


# --- config, .dvc and dvc.lock files -----------------------------------------------------------------
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))


@pytest.mark.parametrize("command", [["config", "diff", "laughs.yaml", "small.yaml"],
                                     ["config", "merge", "laughs.yaml", "--resolve"],
                                     ["--config", "laughs.yaml", "config", "check"]], ids=["diff", "merge", "settings"])
def test_a_billion_laughs_yaml_is_refused_fast(tmp_path, command):
    (tmp_path / "laughs.yaml").write_text(LAUGHS)
    (tmp_path / "small.yaml").write_text("a: 1\n")
    result = run(command, cwd=tmp_path)
    ok_refusal(result, 2, "limits.config_nodes")
    assert result.seconds < 15 and result.peak_mib < PEAK_BOUND_MIB, str(result)


def test_json_nested_past_the_bound_is_refused(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    ok_refusal(run(["config", "diff", "deep.json", "deep.json"], cwd=tmp_path), 2, "limits.config_depth")


def test_a_config_past_the_byte_bound_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(3 * 1024 * MiB)  # 3 GiB, sparse
    result = run(["config", "diff", "big.yaml", "big.yaml"], cwd=tmp_path)
    ok_refusal(result, 2, "larger than 33,554,432 bytes (limits.config_file_bytes)")
    assert result.peak_mib < PEAK_BOUND_MIB, str(result)


def test_a_dvc_lock_of_100000_stages_is_a_message_not_16_gb(tmp_path, repo):
    clone = tmp_path / "clone"
    repo.run("git", "clone", "-q", str(repo.root), str(clone))
    stages = "".join(f"  s{i}:\n    cmd: python train.py {i}\n    deps:\n    - path: d{i}\n      md5: {i:032x}\n"
                     for i in range(100_000))
    (clone / "dvc.lock").write_text("schema: '2.0'\nstages:\n" + stages)
    repo.run("git", "-C", str(clone), "commit", "-qam", "huge lock")
    result = run(["models", "list"], cwd=clone, env={**repo.env, "XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert not result.hung and "Traceback" not in result.err, str(result)
    assert result.peak_mib < PEAK_BOUND_MIB and result.seconds < 40, str(result)
    assert "limits.config" in result.out + result.err, str(result)


# --- regexes RE2 refuses: the backtracking engine runs them with a time budget ---------------------------
CATASTROPHIC = "(?=(a+)+$)"  # lookaround, so RE2 refuses it; exponential on a long run of `a` that ends in `b`


@pytest.mark.parametrize("args", [[], ["--count"]], ids=["search", "count"])
def test_a_catastrophic_lookaround_regex_ends_at_its_budget(tmp_path, args):
    log = tmp_path / "a.log"
    log.write_text(STAMP.format(0, "a" * 20_000 + "b"))
    result = run(["limits.regex_seconds=1", "logs", "search", *args, "-E", CATASTROPHIC, "-f", str(log)])
    ok_refusal(result, 2, "regex past limits.regex_seconds (1 s)", CATASTROPHIC)
    assert result.seconds < 20, str(result)  # the issue saw it run for ever


def test_a_lookaround_regex_that_settles_still_finds(tmp_path):
    log = tmp_path / "b.log"
    log.write_text(STAMP.format(0, "user=ada status=500") + STAMP.format(1, "user=bob status=200"))
    result = run(["logs", "search", "-E", r"user=(?!bob)\w+ status=(\d)\d\d", "-f", str(log)])  # RE2 refuses (?!
    assert result.code == 0 and "ada" in result.out and "bob" not in result.out, str(result)


# --- git objects read for one view -------------------------------------------------------------------
def _fast_import_repo(root: Path, commits: int, tags: int) -> Path:
    """A repository of `commits` commits, each changing model.pkl.dvc, and `tags` tags, made by one
    `git fast-import` (a few hundred milliseconds where `git commit` in a loop takes minutes)."""
    import subprocess

    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    stream = []
    for n in range(1, commits + 1):
        body = f"outs:\n- md5: {n:032x}\n  size: {n}\n  path: model.pkl\n".encode()
        stream.append(f"commit refs/heads/main\nmark :{n}\ncommitter ci <ci@example.com> {1_700_000_000 + n} +0000\n"
                      f"data 9\ntrain {n:03d}\n".encode()
                      + (f"from :{n - 1}\n".encode() if n > 1 else b"")
                      + f"M 100644 inline model.pkl.dvc\ndata {len(body)}\n".encode() + body + b"\n")
    for t in range(tags):
        stream.append(f"reset refs/tags/model@v0.0.{t}\nfrom :{1 + t % commits}\n\n".encode())
    stream.append(b"done\n")
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet", "--done"], input=b"".join(stream), check=True)
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "main"], check=True)
    return root


@pytest.mark.parametrize(("commits", "tags"), [(300, 0), (10, 600)], ids=["commits", "tags"])
def test_a_view_of_more_git_objects_than_the_bound_is_refused(tmp_path, commits, tags):
    repo = _fast_import_repo(tmp_path / "big", commits, tags)
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path)}
    result = run(["limits.git_objects=500", "models", "list", "--repo", str(repo)], env=env)
    ok_refusal(result, 3, "more than 500 git objects", "limits.git_objects")
    within = run(["limits.git_objects=2000", "models", "list", "--repo", str(repo)], env=env)
    assert within.code == 0 and "model.pkl" in within.out, str(within)
