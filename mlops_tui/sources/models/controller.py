"""The Models pane's state and the checks it shares with `mlops-tui models`, without a screen.

The pane renders a `ModelsModel` (the repository and its snapshot, which models are stale, the selected
artifact and its details, the marked diff base and the pair to compare) and turns keys into its calls. The CLI
calls the same functions: `open_repository`, `registry_frequencies` (the staleness check), `artifact_details`,
`assigned_stages`, `diff_rows`, `format_value`.

Requests: the model remembers what the latest load, diff and version lookup asked for; a result that answers an
older request is stale and dropped (a cancelled thread worker still runs to its end and posts what it found).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.models.model import (
    Artifact,
    Diff,
    HistoryEntry,
    ModelsError,
    RegistryEntry,
    Snapshot,
    TrainingFrequency,
)
from mlops_tui.sources.models.repository import ModelRepository

STATUS_NAME = "models.repo"
KEPT = "the last good view is kept; press r to reload"


def open_repository(path: str, stale_after_days: float, source: ModelRepository | None = None
                    ) -> tuple[ModelRepository, Snapshot]:
    """The repository at path (or the one given) scanned once; ModelsError when it cannot be read. A repository
    opened here is closed again when its scan fails."""
    repo = source or ModelRepository(path, stale_after_days=stale_after_days)
    try:
        return repo, repo.load()
    except BaseException:
        if source is None:
            repo.close()
        raise


def registry_frequencies(source: ModelRepository, now: datetime | None = None) -> dict[str, TrainingFrequency]:
    """How often each active registered model gets a version, and whether it is stale (the one staleness check:
    the pane's `!`, its frequency line and the CLI's warnings all read it)."""
    entries = source.registry().entries
    return {name: source.frequency(name, now=now) for name, entry in entries.items() if entry.active}


def assigned_stages(entry: RegistryEntry | None) -> dict[str, str]:
    """Stage -> version for the stages that hold a version now."""
    return {stage: version for stage, version in entry.stages.items() if version} if entry else {}


def snapshot_status(snapshot: Snapshot) -> SourceStatus:
    """What the status line says about a scanned repository."""
    root = Path(snapshot.root).name
    notes = "\n".join(snapshot.notes)
    if not snapshot.artifacts:
        return SourceStatus(STATUS_NAME, SourceState.ABSENT, f"{root}: no DVC outputs or GTO tags", notes)
    entries = snapshot.registry.entries.values()
    versions = sum(len([v for v in e.versions if v.registered and v.active]) for e in entries)
    reason = f"{root}: {len(snapshot.artifacts)} artifacts, {versions} versions, {snapshot.commits_scanned} commits"
    return SourceStatus(STATUS_NAME, SourceState.OK, reason, notes)


@dataclass
class ArtifactDetails:
    """One artifact as its history view shows it: registry entry, changes newest first, training frequency."""

    name: str  # as asked for
    artifact: Artifact | None
    entry: RegistryEntry | None
    history: list[HistoryEntry]
    frequency: TrainingFrequency | None


def artifact_details(source: ModelRepository, name_or_path: str, now: datetime | None = None) -> ArtifactDetails:
    """The artifact named so or tracked at that path; ModelsError when there is none."""
    artifact = source.find(name_or_path)
    history = source.history(name_or_path)
    frequency = source.frequency(name_or_path, now=now)
    return ArtifactDetails(name_or_path, artifact, source.registry().entries.get(artifact.name), history, frequency)


# -- diffs ----------------------------------------------------------------------------------------------


class Revision(NamedTuple):
    """One side of a diff: what to resolve (`name@v1.2.0`, `name#prod`, a commit) and how to show it."""

    spec: str
    label: str


@dataclass(frozen=True)
class DiffRow:
    """One changed param, metric or tracked output, as text (not yet made safe for a terminal)."""

    kind: str  # param, metric, out
    file: str  # params or metrics file; for an output its path ("old -> new" when it moved)
    key: str  # key in the file; "" for a whole-file value and for outputs
    old: str
    new: str
    change: str  # "+10", "-0.02", "-"; for outputs added, deleted, modified or renamed

    @property
    def name(self) -> str:
        return f"{self.file}:{self.key}" if self.key else self.file


def format_value(value: Any) -> str:
    """A param or metric value: '-' when missing, floats to 6 significant digits."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _change(change: Any) -> str:
    if change is None:
        return "-"
    return f"{change:+.6g}" if isinstance(change, float) else f"{change:+}"


def _out_path(path: Any) -> str:
    return f"{path.get('old')} -> {path.get('new')}" if isinstance(path, dict) else str(path)


def diff_rows(diff: Diff) -> list[DiffRow]:
    """Params, then metrics, then tracked outputs that differ (hashes cut to 8 characters)."""
    rows: list[DiffRow] = []
    for kind, section in (("param", diff.params), ("metric", diff.metrics)):
        for path, keys in section.items():
            for key, v in keys.items():
                rows.append(DiffRow(kind, path, key, format_value(v.get("old")), format_value(v.get("new")),
                                    _change(v.get("diff"))))
    for change, items in diff.outs.items():
        for item in items:
            digest = item.get("hash")
            if isinstance(digest, dict):
                old, new = (digest.get("old") or "-")[:8], (digest.get("new") or "-")[:8]
            else:
                short = (digest or "-")[:8]
                old = "-" if change == "added" else short
                new = "-" if change == "deleted" else short
            rows.append(DiffRow("out", _out_path(item["path"]), "", old, new, change))
    return rows


def default_pair(details: ArtifactDetails, compare_stage: str) -> tuple[Revision, Revision] | None:
    """What `d` compares unless a base is marked: the stage's version with the newest, else the newest two
    registered versions, else the newest two changes of the output."""
    name, entry = details.name, details.entry
    if entry is not None and entry.latest:
        target = Revision(f"{name}@{entry.latest}", f"{name}@{entry.latest}")
        staged = entry.stages.get(compare_stage)
        if staged and staged != entry.latest:
            return Revision(f"{name}#{compare_stage}", f"{name}#{compare_stage}"), target
        older = [v for v in entry.versions if v.registered and v.active and v.version != entry.latest]
        if older:
            return Revision(f"{name}@{older[0].version}", f"{name}@{older[0].version}"), target
    commits = [h.commit for h in details.history if h.change != "deleted"]
    if len(commits) >= 2:
        return Revision(commits[1], commits[1][:7]), Revision(commits[0], commits[0][:7])
    return None


# -- the pane's state -----------------------------------------------------------------------------------


@dataclass
class ModelsModel:
    """What the Models pane shows and what its next request is; every method is plain Python."""

    stale_after_days: float = 30.0
    compare_stage: str = "prod"
    source: ModelRepository | None = None
    snapshot: Snapshot | None = None
    frequencies: dict[str, TrainingFrequency] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # artifacts in the order the list shows them
    selected: str | None = None
    details: ArtifactDetails | None = None
    base: Revision | None = None  # marked with `m` as the diff's base
    view: str = "history"  # history, registry or diff
    last_diff: Diff | None = None
    load_generation: int = 0
    diff_request: tuple[str, str, str] | None = None  # (artifact, a, b) of the latest diff asked for
    version_request: tuple[str, str] | None = None  # (artifact, version) of the latest version details asked for

    # -- the repository -----------------------------------------------------------------------------
    def begin_load(self) -> int:
        """A (re)load starts; its generation."""
        self.load_generation += 1
        return self.load_generation

    def loaded(self, generation: int, source: ModelRepository, snapshot: Snapshot,
               frequencies: dict[str, TrainingFrequency]) -> tuple[bool, ModelRepository | None]:
        """A load finished: whether it is the latest, and the repository no longer used (to close)."""
        if generation != self.load_generation:
            return False, (None if source is self.source else source)
        retired = self.source if self.source is not None and self.source is not source else None
        self.source, self.snapshot, self.frequencies = source, snapshot, frequencies
        self.names = [art.name for art in snapshot.artifacts]
        return True, retired

    def load_failed(self, error: ModelsError) -> SourceStatus:
        """The repository cannot be read: absent before anything was shown, else failing with the view kept."""
        if self.snapshot is None:
            return SourceStatus(STATUS_NAME, SourceState.ABSENT, error.message, error.hint)
        return SourceStatus.failing(STATUS_NAME, error.message, KEPT)

    def status(self) -> SourceStatus:
        assert self.snapshot is not None
        return snapshot_status(self.snapshot)

    def stale(self, name: str) -> bool:
        frequency = self.frequencies.get(name)
        return bool(frequency and frequency.stale)

    def artifact(self, name: str) -> Artifact | None:
        return next((a for a in self.snapshot.artifacts if a.name == name), None) if self.snapshot else None

    def target(self) -> str | None:
        """The artifact to select after a load: the one selected before, else the first active model."""
        if self.selected in self.names:
            return self.selected
        entries = self.snapshot.registry.entries if self.snapshot else {}
        active = [n for n in self.names if n in entries and entries[n].active]
        return (active or self.names or [None])[0]

    # -- the selected artifact ----------------------------------------------------------------------
    def select(self, name: str) -> None:
        """A new artifact is selected; a marked base belonged to the one before."""
        self.selected, self.base = name, None

    def fetch_details(self, source: ModelRepository, name: str, now: datetime | None = None) -> ArtifactDetails:
        """The selected artifact's details; an unreadable history shows as none (the registry entry still shows)."""
        try:
            return artifact_details(source, name, now)
        except ModelsError:
            return ArtifactDetails(name, self.artifact(name), source.registry().entries.get(name), [], None)

    def details_loaded(self, details: ArtifactDetails) -> bool:
        """False (and ignored) when another artifact was selected meanwhile."""
        if details.name != self.selected or self.snapshot is None:
            return False
        self.details = details
        return True

    def version_at(self, row: int) -> tuple[str, str, str] | None:
        """(artifact, version, commit) at a row of the versions table, remembered as the latest request."""
        details = self.details
        if details is None or details.entry is None or row >= len(details.entry.versions):
            return None
        version = details.entry.versions[row]
        self.version_request = (details.name, version.version)
        return details.name, version.version, version.commit

    def version_answers(self, name: str, version: str) -> bool:
        return self.version_request == (name, version) and name == self.selected

    # -- diff ---------------------------------------------------------------------------------------
    def spec_at(self, version_row: int | None, history_row: int | None) -> Revision | None:
        """The revision under the cursor: the versions table's in the registry view, else the history's."""
        details = self.details
        if details is None:
            return None
        if self.view == "registry" and details.entry is not None and version_row is not None:
            v = details.entry.versions[version_row]
            spec = f"{details.name}@{v.version}" if v.registered else v.commit
            return Revision(spec, spec)
        if history_row is not None and details.history:
            h = details.history[min(history_row, len(details.history) - 1)]
            return Revision(h.commit, h.commit[:7])
        return None

    def diff_pair(self, at_cursor: Revision | None) -> tuple[Revision, Revision] | None:
        """The marked base with the revision at the cursor (or the default target), else the default pair; the
        pair is remembered as the latest diff request."""
        if self.details is None:
            return None
        pair = default_pair(self.details, self.compare_stage)
        if self.base is not None:
            target = at_cursor or (pair[1] if pair else None)
            pair = (self.base, target) if target else None
        self.diff_request = (self.details.name, pair[0].spec, pair[1].spec) if pair else None
        return pair

    def diff_answers(self, name: str, a: str, b: str) -> bool:
        """A diff result is shown only when it answers the latest request for the selected artifact."""
        return self.diff_request == (name, a, b) and name == self.selected

    def diff_failed_current(self) -> bool:
        return self.diff_request is not None and self.diff_request[0] == self.selected

    def drift_spec(self, version_row: int | None) -> str | None:
        """Whose training data `t` compares with the current sample: the registered version under the cursor in
        the Versions view, else the version in compare_stage (`name#prod`); None when there is neither."""
        details = self.details
        if details is None or details.entry is None or self.snapshot is None:
            return None
        versions = details.entry.versions
        if self.view == "registry" and version_row is not None and version_row < len(versions):
            if versions[version_row].registered:
                return f"{details.name}@{versions[version_row].version}"
        if details.entry.stages.get(self.compare_stage):
            return f"{details.name}#{self.compare_stage}"
        return None

    def config_request(self) -> tuple[str, str, str] | None:
        """What `c` asks the Configs pane: the params file of the diff shown, between its two commits."""
        diff = self.last_diff
        if diff is None or self.snapshot is None or self.view != "diff":
            return None
        path = next(iter(diff.params), "params.yaml")
        return str(Path(self.snapshot.root) / path), diff.a.commit, diff.b.commit
