"""Samples that live in a repository: `REV:path` (a file at a git revision) and `name@v1.2.0` / `name#prod`
(the training data of a model version: the DVC-tracked data file its dvc.lock stage read, by the md5 dvc.lock
recorded, from the DVC cache or, when it still holds that content, the workspace).

Everything is read-only: git blobs through the models source's `GitRepo` (no lazy fetch, no locks), the DVC
cache and workspace opened for reading. A git blob is copied to a private temporary file (the reader makes
several passes and Parquet needs to seek), removed when the read ends.
"""

from __future__ import annotations

import configparser
import contextlib
import os
import posixpath
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mlops_tui.sources.drift import dvcdir
from mlops_tui.sources.drift.dvcdir import md5_of as _md5
from mlops_tui.sources.drift.read import DriftInputError, DriftReadError, format_of


@dataclass
class Located:
    """Where a sample's bytes are (a file to read) and how to name it to the user; for a directory, the
    files read as one sample, each (file to read, name to show)."""

    path: str
    label: str
    parts: list[tuple[str, str]] = field(default_factory=list)


def repo_spec(spec: str) -> str | None:
    """"model" for `name@vX.Y.Z`/`name#stage`, "rev" for `REV:path`, None for a plain file. An existing file wins."""
    from mlops_tui.sources.models.gto import parse_shortcut

    if os.path.lexists(spec):
        return None
    if parse_shortcut(spec):
        return "model"
    rev, sep, path = spec.partition(":")
    if sep and rev and path and not (len(rev) == 1 and rev.isalpha() and path.startswith(("\\", "/"))):
        return "rev"
    return None


def _open_repo(repo: str | None):
    from mlops_tui.sources.models import ModelRepository, ModelsError

    try:
        return ModelRepository(repo or ".")
    except ModelsError as exc:
        raise DriftInputError(_models_message(exc)) from None


def _models_message(exc) -> str:
    hint = getattr(exc, "hint", "")
    return str(exc) + (f" ({hint})" if hint else "")


@contextmanager
def locate(spec: str, repo: str | None = None) -> Iterator[Located]:
    """The file to read for spec (a plain file, `REV:path` or a model version), for the length of the block."""
    kind = repo_spec(spec)
    if kind is None:
        yield Located(spec, spec)
        return
    source = _open_repo(repo)
    try:
        if kind == "rev":
            with _git_file(source, spec) as located:
                yield located
        else:
            located, name = _training_data(source, spec)
            with _named(located, name) as named:
                yield named
    finally:
        source.close()


@contextmanager
def _git_file(source, spec: str) -> Iterator[Located]:
    from mlops_tui.sources.models.git import plain_revision

    rev, _, path = spec.partition(":")
    path = posixpath.normpath(path.lstrip("/")) if path else path
    commit = source.git.resolve(rev) if plain_revision(rev) else None
    tree = source.git.ls_tree(commit) if commit is not None else {}
    inside = [p for p in tree if p.startswith(path.rstrip("/") + "/")] if commit is not None else []
    tracked = source.files.outs_at(commit).get(path) if commit is not None and path not in tree and not inside else None
    if tracked is None and not inside:
        format_of(path)  # a name that is no sample: said before git is asked anything more
    if commit is None:
        raise DriftInputError(f"{spec}: unknown revision {rev!r} in {source.root}")
    if tracked is not None and tracked.md5 and tracked.md5.endswith(".dir"):  # a DVC-tracked directory
        parts = dvcdir.locate_files(Path(source.root), path, tracked.md5, spec, lambda m: _cache_paths(Path(source.root), m))
        with _linked(parts) as linked:
            yield Located(linked[0][0], spec, linked)
        return
    if inside:  # a directory in git: its sample files, each copied out of git
        files = dvcdir.sample_files([(p[len(path.rstrip("/")) + 1:], tree[p]) for p in inside])
        if not files:
            raise DriftInputError(f"{spec}: the directory {path} holds no CSV, TSV, JSON lines or Parquet file at {rev}")
        with contextlib.ExitStack() as stack:
            parts = [(stack.enter_context(_blob(source, spec, f"{path}/{rel}", oid)), f"{path}/{rel}") for rel, oid in files]
            yield Located(parts[0][0], spec, parts)
        return
    oid = tree.get(path)
    if oid is None:
        raise DriftReadError(f"{spec}: no file {path!r} at {rev} ({commit[:7]})")
    with _blob(source, spec, path, oid) as tmp:
        yield Located(tmp, spec)


@contextmanager
def _blob(source, spec: str, path: str, oid: str) -> Iterator[str]:
    """A git blob copied to a private temporary file named like path (its format), removed afterwards."""
    present = source.git.present()
    if present is not None and oid not in present:
        raise DriftReadError(f"{spec}: {path} is not local (partial clone); nothing is fetched")
    suffix = "".join(Path(path).suffixes[-2:])
    fd, tmp = tempfile.mkstemp(prefix="mlops-tui-drift-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            proc = subprocess.run(["git", "cat-file", "blob", oid], cwd=source.git.cwd, env=source.git.env,
                                  stdout=out, stderr=subprocess.PIPE, timeout=source.git.timeout)
        if proc.returncode != 0:
            raise DriftReadError(f"{spec}: git cannot read the file: "
                                 f"{proc.stderr.decode('utf-8', 'replace').strip()[:200]}")
        yield tmp
    except OSError as exc:
        if isinstance(exc, (DriftReadError, DriftInputError)):
            raise
        raise DriftReadError(f"{spec}: cannot copy the file out of git: {exc.strerror or exc}") from None
    except subprocess.TimeoutExpired:
        raise DriftReadError(f"{spec}: git took over {source.git.timeout:.0f} s to read the file") from None
    finally:
        os.unlink(tmp)


@contextmanager
def _linked(parts: list[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
    """Files (cache objects have no extension) read through symlinks named like the tracked files, in a
    private temporary folder, never in the repository."""
    folder = tempfile.mkdtemp(prefix="mlops-tui-drift-")
    links = []
    try:
        for i, (target, shown) in enumerate(parts):
            link = Path(folder) / f"{i:05d}-{Path(shown).name}"
            link.symlink_to(os.path.abspath(target))
            links.append((str(link), shown))
        yield links
    finally:
        for link, _ in links:
            Path(link).unlink(missing_ok=True)
        try:
            os.rmdir(folder)
        except OSError:
            pass


def _training_data(source, spec: str) -> tuple[Located, str]:
    """The DVC-tracked data file the dvc.lock stage that made this model version read."""
    from mlops_tui.sources.models import ModelsError
    from mlops_tui.sources.models import dvcfiles
    from mlops_tui.sources.models.commitfiles import kind as file_kind

    try:
        ref = source.resolve(spec)
        name = spec.split("@")[0].split("#")[0]
        artifact = source.find(name)
    except ModelsError as exc:
        raise DriftInputError(_models_message(exc)) from None
    if not artifact.path:
        raise DriftInputError(f"{spec}: {name} has no path in the repository, so no stage that made it")
    commit = ref.commit
    locks = [p for p in source.files.dvc_paths(commit) if file_kind(p) == "dvc.lock"]
    stage = None
    for lock, data in source.files.contents(commit, locks).items():
        if data is None:
            continue
        try:
            stages = dvcfiles.parse_lock(lock, data)
        except (ValueError, UnicodeDecodeError, dvcfiles.yaml.YAMLError) as exc:
            raise DriftInputError(f"{spec}: {lock} at {commit[:7]} is unreadable: {exc}") from None
        stage = next((s for s in stages if any(o.path == artifact.path for o in s.outs)), stage)
    if stage is None:
        raise DriftInputError(f"{spec}: no dvc.lock stage at {commit[:7]} makes {artifact.path}, so which data "
                              "trained it is not recorded")
    tracked = source.files.outs_at(commit)
    candidates = []
    for dep in stage.deps:
        is_dir = bool(dep.md5) and dep.md5.endswith(".dir")
        if not is_dir:
            try:
                format_of(dep.path)
            except DriftInputError:
                continue
        if dep.path in tracked and dep.md5:
            candidates.append(dep)
    if not candidates:
        raise DriftInputError(f"{spec}: stage {stage.name!r} reads no DVC-tracked CSV, JSON lines or Parquet file "
                              f"(its deps: {', '.join(d.path for d in stage.deps) or 'none'})")
    if len(candidates) > 1:
        raise DriftInputError(f"{spec}: stage {stage.name!r} reads {len(candidates)} data files "
                              f"({', '.join(d.path for d in candidates)}); compare one of them as REV:path")
    dep = candidates[0]
    label = f"{spec} ({dep.path}{'/' if dep.md5.endswith('.dir') else ''} at {commit[:7]})"
    if dep.md5.endswith(".dir"):
        parts = dvcdir.locate_files(Path(source.root), dep.path, dep.md5, spec, lambda m: _cache_paths(Path(source.root), m))
        return Located(parts[0][0], label, parts), dep.path
    for cached in _cache_paths(Path(source.root), dep.md5):
        if cached.is_file():
            return Located(str(cached), label), dep.path
    workspace = Path(source.root) / dep.path
    if workspace.is_file() and _md5(workspace) == dep.md5:
        return Located(str(workspace), label), dep.path
    raise DriftReadError(f"{spec}: {dep.path} (md5 {dep.md5}) is neither in the DVC cache nor in the workspace "
                         f"of {source.root} (dvc pull would fetch it; nothing is fetched here)")


@contextmanager
def _named(located: Located, name: str) -> Iterator[Located]:
    """A cache file has no extension: read it through a symlink named like the tracked file, so the reader
    knows its format. The symlink is in a private temporary folder, never in the repository."""
    if located.parts:
        with _linked(located.parts) as linked:
            yield Located(linked[0][0], located.label, linked)
        return
    folder = tempfile.mkdtemp(prefix="mlops-tui-drift-")
    link = Path(folder) / Path(name).name
    try:
        link.symlink_to(located.path)
        yield Located(str(link), located.label)
    finally:
        try:
            link.unlink(missing_ok=True)
            os.rmdir(folder)
        except OSError:
            pass


def _cache_paths(root: Path, md5: str) -> list[Path]:
    """Where DVC 3 (`files/md5/ab/cdef…`) and DVC 2 (`ab/cdef…`) keep content md5, in each configured cache
    (a directory's manifest keeps its `.dir` suffix)."""
    suffix = ".dir" if md5.endswith(".dir") else ""
    md5 = md5.removesuffix(".dir")
    if len(md5) != 32 or any(c not in "0123456789abcdef" for c in md5):
        return []
    caches = [root / ".dvc" / "cache"]
    for name in ("config", "config.local"):
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(root / ".dvc" / name)
        except (configparser.Error, UnicodeDecodeError):
            continue
        for section in parser.sections():
            if section.strip().strip("'\"") == "cache" and parser.get(section, "dir", fallback=None):
                caches.insert(0, (root / ".dvc" / parser.get(section, "dir")).resolve())
    name = md5[2:] + suffix
    return [p for c in caches for p in (c / "files" / "md5" / md5[:2] / name, c / md5[:2] / name)]
