"""Plain data the models source returns: artifacts, their history, the GTO registry, diffs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class ModelsError(Exception):
    """The repository cannot be read (not git, git missing, bad revision); message and hint are for users."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class OutState:
    """One DVC-tracked output as a commit records it."""

    path: str
    md5: str | None
    size: int | None
    nfiles: int | None
    source: str  # the .dvc file, or "dvc.lock:stage"
    cached: bool = True

    @property
    def is_dir(self) -> bool:
        return bool(self.md5 and self.md5.endswith(".dir"))


@dataclass
class Artifact:
    """Something the repository versions: a DVC output, a declared artifact, or a name GTO tags use."""

    name: str
    path: str | None = None
    type: str | None = None
    desc: str | None = None
    origins: list[str] = field(default_factory=list)  # ".dvc", "dvc.lock", "dvc.yaml", "artifacts.yaml", "gto"
    md5: str | None = None
    size: int | None = None
    nfiles: int | None = None
    last_commit: str | None = None
    last_date: datetime | None = None
    last_message: str | None = None
    versions: int = 0


@dataclass
class HistoryEntry:
    """One commit that changed an artifact's output."""

    commit: str
    date: datetime
    author: str
    message: str
    md5: str | None
    size: int | None
    nfiles: int | None
    change: str  # added, modified, deleted
    tags: list[str] = field(default_factory=list)
    deps_changed: list[str] = field(default_factory=list)
    params_changed: list[str] = field(default_factory=list)


@dataclass
class RegistryEvent:
    """One GTO event, as `gto history` lists it."""

    timestamp: datetime
    artifact: str
    event: str  # registration, deregistration, assignment, unassignment, deprecation
    priority: int
    version: str | None
    stage: str | None
    commit: str
    author: str
    author_email: str
    message: str
    ref: str


@dataclass
class VersionInfo:
    """A version of an artifact: a `name@vX.Y.Z` tag, or a commit a stage was assigned to."""

    version: str
    commit: str
    created_at: datetime | None
    registered: bool
    active: bool
    stages: list[str] = field(default_factory=list)
    tag: str | None = None
    author: str = ""
    message: str = ""


@dataclass
class RegistryEntry:
    """An artifact in the registry: its newest version and what each stage holds now (as `gto show`)."""

    name: str
    latest: str | None
    stages: dict[str, str | None]
    registered: bool
    active: bool
    versions: list[VersionInfo] = field(default_factory=list)
    events: list[RegistryEvent] = field(default_factory=list)


@dataclass
class Registry:
    """The GTO registry of a repository."""

    stages: list[str]
    entries: dict[str, RegistryEntry]
    events: list[RegistryEvent]  # newest first, as `gto history`


@dataclass
class TrainingFrequency:
    """How often an artifact gets a new version."""

    name: str
    dates: list[datetime]
    gaps_days: list[float]
    last_gap_days: float | None
    median_gap_days: float | None
    age_days: float | None
    stale: bool
    basis: str  # "versions" (GTO tags) or "commits" (changes of the output)


@dataclass
class RevisionRef:
    """What the user asked to compare and the commit it resolved to."""

    spec: str
    commit: str
    label: str


@dataclass
class Diff:
    """Params, metrics and outputs between two revisions, with `dvc params/metrics diff` and `dvc diff` meaning."""

    a: RevisionRef
    b: RevisionRef
    params: dict[str, dict[str, dict[str, Any]]]
    metrics: dict[str, dict[str, dict[str, Any]]]
    outs: dict[str, list[dict[str, Any]]]
    errors: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.params and not self.metrics and not any(self.outs.values())


@dataclass
class Snapshot:
    """Everything the pane shows, loaded in one pass."""

    root: str
    head: str | None
    artifacts: list[Artifact]
    registry: Registry
    notes: list[str]
    commits_scanned: int
    shallow: bool = False
    dvc: bool = True


@dataclass
class VersionDetails:
    """Params and metrics at one commit: params files (what `dvc params diff` reads), the params `dvc.lock`
    recorded per stage, and metrics files (what `dvc metrics show` reads, from git only)."""

    commit: str
    params: dict[str, dict[str, Any]]
    lock_params: dict[str, dict[str, Any]]
    metrics: dict[str, dict[str, Any]]
    errors: list[str] = field(default_factory=list)
