"""Params, metrics and output diffs agree with `dvc params diff`, `dvc metrics diff` and `dvc diff`."""

from __future__ import annotations

import pytest

from mlops_tui.sources.models import ModelRepository, ModelsError

PAIRS = [("churn@v1.0.0", "churn@v1.2.0"), ("churn#prod", "churn@latest"), ("HEAD~5", "HEAD")]


@pytest.fixture(scope="module")
def source(registry_repo):
    repo = ModelRepository(str(registry_repo.root))
    repo.load()
    return repo


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_diff_matches_dvc(registry_repo, source, a, b):
    result = source.diff(a, b)
    ca, cb = result.a.commit, result.b.commit
    params = registry_repo.json("dvc", "params", "diff", ca, cb, "--json")
    metrics = registry_repo.json("dvc", "metrics", "diff", ca, cb, "--json")
    outs = registry_repo.json("dvc", "diff", ca, cb, "--json", "--show-hash")
    assert result.params == params
    assert _approx(result.metrics) == _approx(metrics)
    # dvc lists a directory output ("data/images/") and, from its cache, the files inside it; the DVC cache
    # is never read here, so the comparison is at the level of tracked outputs
    dirs = [r["path"] for rows in result.outs.values() for r in rows if str(r["path"]).endswith("/")]
    theirs = {
        kind: [r for r in outs.get(kind, []) if not any(str(r["path"]).startswith(d) and r["path"] != d for d in dirs)]
        for kind in result.outs
    }
    assert result.outs == theirs
    assert params or metrics or any(outs.values())  # each pair really differs


def _approx(section):
    return {
        f: {k: {n: round(x, 9) if isinstance(x, float) else x for n, x in v.items()} for k, v in keys.items()}
        for f, keys in section.items()
    }


def test_stage_resolves_to_current_version(source):
    ref = source.resolve("churn#prod")
    assert ref.commit == source.resolve("churn@v1.1.0").commit
    assert "v1.1.0" in ref.label


def test_unknown_revision_is_a_clear_error(source):
    with pytest.raises(ModelsError, match="unknown revision 'no-such-branch'"):
        source.resolve("no-such-branch")
    with pytest.raises(ModelsError, match="no version of churn is in stage 'canary'"):
        source.resolve("churn#canary")


def test_same_revision_has_no_difference(source):
    assert source.diff("HEAD", "main").empty


def test_version_params_and_metrics_match_dvc(registry_repo, source):
    shown = registry_repo.json("dvc", "metrics", "show", "--all-tags", "--json")
    for version in ("v1.0.0", "v1.1.0", "v1.2.0"):
        key = next(k for k in shown if f"churn@{version}" in k.split(","))
        assert source.details_at(f"churn@{version}").metrics == {
            path: body["data"] for path, body in shown[key]["data"].items()
        }
    old, new = source.details_at("churn@v1.0.0"), source.details_at("churn@v1.2.0")
    both = registry_repo.json("dvc", "params", "diff", old.commit, new.commit, "--all", "--json")
    assert old.params == {f: {k: v["old"] for k, v in keys.items()} for f, keys in both.items()}
    assert new.params == {f: {k: v["new"] for k, v in keys.items()} for f, keys in both.items()}
    assert new.lock_params == {"dvc.lock:train": {"params.yaml:train.epochs": 20, "params.yaml:train.lr": 0.2}}


def _dvc_file(path: str, md5: str) -> str:
    return f"outs:\n- md5: {md5}\n  size: 5\n  hash: md5\n  path: {path}\n"


def test_renamed_deleted_modified_outputs_match_dvc_diff(tmp_path):
    from models.modelrepos import Builder, tool_env

    b = Builder(tmp_path / "repo", tool_env(tmp_path / "home"))
    b.root.mkdir()
    b.run("git", "init", "-q", "-b", "main")
    b.run("dvc", "init", "-q")
    b.write("a.bin.dvc", _dvc_file("a.bin", "a0000000000000000000000000000000"))
    b.write("keep.bin.dvc", _dvc_file("keep.bin", "b1111111111111111111111111111111"))
    b.write("gone.bin.dvc", _dvc_file("gone.bin", "c2222222222222222222222222222222"))
    b.commit("three outputs")
    b.run("git", "rm", "-q", "a.bin.dvc", "gone.bin.dvc")
    b.write("moved/b.bin.dvc", _dvc_file("b.bin", "a0000000000000000000000000000000"))
    b.write("keep.bin.dvc", _dvc_file("keep.bin", "e1111111111111111111111111111111"))
    b.write("new.bin.dvc", _dvc_file("new.bin", "f4444444444444444444444444444444"))
    b.commit("rename one, delete one, change one, add one")
    theirs = b.json("dvc", "diff", "HEAD~1", "HEAD", "--json", "--show-hash")
    ours = ModelRepository(str(b.root)).diff("HEAD~1", "HEAD").outs
    assert ours == theirs
    assert ours["renamed"] == [{"path": {"old": "a.bin", "new": "moved/b.bin"}, "hash": "a0000000000000000000000000000000"}]
    assert [len(ours[k]) for k in ("added", "deleted", "modified")] == [1, 1, 1]
