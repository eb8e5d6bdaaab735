"""A DVC-tracked directory as one sample: its `.dir` manifest (from the DVC cache) names every file and its md5;
the CSV, TSV, JSON lines and Parquet files among them are read as one table.

Each file comes from the DVC cache or, when the cache lacks it, from the workspace when the workspace file
still holds that md5. Without the manifest in the cache, the workspace directory is used only when its own
manifest hashes to the recorded `.dir` md5 (DVC's hash: md5 of the JSON list of {md5, relpath} sorted by
relpath). Nothing is written to the repository and nothing is fetched.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from mlops_tui.sources.drift.read import DriftInputError, DriftReadError, format_of

MOST_FILES = 10_000  # files of one directory read as one sample


def sample_files(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (relpath, md5) entries whose names say CSV, TSV, JSON lines or Parquet (gzipped too), by relpath."""
    out = []
    for relpath, md5 in entries:
        try:
            format_of(relpath)
        except DriftInputError:
            continue
        out.append((relpath, md5))
    return sorted(out)


def read_manifest(path: Path) -> list[tuple[str, str]]:
    """(relpath, md5) of every file a `.dir` manifest lists; DriftInputError when it is not one."""
    try:
        entries = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise DriftInputError(f"{path}: not a DVC directory manifest: {exc}") from None
    if not isinstance(entries, list):
        raise DriftInputError(f"{path}: not a DVC directory manifest (not a list)")
    out = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("relpath"), str) or not isinstance(entry.get("md5"), str):
            raise DriftInputError(f"{path}: not a DVC directory manifest (an entry without relpath and md5)")
        relpath = entry["relpath"]
        if relpath.startswith("/") or ".." in relpath.split("/"):
            raise DriftInputError(f"{path}: the manifest names {relpath!r}, outside its directory")
        out.append((relpath, entry["md5"]))
    return out


def manifest_md5(entries: list[tuple[str, str]]) -> str:
    """DVC's hash of a directory from its files' md5s: `<md5 of the manifest JSON>.dir`."""
    listing = [{"md5": md5, "relpath": relpath} for relpath, md5 in sorted(entries)]
    return hashlib.md5(json.dumps(listing, sort_keys=True).encode(), usedforsecurity=False).hexdigest() + ".dir"


def workspace_entries(folder: Path) -> list[tuple[str, str]]:
    """(relpath, md5) of every file under folder, as DVC would list them (symlinks to files followed)."""
    out = []
    for base, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in (".git", ".dvc"))
        for name in files:
            path = Path(base) / name
            md5 = md5_of(path)
            if md5 is None:
                raise DriftReadError(f"{path}: cannot read it to check its md5")
            out.append((path.relative_to(folder).as_posix(), md5))
    return out


def locate_files(root: Path, path: str, md5: str, spec: str, cache_paths) -> list[tuple[str, str]]:
    """(file to read, name to show) of each sample file of the DVC-tracked directory `path` (its `.dir` md5),
    from the cache or the workspace; cache_paths(md5) lists where the cache may hold an object."""
    manifest = next((p for p in cache_paths(md5) if p.is_file()), None)
    workspace = root / path
    if manifest is not None:
        entries = read_manifest(manifest)
    elif workspace.is_dir() and manifest_md5(workspace_entries(workspace)) == md5:
        entries = workspace_entries(workspace)
    else:
        raise DriftReadError(f"{spec}: the directory {path} ({md5}) is neither in the DVC cache nor in the "
                             f"workspace of {root} (dvc pull would fetch it; nothing is fetched here)")
    files = sample_files(entries)
    if not files:
        raise DriftInputError(f"{spec}: the directory {path} holds no CSV, TSV, JSON lines or Parquet file "
                              f"({len(entries)} files)")
    if len(files) > MOST_FILES:
        raise DriftInputError(f"{spec}: the directory {path} holds {len(files):,} sample files; at most "
                              f"{MOST_FILES:,} are read as one sample")
    out = []
    for relpath, file_md5 in files:
        shown = f"{path}/{relpath}"
        cached = next((p for p in cache_paths(file_md5) if p.is_file()), None)
        if cached is not None:
            out.append((str(cached), shown))
            continue
        local = workspace / relpath
        if local.is_file() and md5_of(local) == file_md5:
            out.append((str(local), shown))
            continue
        raise DriftReadError(f"{spec}: {shown} (md5 {file_md5}) is neither in the DVC cache nor in the workspace "
                             f"(dvc pull would fetch it; nothing is fetched here)")
    return out


def md5_of(path: Path) -> str | None:
    """The md5 of a file's content (DVC 3's hash of a file), None when it cannot be read."""
    digest = hashlib.md5(usedforsecurity=False)
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()
