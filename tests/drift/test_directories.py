"""A DVC-tracked directory as one sample: `name#prod` whose stage read `data/raw` (every CSV in it read as one
table, from the DVC cache or the workspace), `REV:data/raw`, and a directory kept in git; on a repository made
with the real git, dvc and gto CLIs, read without writing to it."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from models.modelrepos import VENV_BIN, Builder, snapshot_files, tool_env
from support.cli import run_cli

TRAIN_PY = """\
import glob, os
rows = sum(len(open(p).read().splitlines()) for p in glob.glob("data/raw/*.csv"))
os.makedirs("models", exist_ok=True)
open("models/churn.pkl", "w").write(f"model rows={rows}\\n")
"""

DVC_YAML = """\
stages:
  train:
    cmd: python train.py
    deps:
      - train.py
      - data/raw
    outs:
      - models/churn.pkl
artifacts:
  churn:
    path: models/churn.pkl
    type: model
"""


def sample(n: int, shift: float, seed: int) -> str:
    rng = np.random.default_rng(seed)
    plans = rng.choice(["free", "pro", "team"], n, p=[0.6, 0.3, 0.1] if shift == 0 else [0.2, 0.3, 0.5])
    ages = rng.normal(40 + 12 * shift, 12, n)
    return "age,plan,clicks\n" + "".join(f"{a:.1f},{p},{c}\n" for a, p, c in zip(ages, plans, rng.poisson(20, n)))


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Builder:
    if shutil.which("dvc", path=str(VENV_BIN)) is None or shutil.which("gto", path=str(VENV_BIN)) is None:
        pytest.fail("dvc and gto must be installed in the test environment (pip install -e .[test])")
    base = tmp_path_factory.mktemp("drift-dir-repo")
    root = base / "repo"
    root.mkdir()
    b = Builder(root, tool_env(base / "home"))
    b.run("git", "init", "-q", "-b", "main")
    b.run("dvc", "init", "-q")
    b.run("dvc", "config", "core.analytics", "false")
    b.write("train.py", TRAIN_PY)
    b.write("dvc.yaml", DVC_YAML)
    b.write("data/raw/2026-01.csv", sample(1200, 0, 1))
    b.write("data/raw/2026-02.csv", sample(1300, 0, 2))
    b.write("data/raw/README.md", "Monthly extracts; not a sample.\n")
    b.run("dvc", "add", "-q", "data/raw")
    b.run("dvc", "repro", "-q")
    b.write("samples/a.csv", sample(500, 1, 5))
    b.write("samples/b.csv", sample(700, 1, 6))
    b.write("current.csv", sample(2000, 1, 3))
    b.run("git", "add", "samples", "current.csv")
    b.commit("Train on January and February")
    b.gto("register", "churn", "HEAD", "--version", "v1.0.0")
    b.gto("assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    return b


def drift(repo: Builder, *args: str):
    """`mlops-tui drift` on the repository; current.csv is the workspace file."""
    args = tuple(str(repo.root / a) if a == "current.csv" else a for a in args)
    return run_cli(["drift", *args, "--repo", str(repo.root)])


def test_prod_s_training_directory_is_read_as_one_table(repo):
    result = drift(repo, "churn#prod", "current.csv", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["reference"].startswith("churn#prod (data/raw/ at ")
    rows = {c["column"]: c["rows"] for c in report["columns"]}
    assert rows["age"] == [2500, 2000]  # both partitions, the README left out
    assert {c["column"] for c in report["columns"] if c["drifted"]} == {"age", "plan"}


def test_the_directory_equals_its_files_concatenated(repo, tmp_path):
    both = sample(1200, 0, 1) + sample(1300, 0, 2).split("\n", 1)[1]
    (tmp_path / "both.csv").write_text(both)
    ours = json.loads(drift(repo, "churn#prod", "current.csv", "--json").stdout)
    plain = json.loads(run_cli(["drift", str(tmp_path / "both.csv"), str(repo.root / "current.csv"), "--json"]).stdout)
    assert [(c["column"], c["score"], c["stats"]) for c in ours["columns"]] == \
        [(c["column"], c["score"], c["stats"]) for c in plain["columns"]]


def test_a_dvc_tracked_directory_and_a_git_directory_at_a_revision(repo):
    report = json.loads(drift(repo, "HEAD:data/raw", "HEAD:samples", "--json").stdout)
    assert report["reference"] == "HEAD:data/raw" and report["current"] == "HEAD:samples"
    assert {c["column"]: c["rows"] for c in report["columns"]}["plan"] == [2500, 1200]
    assert {c["column"] for c in report["columns"] if c["drifted"]} == {"age", "plan"}


def test_a_file_missing_from_the_cache_is_read_from_the_workspace_and_nothing_changes(repo):
    root = repo.root
    manifest = next((root / ".dvc" / "cache").rglob("*.dir"))
    entry = next(e for e in json.loads(manifest.read_text()) if e["relpath"] == "2026-02.csv")
    cached = next((root / ".dvc" / "cache").rglob(entry["md5"][2:]))
    kept = cached.read_bytes()
    cached.unlink()
    try:
        before = snapshot_files(root)
        result = drift(repo, "churn#prod", "current.csv", "--json")
        assert result.returncode == 1, result.stderr
        assert {c["column"]: c["rows"] for c in json.loads(result.stdout)["columns"]}["age"] == [2500, 2000]
        assert snapshot_files(root) == before
        (root / "data/raw/2026-02.csv").write_text(sample(10, 0, 7))  # the workspace moved on: not that md5
        result = drift(repo, "churn#prod", "current.csv")
        assert result.returncode == 3
        assert "data/raw/2026-02.csv (md5 " in result.stderr and "neither in the DVC cache nor in the workspace" in result.stderr
    finally:
        (root / "data/raw/2026-02.csv").write_text(sample(1300, 0, 2))
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(kept)


def test_a_file_with_other_columns_is_named(repo, tmp_path):
    folder = repo.root / "samples"
    (folder / "c.csv").write_text("age,plan\n30,free\n")
    try:
        repo.run("git", "add", "samples/c.csv")
        repo.commit("A sample with a column less")
        result = drift(repo, "HEAD:samples", "current.csv")
        assert result.returncode == 2
        assert "HEAD:samples: samples/c.csv does not have the columns of samples/a.csv (lacks clicks)" in result.stderr
    finally:
        repo.run("git", "rm", "-q", "samples/c.csv")
        repo.commit("Drop it")


def test_without_the_manifest_the_workspace_is_used_when_it_hashes_as_dvc_recorded(repo):
    """Our hash of the workspace directory equals the `.dir` md5 the real `dvc add` wrote, so the workspace
    stands in for a manifest missing from the cache; once a file changes, it no longer does."""
    root = repo.root
    manifest = next((root / ".dvc" / "cache").rglob("*.dir"))
    kept = manifest.read_bytes()
    manifest.unlink()
    try:
        result = drift(repo, "churn#prod", "current.csv", "--json")
        assert result.returncode == 1, result.stderr
        assert {c["column"]: c["rows"] for c in json.loads(result.stdout)["columns"]}["age"] == [2500, 2000]
        (root / "data/raw/README.md").write_text("changed\n")
        result = drift(repo, "churn#prod", "current.csv")
        assert result.returncode == 3 and "the directory data/raw (" in result.stderr
    finally:
        (root / "data/raw/README.md").write_text("Monthly extracts; not a sample.\n")
        manifest.write_bytes(kept)
