"""Reading a config at a revision never writes to the repository, even a partial clone missing the blob."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support.cli import run_cli


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _objects(repo: Path) -> list[str]:
    return sorted(str(p.relative_to(repo)) for p in (repo / ".git" / "objects").rglob("*") if p.is_file())


def test_a_partial_clone_is_not_fetched_into(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    _git(source, "init", "-q")
    _git(source, "config", "uploadpack.allowFilter", "true")
    for lr in ("0.1", "0.2"):
        (source / "train.yaml").write_text(f"lr: {lr}\n")
        _git(source, "add", "train.yaml")
        _git(source, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", f"lr {lr}")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", "--filter=blob:none", f"file://{source}", str(clone))
    before = _objects(clone)
    result = run_cli(["config", "diff", "HEAD~1:train.yaml", "train.yaml"], cwd=clone)
    assert _objects(clone) == before, "git fetched the missing blob into the user's repository"
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "partial clone" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.startswith("mlops-tui: ")
