"""The bounds in force for this process (settings `limits:`), read by every reader of untrusted input.

They are process-wide, like Python's own `sys.setrecursionlimit` or `csv.field_size_limit`: a bound must
hold in every reader (a log line cut in the pane and in the CLI alike, an HTTP answer refused in every
backend), and threading it through each constructor would leave some reader on the defaults. The CLI and
the app call `configure(settings.limits)` once the settings are read; until then the defaults hold.
"""

from __future__ import annotations

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
