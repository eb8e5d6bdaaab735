"""Samples from a repository: `REV:path` and `name@vX.Y.Z` / `name#stage` (a model version's training data),
on a repository made with the real git, dvc and gto CLIs, read without writing to it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from models.modelrepos import VENV_BIN, Builder, snapshot_files, tool_env
from support.cli import run_cli

TRAIN_PY = """\
import os
rows = open("data/train.csv").read().splitlines()
os.makedirs("models", exist_ok=True)
open("models/churn.pkl", "w").write(f"model rows={len(rows)}\\n")
"""

DVC_YAML = """\
stages:
  train:
    cmd: python train.py
    deps:
      - train.py
      - data/train.csv
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
    base = tmp_path_factory.mktemp("drift-repo")
    root = base / "repo"
    root.mkdir()
    b = Builder(root, tool_env(base / "home"))
    b.run("git", "init", "-q", "-b", "main")
    b.run("dvc", "init", "-q")
    b.run("dvc", "config", "core.analytics", "false")
    b.write("train.py", TRAIN_PY)
    b.write("dvc.yaml", DVC_YAML)
    b.write("data/train.csv", sample(800, 0, 9))  # v0.9.0: its cache file is removed below
    b.run("dvc", "add", "-q", "data/train.csv")
    b.run("dvc", "repro", "-q")
    b.commit("Train on the first extract")
    b.gto("register", "churn", "HEAD", "--version", "v0.9.0")
    old_md5 = (root / "data/train.csv.dvc").read_text().split("md5: ")[1].split()[0]
    b.write("data/train.csv", sample(3000, 0, 1))
    b.run("dvc", "add", "-q", "data/train.csv")
    b.run("dvc", "repro", "-q")
    b.commit("Train on the January extract")
    b.gto("register", "churn", "HEAD", "--version", "v1.0.0")
    b.gto("assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    b.write("data/train.csv", sample(2000, 1, 2))  # drifted: age and plan
    b.run("dvc", "add", "-q", "data/train.csv")
    b.run("dvc", "repro", "-q")
    b.commit("Retrain on the March extract")
    b.gto("register", "churn", "HEAD", "--version", "v2.0.0")
    b.write("current.csv", sample(2000, 1, 3))
    b.run("git", "add", "current.csv")
    b.commit("A production sample")
    for cached in (root / ".dvc" / "cache").rglob(old_md5[2:]):
        cached.unlink()
    return b


def drift(repo: Builder, *args: str):
    return run_cli(["drift", *args, "--repo", str(repo.root)])


def test_a_prod_version_s_training_data_against_the_next_version_s(repo):
    result = drift(repo, "churn#prod", "churn@v2.0.0", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["reference"].startswith("churn#prod (data/train.csv at ")
    assert report["current"].startswith("churn@v2.0.0 (data/train.csv at ")
    drifted = {c["column"] for c in report["columns"] if c["drifted"]}
    assert drifted == {"age", "plan"}
    assert {c["column"]: c["rows"] for c in report["columns"]}["age"] == [3000, 2000]


def test_the_same_version_twice_has_no_drift(repo):
    result = drift(repo, "churn@v1.0.0", "churn#prod")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("dataset: no drift: 0 of 3 columns drifted")


def test_a_file_at_a_revision_is_read_from_git(repo):
    # HEAD~1:current.csv does not exist; HEAD:current.csv is the production sample, v2.0.0's data is drifted alike
    result = drift(repo, "churn@v1.0.0", "HEAD:current.csv", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["current"] == "HEAD:current.csv"
    assert {c["column"] for c in report["columns"] if c["drifted"]} == {"age", "plan"}
    assert json.loads(drift(repo, "HEAD:current.csv", "HEAD:current.csv", "--json").stdout)["dataset_drift"] is False


def test_nothing_in_the_repository_changes(repo):
    before = snapshot_files(repo.root)
    drift(repo, "churn#prod", "HEAD:current.csv")
    drift(repo, "churn@v0.9.0", "HEAD:current.csv")
    assert snapshot_files(repo.root) == before


@pytest.mark.parametrize(("args", "code", "words"), [
    (("churn@v3.0.0", "HEAD:current.csv"), 2, "churn@v3.0.0: churn has no version v3.0.0"),
    (("churn#staging", "HEAD:current.csv"), 2, "no version of churn is in stage 'staging'"),
    (("nomodel@v1.0.0", "HEAD:current.csv"), 2, "no artifact 'nomodel' in the registry"),
    (("nosuchrev:current.csv", "HEAD:current.csv"), 2, "nosuchrev:current.csv: unknown revision 'nosuchrev'"),
    (("HEAD~1:current.csv", "HEAD:current.csv"), 3, "HEAD~1:current.csv: no file 'current.csv' at HEAD~1"),
    (("HEAD:train.py", "HEAD:current.csv"), 2, "train.py: not a sample file by its name"),
    (("churn@v0.9.0", "HEAD:current.csv"), 3, "is neither in the DVC cache nor in the workspace"),
])
def test_bad_specs_say_what_is_wrong_with_the_issue_s_exit_codes(repo, args, code, words):
    result = drift(repo, *args)
    assert result.returncode == code, result.stdout + result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_that_is_not_a_repository_is_bad_input(tmp_path: Path):
    result = run_cli(["drift", "churn#prod", "HEAD:current.csv", "--repo", str(tmp_path)])
    assert result.returncode == 2
    assert "is not a git repository" in result.stderr and "Traceback" not in result.stderr
