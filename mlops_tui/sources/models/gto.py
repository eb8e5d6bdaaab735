"""The GTO registry computed from git tags, with the same grammar and rules as `gto show`/`gto history`.

Grammar (gto/constants.py): `name@vX.Y.Z` registers a version, `name@vX.Y.Z!` deregisters it,
`name#stage` / `name#stage#N` assigns a stage, `name#stage!` / `name#stage!#N` unassigns it,
`name@deprecated` (optionally `#N`) deprecates the artifact. `dir:name` is spelled `dir=name` in tags.
Only annotated tags count. Tags are applied in groups (artifact, version, stage), each in tagger-date
order; the version currently in a stage is, among versions whose newest event for that stage is an
assignment, the one assigned most recently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable

from mlops_tui.sources.models.git import TagRef
from mlops_tui.sources.models.model import Registry, RegistryEntry, RegistryEvent, VersionInfo

_DIRNAME = "[a-zA-Z0-9-_./]+"
_NAME = r"[a-zA-Z0-9]([a-zA-Z0-9-/_]*[a-zA-Z0-9])?"
_SEMVER = (
    r"(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<prerelease>(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+(?P<buildmetadata>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
_FULLNAME_IN_TAG = f"(?P<dirname>{_DIRNAME}=)?(?P<name>{_NAME})"
TAG_RE = re.compile(
    f"^(?P<artifact>{_FULLNAME_IN_TAG})(((#(?P<stage>{_NAME})|@(?P<version>v{_SEMVER}))(?P<cancel>!?))"
    r"|@((?P<deprecated>deprecated)|(?P<created>created)))(#(?P<counter>[0-9]+))?$"
)
SEMVER_RE = re.compile(f"^v?{_SEMVER}$")
SHORTCUT_RE = re.compile(
    f"^(?P<artifact>(?P<dirname>{_DIRNAME}:)?(?P<name>{_NAME}))(#(?P<stage>{_NAME})|@(?P<version>latest|greatest|v{_SEMVER}))$"
)

PRIORITY = {"deprecation": 2, "registration": 3, "deregistration": 4, "assignment": 5, "unassignment": 6}
_EPOCH = datetime.fromtimestamp(0, timezone.utc)


@dataclass(frozen=True)
class ParsedTag:
    artifact: str
    action: str  # register, deregister, assign, unassign, deprecate, create
    version: str | None = None
    stage: str | None = None
    counter: int | None = None


def parse_tag(name: str) -> ParsedTag | None:
    """A GTO tag's meaning, or None for any other tag."""
    m = TAG_RE.match(name)
    if not m:
        return None
    artifact = m["artifact"].replace("=", ":")
    counter = int(m["counter"]) if m["counter"] else None
    if m["version"]:
        return ParsedTag(artifact, "deregister" if m["cancel"] == "!" else "register", m["version"], None, counter)
    if m["stage"]:
        return ParsedTag(artifact, "unassign" if m["cancel"] == "!" else "assign", None, m["stage"], counter)
    if m["deprecated"]:
        return ParsedTag(artifact, "deprecate", counter=counter)
    return ParsedTag(artifact, "create", counter=counter)


def semver_key(version: str) -> tuple:
    """Sort key ordering versions as SemVer 2.0 does (prereleases before their release)."""
    m = SEMVER_RE.match(version)
    if not m:
        return (-1, -1, -1, 0, ())
    pre = m["prerelease"]
    if pre is None:
        pre_key: tuple = (1, ())
    else:
        pre_key = (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")))
    return (int(m["major"]), int(m["minor"]), int(m["patch"]), *pre_key)


def is_semver(version: str) -> bool:
    return bool(SEMVER_RE.match(version))


# -- gto's object model, reduced to what show/history need -----------------------------------------


@dataclass(eq=False)
class _Event:
    kind: str
    artifact: str
    created_at: datetime
    author: str
    email: str
    message: str
    commit: str
    tag: str | None
    version: str | None = None
    stage: str | None = None

    @property
    def addition(self) -> bool:
        return self.kind in ("registration", "assignment", "commit", "creation")


def _desc(events: Iterable[_Event]) -> list[_Event]:
    return sorted(events, key=lambda e: e.created_at)[::-1]


@dataclass(eq=False)
class _VStage:
    version: str
    stage: str
    events: list[_Event] = field(default_factory=list)

    @property
    def is_active(self) -> bool:
        return _desc(self.events)[0].kind == "assignment"

    @property
    def created_at(self) -> datetime:
        additions = [e for e in _desc(self.events) if e.addition]
        return (additions or _desc(self.events))[0].created_at

    @property
    def activated_at(self) -> datetime | None:
        first = _desc(self.events)[0]
        return first.created_at if first.kind == "assignment" else None


@dataclass(eq=False)
class _Version:
    version: str
    commit: str
    direct: list[_Event] = field(default_factory=list)  # registrations, deregistrations
    enrich: list[_Event] = field(default_factory=list)
    stages: dict[str, _VStage] = field(default_factory=dict)

    def events(self, direct: bool = True, indirect: bool = True) -> list[_Event]:
        found = list(self.direct) if direct else []
        if indirect:
            found += self.enrich + [e for s in self.stages.values() for e in s.events]
        return _desc(found)

    @property
    def discovered(self) -> bool:
        return not self.direct

    @property
    def is_registered(self) -> bool:
        return any(e.kind == "registration" for e in self.direct)

    @property
    def is_active(self) -> bool:
        direct = self.events(indirect=False)
        if direct:
            return direct[0].kind == "registration"
        return bool(self.events(direct=False))

    @property
    def authoring(self) -> _Event:
        additions = [e for e in self.events(indirect=False) if e.addition]
        if additions:
            return additions[0]
        return self.events(direct=False)[0]

    def vstages(self, ascending: bool = False) -> list[_VStage]:
        active = sorted((s for s in self.stages.values() if s.is_active), key=lambda s: s.activated_at)
        return active if ascending else active[::-1]


@dataclass(eq=False)
class _Artifact:
    name: str
    versions: list[_Version] = field(default_factory=list)
    direct: list[_Event] = field(default_factory=list)  # deprecations

    def find_version(self, name: str | None, commit: str | None, create: bool) -> _Version | None:
        found = [
            v for v in self.versions
            if (v.version == name if name else True) and (v.commit == commit if commit else True) and not v.discovered
        ]
        if create and not found:
            v = _Version(version=name or commit or "", commit=commit or "")
            self.versions.append(v)
            return v
        return found[0] if found else None

    def events(self) -> list[_Event]:
        return _desc(self.direct + [e for v in self.versions for e in v.events()])

    @property
    def is_active(self) -> bool:
        events = self.events()
        return bool(events) and events[0].kind != "deprecation"

    @property
    def is_registered(self) -> bool:
        return not all(e.kind == "commit" for e in self.events())

    def get_versions(self, include_non_explicit: bool, sort: str = "semver") -> list[_Version]:
        versions = [
            v for v in self.versions
            if v.is_active and ((v.is_registered and not v.discovered) or (include_non_explicit and not v.is_registered))
        ]
        if sort == "semver":
            semver = sorted((v for v in versions if is_semver(v.version)), key=lambda v: semver_key(v.version))[::-1]
            other = sorted((v for v in versions if not is_semver(v.version)), key=lambda v: v.version)[::-1]
            return semver + other
        return sorted(versions, key=lambda v: v.authoring.created_at)[::-1]

    def latest(self) -> _Version | None:
        versions = self.get_versions(include_non_explicit=False)
        return versions[0] if versions else None

    def get_vstages(self, sort: str = "semver", versions_per_stage: int = 1) -> dict[str, list[_VStage]]:
        versions = self.get_versions(include_non_explicit=True, sort=sort)
        assignments = [a for v in versions for a in v.vstages(ascending=True)]
        if sort == "timestamp":
            assignments = sorted(assignments, key=lambda a: a.created_at)[::-1]
        stages: dict[str, list[_VStage]] = {}
        for a in assignments:
            bucket = stages.setdefault(a.stage, [])
            if versions_per_stage > -1 and len(bucket) >= versions_per_stage:
                continue
            if a.version not in [i.version for i in bucket]:
                bucket.append(a)
        return stages


_KIND = {
    "register": "registration",
    "deregister": "deregistration",
    "assign": "assignment",
    "unassign": "unassignment",
    "deprecate": "deprecation",
}
_GROUPS = (("deprecate", "create"), ("register", "deregister"), ("assign", "unassign"))


def build_registry(
    tags: list[TagRef],
    configured_stages: list[str] | None = None,
    index_artifacts: Iterable[str] = (),
    head: tuple[str, datetime, str, str, str] | None = None,
    commit_dates: dict[str, tuple[datetime, str, str, str]] | None = None,
) -> Registry:
    """The registry as `gto show` and `gto history` report it.

    commit_dates gives (date, author, email, message) of tagged commits (gto's enrichment events);
    index_artifacts are the names artifacts.yaml declares at HEAD, head is (sha, date, author, email, message).
    """
    commit_dates = commit_dates or {}
    parsed = [(t, parse_tag(t.name)) for t in tags if t.annotated]
    parsed = [(t, p) for t, p in parsed if p is not None]
    artifacts: dict[str, _Artifact] = {}
    for group in _GROUPS:
        chosen = sorted(((t, p) for t, p in parsed if p.action in group), key=lambda tp: tp[0].date or _EPOCH)
        for tag, p in chosen:
            if p.action == "create":
                continue
            art = artifacts.setdefault(p.artifact, _Artifact(p.artifact))
            event = _Event(_KIND[p.action], p.artifact, tag.date or _EPOCH, tag.tagger, tag.email, tag.message,
                           tag.commit, tag.name, p.version, p.stage)
            if p.action == "deprecate":
                art.direct.append(event)
            elif p.action in ("register", "deregister"):
                version = art.find_version(p.version, tag.commit, create=True)
                assert version is not None
                if event not in version.direct:
                    version.direct.append(event)
            else:
                owner = art.find_version(None, tag.commit, create=True)
                assert owner is not None
                event.version = owner.version
                version = art.find_version(event.version, tag.commit, create=True)
                assert version is not None
                version.stages.setdefault(p.stage or "", _VStage(version.version, p.stage or "")).events.append(event)
    for art in artifacts.values():
        for version in art.versions:
            info = commit_dates.get(version.commit)
            if info:
                date, author, email, message = info
                version.enrich.append(_Event("commit", art.name, date, author, email, message, version.commit, None,
                                             version.version))
    if head is not None:
        sha, date, author, email, message = head
        for name in index_artifacts:
            art = artifacts.setdefault(name, _Artifact(name))
            version = art.find_version(None, sha, create=True)
            assert version is not None
            version.enrich.append(_Event("commit", name, date, author, email, message, sha, None, version.version))

    if configured_stages is not None:
        stages = list(configured_stages)
    else:
        stages = sorted({s for a in artifacts.values() for s in a.get_vstages()})

    entries: dict[str, RegistryEntry] = {}
    all_events: list[RegistryEvent] = []
    for art in artifacts.values():
        current = art.get_vstages(sort="timestamp")
        latest = art.latest()
        events = [
            RegistryEvent(
                timestamp=e.created_at, artifact=art.name, event=e.kind, priority=PRIORITY[e.kind], version=e.version,
                stage=e.stage, commit=e.commit, author=e.author, author_email=e.email, message=e.message,
                ref=e.tag or e.commit,
            )
            for e in art.events() if e.kind != "commit"
        ]
        events.sort(key=lambda e: (e.timestamp, e.priority), reverse=True)
        all_events.extend(events)
        versions = []
        for v in art.get_versions(include_non_explicit=True, sort="semver") + [
            v for v in art.versions if not v.is_active and v.is_registered
        ]:
            reg = next((e for e in v.direct if e.kind == "registration"), None)
            authoring = v.authoring if v.events() else None
            versions.append(VersionInfo(
                version=v.version, commit=v.commit,
                created_at=authoring.created_at if authoring else None,
                registered=v.is_registered, active=v.is_active,
                stages=sorted(s for s, vs in current.items() if any(x.version == v.version for x in vs)),
                tag=reg.tag if reg else None,
                author=authoring.author if authoring else "",
                message=authoring.message if authoring else "",
            ))
        entries[art.name] = RegistryEntry(
            name=art.name,
            latest=latest.version if latest else None,
            stages={s: (", ".join(vs.version for vs in current.get(s, [])) or None) for s in stages},
            registered=art.is_registered,
            active=art.is_active,
            versions=versions,
            events=events,
        )
    all_events.sort(key=lambda e: (e.timestamp, e.priority), reverse=True)
    return Registry(stages=stages, entries=entries, events=all_events)


def parse_shortcut(value: str) -> tuple[str, str | None, str | None] | None:
    """`name@v1.2.0` -> (name, "v1.2.0", None), `name#prod` -> (name, None, "prod"), else None."""
    m = SHORTCUT_RE.match(value)
    if not m:
        return None
    return m["artifact"], m["version"], m["stage"]
