"""Configs at a git revision (`REV:path`), read without touching the repository: `git cat-file` only."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mlops_tui import paths
from mlops_tui.sources import limits
from mlops_tui.sources.configs.errors import ConfigError

GIT_TIMEOUT = 20.0


@dataclass(frozen=True)
class GitRef:
    """A path at a revision: `spec` as the user wrote it, the repository root and the path inside it."""

    spec: str
    rev: str
    path: str
    top: Path
    rel: str


def _git(top: Path, *args: str, spec: str) -> subprocess.CompletedProcess[bytes]:
    # GIT_NO_LAZY_FETCH: in a partial clone a missing blob is an error, not a fetch that writes a pack.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_LAZY_FETCH": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(["git", "-C", str(top), *args], capture_output=True, timeout=GIT_TIMEOUT, env=env, check=False)
    except FileNotFoundError:
        raise ConfigError("git is not installed", origin=spec, usage=False) from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"git did not answer within {GIT_TIMEOUT:.0f} s", origin=spec, usage=False) from None


def _nearest_dir(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if paths.is_dir(candidate):
            return candidate
    return Path("/")


def split_revision(spec: str, cwd: Path | None = None) -> GitRef | None:
    """A GitRef when spec reads REV:path (and is not an existing file), else None."""
    base = cwd or Path.cwd()
    if ":" not in spec or paths.exists(base / spec):
        return None
    rev, _, path = spec.partition(":")
    if not rev or not path:
        return None
    absolute = (base / path).absolute()
    start = _nearest_dir(absolute.parent)
    done = _git(start, "rev-parse", "--show-toplevel", spec=spec)
    if done.returncode != 0:
        raise ConfigError(f"{start} is not inside a git repository", origin=spec)
    top = Path(done.stdout.decode().strip())
    try:
        rel = os.path.relpath(os.path.realpath(absolute), os.path.realpath(top))
    except ValueError:
        raise ConfigError("path is outside the repository", origin=spec) from None
    if rel.startswith(".."):
        raise ConfigError(f"path is outside the repository {top}", origin=spec)
    return GitRef(spec, rev, path, top, "" if rel == "." else rel.replace(os.sep, "/"))


def _check_revision(ref: GitRef) -> None:
    from mlops_tui.sources.models.git import plain_revision

    if not plain_revision(ref.rev):  # an option (--output=...), a newline, an escape: never given to git
        raise ConfigError(f"unknown revision {ref.rev!r}", origin=ref.spec)
    done = _git(ref.top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref.rev}^{{commit}}", spec=ref.spec)
    if done.returncode != 0:
        raise ConfigError(f"unknown revision {ref.rev!r} in {ref.top}", origin=ref.spec)


def _object_type(ref: GitRef) -> str | None:
    done = _git(ref.top, "cat-file", "-t", "--end-of-options", f"{ref.rev}:{ref.rel}", spec=ref.spec)
    return done.stdout.decode().strip() if done.returncode == 0 else None


def read_at_revision(ref: GitRef) -> bytes:
    """The file's bytes at the revision; clear errors for an unknown revision or a path it lacks."""
    _check_revision(ref)
    kind = _object_type(ref)
    if kind is None:
        listed = _git(ref.top, "ls-tree", "-z", "--name-only", "--end-of-options", ref.rev, "--", ref.rel, spec=ref.spec)
        if listed.returncode == 0 and listed.stdout.strip(b"\0"):  # in the tree, but its blob is not here
            raise ConfigError(f"{ref.rel!r} at {ref.rev!r} is not in this partial clone (its blob was never fetched); "
                              "mlops-tui does not fetch: run git fetch or check the revision out", origin=ref.spec, usage=False)
        raise ConfigError(f"revision {ref.rev!r} has no file {ref.rel!r}", origin=ref.spec)
    if kind != "blob":
        raise ConfigError(f"{ref.rel!r} at {ref.rev!r} is a {kind}, not a file", origin=ref.spec)
    sized = _git(ref.top, "cat-file", "-s", "--end-of-options", f"{ref.rev}:{ref.rel}", spec=ref.spec)
    try:
        limits.check_config_size(int(sized.stdout or 0))  # before a blob of any size is read into memory
    except limits.OverLimit as exc:
        raise ConfigError(str(exc), origin=ref.spec) from None
    except ValueError:
        pass
    done = _git(ref.top, "cat-file", "blob", "--end-of-options", f"{ref.rev}:{ref.rel}", spec=ref.spec)
    if done.returncode != 0:
        raise ConfigError(done.stderr.decode(errors="replace").strip() or "git cat-file failed", origin=ref.spec, usage=False)
    return done.stdout


def list_at_revision(ref: GitRef) -> list[str] | None:
    """Files under a directory at the revision (relative to it), or None when the path is not a directory there."""
    _check_revision(ref)
    if _object_type(ref) != "tree":
        return None
    treeish = f"{ref.rev}:{ref.rel}" if ref.rel else f"{ref.rev}^{{tree}}"
    done = _git(ref.top, "ls-tree", "-r", "-z", "--name-only", "--end-of-options", treeish, spec=ref.spec)
    if done.returncode != 0:
        raise ConfigError(done.stderr.decode(errors="replace").strip() or "git ls-tree failed", origin=ref.spec, usage=False)
    return [name for name in done.stdout.decode(errors="replace").split("\0") if name]


def export_tree(ref: GitRef, folder: str, dest: Path) -> None:
    """Copy the regular files under folder (`.`: all) at ref.rev into dest, as git stores them: ls-tree, then
    the blobs through one cat-file --batch. No checkout machinery runs, so a repository's filter, textconv or
    smudge settings and its .gitattributes never run a command (git archive ran a filter process). A blob past
    limits.config_file_bytes is left out: it could not be read as a config; symlinks and submodules too."""
    args = ["ls-tree", "-r", "-z", "--full-tree", "--long", "--end-of-options", ref.rev]
    if folder not in ("", "."):
        args += ["--", folder]
    listed = _git(ref.top, *args, spec=ref.spec)
    if listed.returncode != 0:
        raise ConfigError(listed.stderr.decode(errors="replace").strip() or "git ls-tree failed", origin=ref.spec, usage=False)
    bound = limits.current().config_file_bytes
    wanted: list[tuple[str, str]] = []
    for entry in listed.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, oid, size = meta.split()
        if kind != b"blob" or mode not in (b"100644", b"100755") or int(size) > bound:
            continue
        wanted.append((oid.decode(), name.decode("utf-8", "replace")))
    if not wanted:
        return
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_LAZY_FETCH": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(["git", "-C", str(ref.top), "cat-file", "--batch"], capture_output=True, env=env,
                              input="".join(f"{oid}\n" for oid, _ in wanted).encode(), timeout=GIT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ConfigError(f"git did not answer within {GIT_TIMEOUT:.0f} s", origin=ref.spec, usage=False) from None
    out, at = done.stdout, 0
    root = dest.resolve()
    for _, name in wanted:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        if len(header) != 3:  # "<oid> missing": a blob this partial clone never fetched
            raise ConfigError(f"{name!r} at {ref.rev!r} is not in this repository (a partial clone?); mlops-tui "
                              "does not fetch", origin=ref.spec, usage=False)
        size = int(header[2])
        data = out[end + 1:end + 1 + size]
        at = end + 1 + size + 1
        target = (root / name).resolve()
        if root not in target.parents:  # a name with `..` cannot come from git, but a copy never leaves dest
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
