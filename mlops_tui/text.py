"""Untrusted text (log lines, labels, config values) made safe to print: control characters (ANSI/OSC
escapes, NUL, BEL, bidi overrides...) become visible placeholders, long text is cut with a count.

Plain Python, used by the CLI and by the UI floor (widgets/text.py adds Rich rendering on top).
"""

from __future__ import annotations

import re

_ACTIVE_ABOVE_C0 = "\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
"""DEL, C1 controls (U+009B is a CSI), line/paragraph separators and bidi overrides: they act on a terminal."""
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f{_ACTIVE_ABOVE_C0}]")
_ACTIVE_IN_JSON = re.compile(f"[{_ACTIVE_ABOVE_C0}]")


def escape_json_text(text: str) -> str:
    """JSON text (json.dumps escapes C0 controls itself) with the rest of what acts on a terminal as \\u escapes."""
    return _ACTIVE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ ␁ ... ␛: control pictures
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\u{code:04x}"


def sanitize(value: object, limit: int | None = None) -> str:
    """value as a printable one-or-more-line string: control characters made visible, cut at limit."""
    text = value if isinstance(value, str) else str(value)
    if limit is not None and len(text) > limit:
        text = text[:limit] + f"… [{len(text) - limit:,} more chars]"
    return _CONTROL.sub(_visible, text.replace("\t", "    "))


def one_line(value: object, limit: int | None = None) -> str:
    """sanitize, and a newline shown as ␊: for a table cell, where a line break would make two rows of one
    (a process started with a newline in its arguments)."""
    return sanitize(value, limit).replace("\n", "\u240a")
