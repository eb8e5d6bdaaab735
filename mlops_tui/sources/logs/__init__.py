"""Log records from files (and later Elasticsearch/OpenSearch) behind one interface, `LogSource`.

- `record`: `LogRecord` and the normalised `Level` (trace < debug < info < notice < warn < error < critical).
- `formats`: detection and parsers (JSON lines/ECS, logfmt, Python logging, syslog 3164/5424,
  Apache/nginx access and error, log4j/Java/Spark/Hadoop, Docker/Kubernetes wrappers with CRI partial
  lines, Android logcat brief, custom regex), and last the format fitted to the file by `header`:
  "timestamp, level, message" for everything else (logcat threadtime, Windows CBS, HDFS, Zookeeper,
  OpenStack, BGL RAS, HPC (epoch in the fifth column), Proxifier, HealthApp, glog, ...).
- `timestamps`: every common timestamp shape, sniffed once per file (`sniff`), year-less ones dated from
  the file's modification time. Levels come from the header only; an unknown level passes the loosest
  level filters (`record.level_passes`).
- `base`: the abstract `LogSource` the view and the CLI use; `files.FileSource` and
  `merge.MergedSource` implement it.
- `query`: searches (literal, case-insensitive, regex, level, time window, field filters).
- `patterns`: records grouped into templates (Drain), mined in chunks; `PatternFilter` for the view.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Sequence

from mlops_tui.sources.logs.base import Hit, LogSource
from mlops_tui.sources.logs.files import FileSource
from mlops_tui.sources.logs.formats import LogFormat, custom_format
from mlops_tui.sources.logs.merge import MergedSource
from mlops_tui.sources.logs.query import FieldFilter, Mode, Query, QueryError
from mlops_tui.sources.logs.record import Level, LogRecord, parse_level


class LogOpenError(OSError):
    """No file could be opened; the message says which and why."""


def expand(patterns: Iterable[str]) -> list[str]:
    """Paths from file names and globs (`~` expanded), in order, without duplicates; a plain name that
    does not exist is kept so opening it reports the error; an existing file is itself even when its name
    looks like a glob."""
    out: list[str] = []
    for pattern in patterns:
        pattern = os.path.expanduser(pattern)
        # a file whose own name holds [ ] * ? (app[1].log) is that file, not a glob matching nothing
        magic = glob.has_magic(pattern) and not os.path.lexists(pattern)
        matches = sorted(glob.glob(pattern)) if magic else [pattern]
        if not matches:
            raise LogOpenError(f"no file matches {pattern!r}")
        for path in matches:
            if path not in out:
                out.append(path)
    return out


def custom_formats(settings_formats: Sequence) -> list[LogFormat]:
    """LogFormats from settings' `logs.formats`; raises QueryError naming the bad regex."""
    import re

    out = []
    for number, item in enumerate(settings_formats):
        try:
            out.append(custom_format(item.name, item.regex, item.timestamp_format))
        except re.error as exc:
            raise QueryError(f"logs.formats.{number}.regex: {exc}") from None
    return out


def open_files(patterns: Iterable[str], formats: Sequence[LogFormat] = (), follow: bool = True) -> LogSource:
    """One source for the given files: a FileSource, or a MergedSource labelled per file. Raises LogOpenError."""
    paths = expand(patterns)
    if not paths:
        raise LogOpenError("no log files given")
    sources: list[LogSource] = []
    try:
        for path in paths:
            try:
                sources.append(FileSource(path, formats=formats, follow=follow))
            except OSError as exc:
                raise LogOpenError(f"cannot open {path}: {exc.strerror or exc}") from None
    except LogOpenError:
        for source in sources:
            source.close()
        raise
    if len(sources) == 1:
        return sources[0]
    return MergedSource(sources)


__all__ = [
    "FieldFilter", "FileSource", "Hit", "Level", "LogFormat", "LogOpenError", "LogRecord", "LogSource",
    "MergedSource", "Mode", "Query", "QueryError", "custom_formats", "expand", "open_files", "parse_level",
]
