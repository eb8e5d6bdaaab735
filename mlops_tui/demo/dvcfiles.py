"""DVC 3 metadata written by hand: `.dvc` files, `dvc.lock` entries, `.dir` manifests and the cache.

The formats follow DVC 3 (`hash: md5`): a file's md5 is the plain md5 of its bytes; a directory's
md5 is the md5 of its `.dir` manifest, a JSON list of `{"md5", "relpath"}` sorted by relpath and
dumped with sorted keys (dvc_data.hashfile.tree.Tree.as_bytes). Objects live in the cache at
`.dvc/cache/files/md5/<first two hex digits>/<rest>`, read-only like DVC leaves them.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CACHE_DIR = Path(".dvc/cache/files/md5")

DVC_CONFIG = "[core]\n    analytics = false\n"
DVC_GITIGNORE = "/config.local\n/tmp\n/cache\n"
DVCIGNORE = (
    "# Add patterns of files dvc should ignore, which could improve\n"
    "# the performance. Learn more at\n"
    "# https://dvc.org/doc/user-guide/dvcignore\n"
)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()  # noqa: S324 - DVC's content hash, not a security use


@dataclass(frozen=True)
class Out:
    """The hash info DVC records for one tracked file or directory."""

    md5: str
    size: int
    nfiles: int | None = None  # set for directories

    def fields(self) -> dict[str, Any]:
        """The keys of a `.dvc` out / `dvc.lock` dep or out, in DVC's order (path excluded)."""
        entry: dict[str, Any] = {"md5": self.md5, "size": self.size}
        if self.nfiles is not None:
            entry["nfiles"] = self.nfiles
        entry["hash"] = "md5"
        return entry


def file_out(data: bytes) -> Out:
    return Out(md5(data), len(data))


def dir_manifest(files: dict[str, bytes]) -> bytes:
    """The `.dir` object of a directory whose files are {relative posix path: bytes}."""
    entries = sorted(({"md5": md5(data), "relpath": rel} for rel, data in files.items()), key=lambda e: e["relpath"])
    return json.dumps(entries, sort_keys=True).encode("utf-8")


def dir_out(files: dict[str, bytes]) -> Out:
    return Out(md5(dir_manifest(files)) + ".dir", sum(len(d) for d in files.values()), len(files))


def dvc_file(path: str, out: Out) -> str:
    """Text of the `.dvc` file tracking `path` (relative to the .dvc file's folder)."""
    return _dump({"outs": [{**out.fields(), "path": path}]})


def lock_entry(path: str, out: Out) -> dict[str, Any]:
    return {"path": path, "hash": "md5", **{k: v for k, v in out.fields().items() if k != "hash"}}


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)


def dump_yaml(data: Any) -> str:
    """YAML as DVC writes it: block style, keys in the given order."""
    return _dump(data)


class Cache:
    """Writes objects into a DVC cache, once each."""

    def __init__(self, repo: Path) -> None:
        self.root = repo / CACHE_DIR
        self._written: set[str] = set()

    def _put(self, name: str, data: bytes) -> None:
        if name in self._written:
            return
        self._written.add(name)
        folder = self.root / name[:2]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name[2:]
        path.write_bytes(data)
        os.chmod(path, 0o444)

    def add_file(self, data: bytes) -> Out:
        out = file_out(data)
        self._put(out.md5, data)
        return out

    def add_dir(self, files: dict[str, bytes]) -> Out:
        for data in files.values():
            self.add_file(data)
        manifest = dir_manifest(files)
        self._put(md5(manifest) + ".dir", manifest)
        return dir_out(files)
