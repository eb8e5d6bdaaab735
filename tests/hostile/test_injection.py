"""Hostile names and revisions: a revision, tag or path that starts with `-`, holds a newline or an escape,
or a tag with shell metacharacters, never reaches git as an option and never acts on the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile.measure import run

HOSTILE_REVISIONS = [
    "--output=PWNED",
    "-oPWNED",
    "HEAD\n--output=PWNED",
    "--end-of-options",
    "HEAD\x1b]0;pwned\x07",
    "HEAD\x9b31m",
    "$(touch PWNED)",
    "HEAD;touch PWNED",
]


def _cli(repo, *args: str):
    return run(list(args), cwd=repo.root, env={**repo.env, "XDG_CONFIG_HOME": str(repo.root.parent / "xdg")})


def _no_pwned(repo) -> None:
    for where in (repo.root, repo.root.parent, Path.cwd()):
        assert not list(where.glob("PWNED*")), f"a file was written in {where}"


@pytest.mark.parametrize("rev", HOSTILE_REVISIONS)
def test_models_diff_refuses_a_hostile_revision(repo, rev):
    result = _cli(repo, "models", "diff", rev, "HEAD")
    assert not result.hung and "Traceback" not in result.err and result.code in (2, 3), str(result)
    _no_pwned(repo)


@pytest.mark.parametrize("rev", HOSTILE_REVISIONS)
def test_config_diff_refuses_a_hostile_revision(repo, rev):
    result = _cli(repo, "config", "diff", f"{rev}:configs/train.yaml", "configs/train.yaml")
    assert not result.hung and "Traceback" not in result.err and result.code in (2, 3), str(result)
    _no_pwned(repo)


@pytest.mark.parametrize("path", ["--output=PWNED", "-x", "a\nb.yaml", "\x1b]0;pwned\x07.yaml"])
def test_config_diff_of_a_hostile_path_at_a_revision(repo, path):
    result = _cli(repo, "config", "diff", f"HEAD:{path}", "configs/train.yaml")
    assert not result.hung and "Traceback" not in result.err and result.code in (2, 3), str(result)
    _no_pwned(repo)


def test_tags_with_shell_metacharacters_are_names(repo, tmp_path):
    clone = tmp_path / "clone"
    repo.run("git", "clone", "-q", str(repo.root), str(clone))
    for tag in ("v1;touch PWNED", "$(touch PWNED)", "-rf", "x\x1b]0;t\x07"):
        done = repo.run("git", "-C", str(clone), "tag", "--", tag, "HEAD", check=False)
        del done
    result = run(["models", "list", "--json"], cwd=clone, env={**repo.env, "XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert result.code == 0 and "Traceback" not in result.err, str(result)
    assert not list(clone.glob("PWNED*"))


def test_models_history_of_an_option_like_path(repo):
    result = _cli(repo, "models", "history", "--output=PWNED")
    assert not result.hung and "Traceback" not in result.err and result.code in (2, 3), str(result)
    _no_pwned(repo)
