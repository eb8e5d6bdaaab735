"""Untrusted text (log lines, labels, config values) rendered literally.

Rich markup is never parsed, and control characters (ANSI/OSC escapes, NUL, BEL...) are replaced
by visible placeholders so no sequence from data reaches the terminal.
"""

from __future__ import annotations

import re

from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


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


def literal(value: object, style: str = "", limit: int | None = None) -> Text:
    """A Rich Text that shows value exactly, never as markup or escape sequences."""
    return Text(sanitize(value, limit), style=style, no_wrap=False)
