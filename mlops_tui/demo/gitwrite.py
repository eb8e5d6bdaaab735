"""Write a History into a new git repository with one `git fast-import` (fast and date-exact)."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

from mlops_tui.demo.history import History


class GitError(Exception):
    """git is missing or refused; the message is one line."""


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def _ident(person: tuple[str, str], date: datetime) -> bytes:
    return f"{person[0]} <{person[1]}> {int(date.timestamp())} +0000".encode()


def fast_import_stream(history: History, branch: str = "main") -> bytes:
    chunks: list[bytes] = []
    for index, commit in enumerate(history.commits):
        chunks.append(f"commit refs/heads/{branch}\nmark :{index + 1}\n".encode())
        chunks.append(b"author " + _ident(commit.author, commit.date) + b"\n")
        chunks.append(b"committer " + _ident(commit.author, commit.date) + b"\n")
        chunks.append(_data(commit.message.encode()))
        if index:
            chunks.append(f"from :{index}\n".encode())
        chunks.append(b"deleteall\n")
        for path, payload in sorted(commit.files.items()):
            chunks.append(f"M 100644 inline {path}\n".encode() + _data(payload))
    for tag in history.tags:
        chunks.append(f"tag {tag.name}\nfrom :{tag.commit + 1}\n".encode())
        chunks.append(b"tagger " + _ident(tag.tagger, tag.date) + b"\n")
        chunks.append(_data(tag.message.encode()))
    chunks.append(b"done\n")
    return b"".join(chunks)


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    # The user's global/system config (signing, hooks paths, templates) must not shape the demo repo.
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0",
                "LC_ALL": "C"})
    return env


def run_git(root: Path, *args: str, stdin: bytes | None = None) -> None:
    try:
        result = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True,
                                env=_git_env(), timeout=60, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH (the demo repository needs it)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} did not finish within 60 s") from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.decode(errors="replace").splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else f"exit code {result.returncode}"
        raise GitError(f"git {args[0]} failed: {reason}")


def write_repository(root: Path, history: History, branch: str = "main") -> None:
    """Make `root` a git repository holding `history`, with the last commit checked out."""
    run_git(root, "-c", f"init.defaultBranch={branch}", "init", "-q", "--template=")
    run_git(root, "fast-import", "--quiet", "--done", stdin=fast_import_stream(history, branch))
    run_git(root, "reset", "-q", "--hard", branch)
