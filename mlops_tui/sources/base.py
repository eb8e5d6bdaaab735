"""What every source reports about itself."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum


class SourceState(str, Enum):
    """Health of a source as the status line shows it."""

    OK = "ok"
    STALE = "stale"
    FAILING = "failing"
    ABSENT = "absent"
    LOADING = "loading"


@dataclass(frozen=True)
class SourceStatus:
    """The state of one source, why, and since when."""

    name: str
    state: SourceState
    reason: str = ""
    hint: str = ""
    at: float = field(default_factory=time.time)

    @classmethod
    def ok(cls, name: str, reason: str = "") -> SourceStatus:
        return cls(name, SourceState.OK, reason)

    @classmethod
    def failing(cls, name: str, reason: str, hint: str = "") -> SourceStatus:
        return cls(name, SourceState.FAILING, reason, hint)

    @classmethod
    def absent(cls, name: str, hint: str) -> SourceStatus:
        return cls(name, SourceState.ABSENT, "not configured", hint)
