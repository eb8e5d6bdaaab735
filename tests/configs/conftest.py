"""Fixtures for the config tools: the demo's ML configs and a real git repository with two versions."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ML = ROOT / "configs" / "ml"


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True)
    return done.stdout.strip()


@pytest.fixture(autouse=True)
def no_user_settings(tmp_path_factory, monkeypatch) -> None:
    """The CLI run by these tests reads no ~/.config settings and no MLOPS_TUI_* variables of the machine."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg")))
    for name in [n for n in os.environ if n.startswith("MLOPS_TUI_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def run_git():
    """git in a repository, with a fixed identity and no user config."""
    return git


@pytest.fixture
def ml() -> Path:
    return ML


@pytest.fixture
def ml_repo(tmp_path: Path) -> Path:
    """A git repo whose configs/train.yaml is train_v1 at tag v1 and train_v2 at HEAD, plus a directory tree."""
    repo = tmp_path / "repo"
    (repo / "configs").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(ML / "versions" / "train_v1.yaml", repo / "configs" / "train.yaml")
    shutil.copytree(ML / "env", repo / "configs" / "env")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "v1")
    git(repo, "tag", "v1")
    shutil.copy(ML / "versions" / "train_v2.yaml", repo / "configs" / "train.yaml")
    shutil.copy(ML / "env" / "prod.yaml", repo / "configs" / "env" / "staging.yaml")
    (repo / "configs" / "env" / "canary.yaml").write_text("service:\n  replicas: 1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "v2")
    return repo


async def settle(pilot) -> None:
    """Wait until the Configs pane's workers (file list, diff, merge) have finished and the screen caught up."""
    app = pilot.app
    for _ in range(200):
        await pilot.pause()
        running = [w for w in app.workers if w.group.startswith("configs") and not w.is_finished]
        if not running:
            await pilot.pause()
            return
        await app.workers.wait_for_complete(running)
    raise AssertionError("the Configs pane's workers did not finish")


@pytest.fixture
def wait_pane():
    """settle(pilot): wait for the Configs pane's workers."""
    return settle
