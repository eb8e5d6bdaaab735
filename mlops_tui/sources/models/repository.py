"""The models source: a git repository that uses DVC and GTO, read in one pass without dvc or gto.

`ModelRepository(path).load()` walks the first-parent history once over the DVC files
(`*.dvc`, `dvc.lock`, `dvc.yaml`, `artifacts.yaml`), reading their blobs through one
`git cat-file --batch`, and computes every artifact's history and the GTO registry from the tags.
"""

from __future__ import annotations

import posixpath
import statistics
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from mlops_tui.sources import limits
from mlops_tui.sources.models import dvcfiles
from mlops_tui.sources.models.commitfiles import CommitFiles, diff_outs, kind
from mlops_tui.sources.models.git import ZERO, Commit, GitRepo, TagRef
from mlops_tui.sources.models.gto import build_registry, parse_shortcut, parse_tag
from mlops_tui.sources.models.model import (
    Artifact,
    Diff,
    HistoryEntry,
    ModelsError,
    OutState,
    Registry,
    RevisionRef,
    Snapshot,
    TrainingFrequency,
    VersionDetails,
)

PATHSPECS = [":(top,glob)**/*.dvc", ":(top,glob)**/dvc.lock", ":(top,glob)**/dvc.yaml", ":(top,glob)**/artifacts.yaml"]
_NO_DVC_NOTE = "no .dvc, dvc.yaml or dvc.lock file in the history: this repository does not use DVC"


def _norm(path: str) -> str:
    path = path.strip()
    while path.startswith("./"):
        path = path[2:]
    return posixpath.normpath(path).rstrip("/") if path else path


@dataclass
class _Walk:
    """State of the one history pass."""

    file_outs: dict[str, list[OutState]] = field(default_factory=dict)
    lock_stages: dict[str, dict[str, dvcfiles.LockStage]] = field(default_factory=dict)
    pipelines: dict[str, dvcfiles.PipelineFile] = field(default_factory=dict)
    index: dict[str, list[dvcfiles.DeclaredArtifact]] = field(default_factory=dict)
    outs: dict[str, OutState] = field(default_factory=dict)
    history: dict[str, list[HistoryEntry]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    missing: int = 0


class ModelRepository:
    """Artifacts, versions, stages and diffs of one repository; every call is read-only."""

    def __init__(self, path: str, stale_after_days: float = 30.0) -> None:
        self.git = GitRepo(path)
        self.stale_after_days = stale_after_days
        self._walk: _Walk | None = None
        self._commits: list[Commit] = []
        self._tags: list[TagRef] = []
        self._registry: Registry | None = None
        self._head: str | None = None
        self.files = CommitFiles(self.git)

    def close(self) -> None:
        """Stop the git process kept for reading blobs."""
        self.git.close()

    @property
    def root(self) -> str:
        return str(self.git.root)

    # -- the one pass -----------------------------------------------------------------------------

    @staticmethod
    def _check_objects(seen: int, bound: int) -> None:
        if seen > bound:
            raise ModelsError(f"more than {bound:,} git objects to read for this view (tags, commits touching DVC "
                              "files, their DVC file versions): limits.git_objects; not read",
                              hint=f"raise it for this repository, e.g. limits.git_objects={bound * 4}")

    def load(self) -> Snapshot:
        """Scan the history and tags (once; later calls reuse the result)."""
        self._head = self.git.head()
        bound = limits.current().git_objects  # tags, commits and DVC file versions: each asked for at most bound + 1
        self._tags = self.git.tags(count=bound + 1)
        self._check_objects(len(self._tags), bound)
        if self._head is None:
            self._walk = _Walk()
            self._registry = build_registry([])
            return Snapshot(self.root, None, [], self._registry, ["the repository has no commits yet"], 0,
                            shallow=self.git.shallow, dvc=False)
        self._commits = self.git.log(PATHSPECS, rev=self._head, max_count=bound + 1 - len(self._tags))
        oids = [o for c in self._commits for o in c.oids]
        self._check_objects(len(self._tags) + len(self._commits) + len(oids), bound)
        walk = _Walk()
        blobs = self.git.blobs(oids)
        tags_at = self.tags_by_commit()
        keep = set(tags_at) | {self._head}
        current: dict[str, str] = {}
        self.files.dvc_oids = {}
        for commit in self._commits:
            self._apply(walk, commit, blobs, tags_at)
            for path, oid in zip(commit.changed, commit.oids):
                if kind(path) in ("dvc", "dvc.lock", "dvc.yaml"):
                    if oid == ZERO:
                        current.pop(path, None)
                    else:
                        current[path] = oid
            if commit.sha in keep:
                self.files.dvc_oids[commit.sha] = dict(current)
        if self._commits and self._head not in self.files.dvc_oids:
            self.files.dvc_oids[self._head] = dict(current)
        self._walk = walk
        self._registry = self._build_registry()
        return Snapshot(
            root=self.root, head=self._head, artifacts=self.artifacts(), registry=self._registry,
            notes=self.notes(), commits_scanned=len(self._commits), shallow=self.git.shallow,
            dvc=bool(self._commits),
        )

    def _apply(self, walk: _Walk, commit: Commit, blobs: dict[str, bytes | None], tags_at: dict[str, list[str]]) -> None:
        before = dict(walk.outs)
        lock_before: dict[str, dvcfiles.LockStage] = {}
        lock_after: dict[str, dvcfiles.LockStage] = {}
        touched_outs = False
        for path, oid in zip(commit.changed, commit.oids):
            data = blobs.get(oid)
            if data is None and oid != ZERO:
                walk.missing += 1
                continue  # not local (partial clone): keep what the file said before
            file_kind = kind(path)
            try:
                if file_kind == "dvc":
                    walk.file_outs[path] = dvcfiles.parse_dvc_file(path, data)[0] if data is not None else []
                    touched_outs = True
                elif file_kind == "dvc.lock":
                    for stage in walk.lock_stages.get(path, {}).values():
                        lock_before[f"{path}:{stage.name}"] = stage
                    stages = dvcfiles.parse_lock(path, data) if data is not None else []
                    walk.lock_stages[path] = {s.name: s for s in stages}
                    for stage in stages:
                        lock_after[f"{path}:{stage.name}"] = stage
                    walk.file_outs[path] = [o for s in stages for o in s.outs]
                    touched_outs = True
                elif file_kind == "dvc.yaml":
                    if data is None:
                        walk.pipelines.pop(path, None)
                    else:
                        walk.pipelines[path] = dvcfiles.parse_pipeline(path, data)
                    touched_outs = True
                elif file_kind == "artifacts.yaml":
                    walk.index[path] = dvcfiles.parse_gto_index(path, data) if data is not None else []
            except (ValueError, UnicodeDecodeError, dvcfiles.yaml.YAMLError) as exc:
                walk.errors.append(f"{commit.sha[:7]} {path}: {str(exc).splitlines()[0] if str(exc) else exc}")
        if not touched_outs:
            return
        outs: dict[str, OutState] = {}
        for file_outs in walk.file_outs.values():
            for out in file_outs:
                outs[out.path] = out
        walk.outs = outs
        for path in sorted(set(before) | set(outs)):
            old, new = before.get(path), outs.get(path)
            key_old = (old.md5, old.size, old.nfiles) if old else None
            key_new = (new.md5, new.size, new.nfiles) if new else None
            if key_old == key_new:
                continue
            change = "added" if old is None else "deleted" if new is None else "modified"
            state = new or old
            assert state is not None
            deps_changed: list[str] = []
            params_changed: list[str] = []
            stage_key = state.source if ":" in state.source else None
            if stage_key and (stage_key in lock_after or stage_key in lock_before):
                a, b = lock_before.get(stage_key), lock_after.get(stage_key)
                deps_a = {d.path: d.md5 for d in (a.deps if a else [])}
                deps_b = {d.path: d.md5 for d in (b.deps if b else [])}
                deps_changed = sorted(p for p in set(deps_a) | set(deps_b) if deps_a.get(p) != deps_b.get(p))
                pa, pb = (a.params if a else {}), (b.params if b else {})
                params_changed = sorted(k for k in set(pa) | set(pb) if pa.get(k, _MISSING) != pb.get(k, _MISSING))
            walk.history.setdefault(path, []).append(HistoryEntry(
                commit=commit.sha, date=commit.date, author=commit.author, message=commit.subject,
                md5=new.md5 if new else None, size=new.size if new else None, nfiles=new.nfiles if new else None,
                change=change, tags=list(tags_at.get(commit.sha, [])), deps_changed=deps_changed,
                params_changed=params_changed,
            ))

    def _ensure(self) -> _Walk:
        if self._walk is None:
            self.load()
        assert self._walk is not None
        return self._walk

    def tags_by_commit(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for tag in self._tags:
            found.setdefault(tag.commit, []).append(tag.name)
        return found

    # -- registry -------------------------------------------------------------------------------

    def _build_registry(self) -> Registry:
        walk = self._walk or _Walk()
        tagged = sorted({t.commit for t in self._tags if t.annotated})
        dates = {
            sha: (c.date, c.author, c.email, c.subject)
            for sha, c in self.git.commit_info(tagged).items()
        }
        head_info = None
        index_names: list[str] = []
        if self._head and walk.index.get("artifacts.yaml"):
            info = self.git.commit_info([self._head]).get(self._head)
            if info:
                head_info = (info.sha, info.date, info.author, info.email, info.subject)
                index_names = [a.name for a in walk.index["artifacts.yaml"]]
        stages = self._configured_stages()
        return build_registry(self._tags, stages, index_names, head_info, dates)

    def _configured_stages(self) -> list[str] | None:
        if not self._head:
            return None
        data = self.git.blob(self._head, ".gto")
        if data is None:
            return None
        try:
            doc = dvcfiles.load_yaml(data) or {}
        except (dvcfiles.yaml.YAMLError, UnicodeDecodeError):
            return None
        stages = doc.get("stages") if isinstance(doc, dict) else None
        return [str(s) for s in stages] if isinstance(stages, list) else None

    def registry(self) -> Registry:
        self._ensure()
        assert self._registry is not None
        return self._registry

    # -- artifacts and history ------------------------------------------------------------------------

    def declared(self) -> list[dvcfiles.DeclaredArtifact]:
        walk = self._ensure()
        found = [a for pf in walk.pipelines.values() for a in pf.artifacts]
        found += [a for items in walk.index.values() for a in items]
        return found

    def artifacts(self) -> list[Artifact]:
        """Every output tracked at HEAD, every declared artifact and every name GTO tags use."""
        walk = self._ensure()
        registry = self._registry
        by_name: dict[str, Artifact] = {}
        path_owner: dict[str, str] = {}
        for decl in self.declared():
            art = by_name.setdefault(decl.name, Artifact(decl.name))
            art.path = art.path or (_norm(decl.path) if decl.path else None)
            art.type = art.type or decl.type
            art.desc = art.desc or decl.desc
            origin = posixpath.basename(decl.source)
            if origin not in art.origins:
                art.origins.append(origin)
            if art.path:
                path_owner[art.path] = decl.name
        if registry:
            for name in registry.entries:
                art = by_name.setdefault(name, Artifact(name))
                art.origins.append("gto")
        for path, out in sorted(walk.outs.items()):
            name = path_owner.get(path, path)
            art = by_name.setdefault(name, Artifact(name, path=path))
            origin = "dvc.lock" if ":" in out.source else ".dvc"
            if origin not in art.origins:
                art.origins.insert(0, origin)
        for art in by_name.values():
            if art.path:
                out = walk.outs.get(art.path)
                if out:
                    art.md5, art.size, art.nfiles = out.md5, out.size, out.nfiles
                entries = walk.history.get(art.path)
                if entries:
                    last = entries[-1]
                    art.last_commit, art.last_date, art.last_message = last.commit, last.date, last.message
                    art.versions = len(entries)
            if registry and art.name in registry.entries:
                art.versions = len([v for v in registry.entries[art.name].versions if v.registered and v.active])
                if art.last_date is None:
                    dated = [v for v in registry.entries[art.name].versions if v.created_at]
                    if dated:
                        newest = max(dated, key=lambda v: v.created_at)
                        art.last_commit, art.last_date = newest.commit, newest.created_at
        return sorted(by_name.values(), key=lambda a: (a.path is None, a.name))

    def find(self, name_or_path: str) -> Artifact:
        """The artifact named so, or tracked at that path (a `.dvc` file names its output)."""
        arts = self._ensure() and self.artifacts()
        for art in arts:
            if art.name == name_or_path:
                return art
        path = _norm(name_or_path)
        for art in arts:
            if art.path == path:
                return art
        walk = self._ensure()
        if path.endswith(".dvc") and walk.file_outs.get(path):
            out_path = walk.file_outs[path][0].path
            for art in arts:
                if art.path == out_path:
                    return art
        if path in walk.history:
            return Artifact(path, path=path)
        known = ", ".join(a.name for a in arts[:8]) or "none"
        raise ModelsError(f"no artifact or tracked output named {name_or_path!r}", hint=f"known: {known}")

    def history(self, name_or_path: str) -> list[HistoryEntry]:
        """Every commit that changed the artifact's output, newest first, with tags, deps and params changed."""
        art = self.find(name_or_path)
        walk = self._ensure()
        registry = self.registry()
        if art.path and art.path in walk.history:
            rows = list(reversed(walk.history[art.path]))
            if art.name in registry.entries:
                rows = [replace(r, tags=[t for t in r.tags if _tag_belongs(t, art.name)]) for r in rows]
            return rows
        entry = registry.entries.get(art.name)
        if not entry:
            return []
        tags_at = self.tags_by_commit()
        infos = self.git.commit_info([v.commit for v in entry.versions])
        rows = []
        for v in entry.versions:
            info = infos.get(v.commit)
            if info:
                tags = [t for t in tags_at.get(v.commit, []) if _tag_belongs(t, art.name)]
                rows.append(HistoryEntry(v.commit, info.date, info.author, info.subject, None, None, None, "version",
                                         tags=tags))
        return sorted(rows, key=lambda r: r.date, reverse=True)

    def frequency(self, name_or_path: str, now: datetime | None = None) -> TrainingFrequency:
        """Time between successive versions (GTO registrations, else output changes) and the model's age."""
        now = now or datetime.now(timezone.utc)
        art = self.find(name_or_path)
        registry = self.registry()
        entry = registry.entries.get(art.name)
        dates: list[datetime] = []
        basis = "versions"
        if entry:
            dates = sorted(v.created_at for v in entry.versions if v.registered and v.active and v.created_at)
        if len(dates) < 2 and art.path:
            basis = "commits"
            dates = sorted(h.date for h in self.history(art.name) if h.change != "deleted")
        gaps = [(b - a).total_seconds() / 86400 for a, b in zip(dates, dates[1:])]
        age = (now - dates[-1]).total_seconds() / 86400 if dates else None
        return TrainingFrequency(
            name=art.name, dates=dates, gaps_days=gaps, last_gap_days=gaps[-1] if gaps else None,
            median_gap_days=statistics.median(gaps) if gaps else None, age_days=age,
            stale=age is not None and age > self.stale_after_days, basis=basis,
        )

    def notes(self) -> list[str]:
        walk = self._ensure()
        notes = []
        if self.git.shallow:
            oldest = self._commits[0].date.strftime("%Y-%m-%d") if self._commits else "?"
            notes.append(
                f"shallow clone: history before {oldest} is missing, so older versions, GTO tags on them, "
                "their params and metrics are not shown (git fetch --unshallow to see them)"
            )
        if self.git.partial:
            notes.append(
                f"partial clone: {walk.missing} versions of DVC files are not local and were skipped (nothing is "
                "fetched); params and metrics of such commits are missing" if walk.missing else
                "partial clone: every DVC file needed is local; params/metrics files that are not local are skipped"
            )
        if self._head and not self._commits:
            notes.append(_NO_DVC_NOTE)
        notes.extend(f"unreadable: {e}" for e in walk.errors[:5])
        return notes

    # -- revisions, params, metrics, diffs ------------------------------------------------------------

    def resolve(self, spec: str) -> RevisionRef:
        """A revision, tag, `name@vX.Y.Z`/`name@latest` version or `name#stage` stage, as a commit."""
        short = parse_shortcut(spec)
        if short:
            name, version, stage = short
            entry = self.registry().entries.get(name)
            if entry is None:
                raise ModelsError(f"{spec}: no artifact {name!r} in the registry", hint=self._names_hint())
            if version in ("latest", "greatest"):
                version = entry.latest
                if version is None:
                    raise ModelsError(f"{spec}: {name} has no registered version")
            elif stage:
                version = entry.stages.get(stage)
                if not version:
                    raise ModelsError(f"{spec}: no version of {name} is in stage {stage!r}",
                                      hint=f"stages: {', '.join(s for s, v in entry.stages.items() if v) or 'none'}")
                version = version.split(", ")[0]
            match = next((v for v in entry.versions if v.version == version), None)
            if match is None:
                raise ModelsError(f"{spec}: {name} has no version {version}")
            return RevisionRef(spec, match.commit, f"{name}@{version}" if stage is None else f"{spec} ({version})")
        known = {c.sha for c in self._commits} | {t.commit for t in self._tags} | {self._head}
        commit = spec if spec in known else self.git.resolve(spec)  # a full id seen in the history pass
        if commit is None:
            raise ModelsError(f"unknown revision {spec!r}",
                              hint="use a commit, branch, tag, name@vX.Y.Z or name#stage")
        return RevisionRef(spec, commit, spec)

    def _names_hint(self) -> str:
        names = ", ".join(sorted(self.registry().entries)) or "none"
        return f"registered artifacts: {names}"

    def params_at(self, commit: str) -> tuple[dict[str, Any], list[str]]:
        return self.files.params_at(commit)

    def metrics_at(self, commit: str) -> tuple[dict[str, Any], list[str]]:
        return self.files.metrics_at(commit)

    def details_at(self, spec: str) -> VersionDetails:
        """Params (flattened per file), dvc.lock params per stage and metrics at a revision or version."""
        return self.files.details(self.resolve(spec).commit)

    def diff(self, a: str, b: str, with_unchanged: bool = False) -> Diff:
        """Params, metrics and outputs from a to b."""
        ra, rb = self.resolve(a), self.resolve(b)
        pa, ea = self.files.params_at(ra.commit)
        pb, eb = self.files.params_at(rb.commit)
        ma, fa = self.files.metrics_at(ra.commit)
        mb, fb = self.files.metrics_at(rb.commit)
        outs = diff_outs(self.files.outs_at(ra.commit), self.files.outs_at(rb.commit))
        errors = list(dict.fromkeys(ea + eb + fa + fb))
        return Diff(ra, rb, dvcfiles.diff_files(pa, pb, with_unchanged), dvcfiles.diff_files(ma, mb, with_unchanged),
                    outs, errors)


_MISSING = object()


def _tag_belongs(tag: str, artifact: str) -> bool:
    """A GTO tag of this artifact, or a tag that is not GTO's."""
    parsed = parse_tag(tag)
    return parsed is None or parsed.artifact == artifact
