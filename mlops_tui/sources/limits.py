"""The bounds in force for this process (settings `limits:`), read by every reader of untrusted input.

They are process-wide, like Python's own `sys.setrecursionlimit` or `csv.field_size_limit`: a bound must
hold in every reader (a log line cut in the pane and in the CLI alike, an HTTP answer refused in every
backend), and threading it through each constructor would leave some reader on the defaults. The CLI and
the app call `configure(settings.limits)` once the settings are read; until then the defaults hold.
"""

from __future__ import annotations

import os
import stat

from mlops_tui.settings.limits import LimitsSettings

_current = LimitsSettings()


def current() -> LimitsSettings:
    """The limits in force."""
    return _current


def configure(limits: LimitsSettings) -> LimitsSettings:
    """Put limits in force; returns the previous ones (tests restore them)."""
    global _current
    previous, _current = _current, limits
    return previous


class OverLimit(ValueError):
    """Input past one of the limits; str() is the message, naming the limit's settings key."""


def check_tree(data: object) -> None:
    """Raise OverLimit when parsed config data nests deeper than limits.config_depth or holds more than
    limits.config_nodes values counted as a reader walks them: YAML aliases counted each time they are
    used, so a billion-laughs file (kilobytes that expand to 10**9 values) is refused in milliseconds."""
    bound = current()
    stack = [(data, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > bound.config_nodes:
            raise OverLimit(f"more than {bound.config_nodes:,} values once YAML aliases are expanded "
                            "(limits.config_nodes); not a config")
        if depth > bound.config_depth:
            raise OverLimit(f"nested deeper than {bound.config_depth} levels (limits.config_depth); not a config")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def check_config_size(size: int) -> None:
    """Raise OverLimit for a config, .dvc or dvc.lock file of more than limits.config_file_bytes."""
    bound = current().config_file_bytes
    if size > bound:
        raise OverLimit(f"larger than {bound:,} bytes (limits.config_file_bytes)")


def read_config_file(path: str) -> bytes:
    """The bytes of a regular file of at most limits.config_file_bytes. A FIFO, a device (/dev/zero never
    ends) or a directory is refused before it is read (OverLimit/IsADirectoryError); OSError otherwise."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO would block a plain open
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "is a directory")
        if not stat.S_ISREG(mode):
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"
            raise OverLimit(f"{kind}, not a config file")
        os.set_blocking(fd, True)
        bound = current().config_file_bytes
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(bound + 1)  # the file may grow between a stat and the read
        check_config_size(len(data))
        return data
    finally:
        os.close(fd)


def check_yaml_events(text: str) -> None:
    """Raise OverLimit when YAML text holds more than limits.config_nodes values, counted on libyaml's
    event stream before anything is built (a dvc.lock of 100,000 stages took minutes and GBs to build)."""
    import yaml

    bound = current().config_nodes
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    seen = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            seen += 1
            if seen > bound:
                raise OverLimit(f"more than {bound:,} values (limits.config_nodes); not read")
