"""Bounds on every read whose size or time an outsider decides: one log line, one HTTP answer, one config
file, one gzip log, one network call. Each has a default an on-call machine can afford; a value that
would switch a bound off (zero, negative) is refused."""

from __future__ import annotations

from pydantic import Field

from mlops_tui.settings.base import Section

MiB = 1024 * 1024


class LimitsSettings(Section):
    """Bounds on untrusted input, in one place."""

    log_line_bytes: int = Field(default=16 * MiB, ge=4096)
    """Bytes of one log line held in memory; a longer line is cut (marked "[cut]") and indexing goes on."""
    http_answer_bytes: int = Field(default=64 * MiB, ge=1024)
    """Bytes of one backend answer, after gzip is undone; a bigger answer is refused before it is all read."""
    http_deadline: float = Field(default=30.0, gt=0, le=3600)
    """Seconds one backend call may take in all (connect, every read, retries); then it is "timed out"."""
    config_file_bytes: int = Field(default=32 * MiB, ge=1024)
    """Bytes of one config, .dvc or dvc.lock file read; a bigger file (or /dev/zero) is refused."""
    config_nodes: int = Field(default=200_000, ge=100)
    """Values (mappings, lists, scalars) in one config file once YAML aliases are expanded (billion laughs)."""
    config_depth: int = Field(default=200, ge=8, le=900)
    """Nesting depth of one config file."""
    regex_seconds: float = Field(default=2.0, gt=0, le=600)
    """Seconds one match of a search regex RE2 cannot run (lookaround, backreferences) may take on one stretch
    of text; past it the search stops with a message (a backtracking regex can take exponential time)."""
    git_objects: int = Field(default=500_000, ge=100)
    """Git objects one view of a repository reads (tags, commits touching DVC files, the DVC file versions
    they hold); a repository past it is refused before the objects are read."""
    gzip_bytes: int = Field(default=2 * 1024 * MiB, ge=MiB)
    """Bytes a .gz log may inflate to."""
    gzip_ratio: int = Field(default=200, ge=10)
    """Times its own size a .gz log may inflate to (text compresses 5-20x; a gzip bomb 1000x)."""
