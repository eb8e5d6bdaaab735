"""What one commit holds: its DVC files, params and metrics files, and tracked outputs, read from git blobs
with DVC's rules for which params and metrics a revision has (`dvc params diff`, `dvc metrics show`)."""

from __future__ import annotations

import posixpath
from typing import Any

from mlops_tui.sources.models import dvcfiles
from mlops_tui.sources.models.git import GitRepo
from mlops_tui.sources.models.model import OutState, VersionDetails


def kind(path: str) -> str:
    """"dvc" for a .dvc file, else the file's name (dvc.lock, dvc.yaml, artifacts.yaml...)."""
    name = posixpath.basename(path)
    if name.endswith(".dvc"):
        return "dvc"
    return name


class CommitFiles:
    """Reads DVC files, params and metrics at any commit; caches what it parsed."""

    def __init__(self, git: GitRepo) -> None:
        self.git = git
        self.dvc_oids: dict[str, dict[str, str]] = {}  # commit -> {DVC file: blob}, filled by the history pass
        self._cache: dict[str, tuple] = {}

    def dvc_paths(self, commit: str) -> list[str]:
        """The DVC files at a commit: known from the history pass, else from `git ls-tree`."""
        known = self.dvc_oids.get(commit)
        if known is not None and not self.git.partial:
            return sorted(known)
        return [p for p in self.git.ls_tree(commit) if kind(p) in ("dvc", "dvc.lock", "dvc.yaml")]

    def contents(self, commit: str, paths: list[str]) -> dict[str, bytes | None]:
        """Files at a commit (None when absent); `commit:path` through the one cat-file process."""
        if self.git.partial:
            return self.git.files(commit, paths)
        specs = {p: f"{commit}:{p}" for p in paths if "\n" not in p}
        blobs = self.git.blobs(list(specs.values()))
        return {p: blobs.get(specs[p]) if p in specs else None for p in paths}

    def not_local(self, commit: str, path: str) -> bool:
        return self.git.partial and path in self.git.ls_tree(commit)

    def files_at(self, commit: str) -> tuple[list[dvcfiles.PipelineFile], list[OutState], list[str], dict[str, dict]]:
        if commit not in self._cache:
            self._cache[commit] = self._read_files_at(commit)
        pipelines, outs, errors, locks = self._cache[commit]
        return pipelines, outs, list(errors), locks

    def _read_files_at(self, commit: str) -> tuple[list[dvcfiles.PipelineFile], list[OutState], list[str], dict[str, dict]]:
        wanted = self.dvc_paths(commit)
        blobs = self.contents(commit, wanted)
        pipelines: list[dvcfiles.PipelineFile] = []
        outs: list[OutState] = []
        errors: list[str] = []
        lock_params: dict[str, dict] = {}
        for path in wanted:
            data = blobs.get(path)
            if data is None:
                errors.append(f"{path} at {commit[:7]} is not local (partial clone)")
                continue
            try:
                file_kind = kind(path)
                if file_kind == "dvc":
                    outs.extend(dvcfiles.parse_dvc_file(path, data)[0])
                elif file_kind == "dvc.lock":
                    for stage in dvcfiles.parse_lock(path, data):
                        outs.extend(stage.outs)
                        if stage.params:
                            lock_params[f"{path}:{stage.name}"] = dict(stage.params)
                else:
                    pipelines.append(dvcfiles.parse_pipeline(path, data))
            except (ValueError, UnicodeDecodeError, dvcfiles.yaml.YAMLError) as exc:
                errors.append(f"{path} at {commit[:7]}: {str(exc).splitlines()[0] if str(exc) else exc}")
        return pipelines, outs, errors, lock_params

    def read(self, commit: str, files: dict[str, list[str]], metrics: bool) -> tuple[dict, list]:
        blobs = self.contents(commit, list(files))
        data: dict[str, Any] = {}
        errors: list[str] = []
        for path, keys in files.items():
            raw = blobs.get(path)
            if raw is None:
                if self.not_local(commit, path):
                    errors.append(f"{path} at {commit[:7]} is not local (partial clone)")
                elif metrics:
                    errors.append(f"{path} is not in git at {commit[:7]} (the DVC cache is not read)")
                continue
            try:
                doc = dvcfiles.load_structured(path, raw)
            except (ValueError, UnicodeDecodeError, dvcfiles.yaml.YAMLError, dvcfiles.tomllib.TOMLDecodeError) as exc:
                errors.append(f"{path} at {commit[:7]}: {str(exc).splitlines()[0] if str(exc) else exc}")
                continue
            data[path] = dvcfiles.extract_metrics(doc) if metrics else dvcfiles.select_keys(doc, keys)
        return data, errors

    def params_at(self, commit: str) -> tuple[dict[str, Any], list[str]]:
        """{params file: data} at a commit, the files and keys `dvc params diff` reads."""
        pipelines, _, errors, _ = self.files_at(commit)
        files: dict[str, list[str]] = {}
        for pf in pipelines:
            for file, keys in pf.params.items():
                if file in files and (not files[file] or not keys):
                    files[file] = []
                else:
                    files[file] = list(dict.fromkeys(files.get(file, []) + keys))
        files[dvcfiles.DEFAULT_PARAMS] = []  # read whole when present, as DVC does
        data, read_errors = self.read(commit, files, metrics=False)
        return data, errors + read_errors

    def metrics_at(self, commit: str) -> tuple[dict[str, Any], list[str]]:
        """{metrics file: data} at a commit, the files `dvc metrics show` reads (from git only)."""
        pipelines, _, errors, _ = self.files_at(commit)
        files: dict[str, list[str]] = {m: [] for pf in pipelines for m in pf.metrics}
        data, read_errors = self.read(commit, files, metrics=True)
        return data, errors + read_errors

    def details(self, commit: str) -> VersionDetails:
        """Params (flattened per file), dvc.lock params per stage and metrics at a commit."""
        params, pe = self.params_at(commit)
        metrics, me = self.metrics_at(commit)
        lock_params = self.files_at(commit)[3]

        def flat(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
            result = {}
            for path, doc in data.items():
                doc = dvcfiles.format_lists(doc)
                result[path] = dvcfiles.flatten(doc) if isinstance(doc, dict) else {"": doc}
            return result

        return VersionDetails(commit, flat(params), lock_params, flat(metrics), list(dict.fromkeys(pe + me)))

    def outs_at(self, commit: str) -> dict[str, OutState]:
        pipelines, outs, _, _ = self.files_at(commit)
        uncached = {p for pf in pipelines for p in pf.uncached}
        return {o.path: o for o in outs if o.cached and o.path not in uncached}


def _display(out: OutState) -> str:
    return out.path + "/" if out.is_dir else out.path


def diff_outs(old: dict[str, OutState], new: dict[str, OutState]) -> dict[str, list[dict[str, Any]]]:
    """Tracked outputs added, deleted, modified and renamed, as the top level of `dvc diff --json --show-hash`."""
    added = [p for p in new if p not in old]
    deleted = [p for p in old if p not in new]
    modified = [p for p in new if p in old and new[p].md5 != old[p].md5]
    renamed = []
    for path in sorted(added):
        match = next((d for d in sorted(deleted) if old[d].md5 and old[d].md5 == new[path].md5), None)
        if match:
            renamed.append({"path": {"old": _display(old[match]), "new": _display(new[path])}, "hash": new[path].md5})
            added.remove(path)
            deleted.remove(match)
    return {
        "added": [{"path": _display(new[p]), "hash": new[p].md5} for p in sorted(added)],
        "deleted": [{"path": _display(old[p]), "hash": old[p].md5} for p in sorted(deleted)],
        "modified": [{"path": _display(new[p]), "hash": {"old": old[p].md5, "new": new[p].md5}} for p in sorted(modified)],
        "renamed": renamed,
    }
