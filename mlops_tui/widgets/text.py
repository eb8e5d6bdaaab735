"""Untrusted text rendered literally in widgets: Rich markup is never parsed, and `sanitize` (see
mlops_tui/text.py) makes control characters visible so no sequence from data reaches the terminal.
"""

from __future__ import annotations

from rich.text import Text

from mlops_tui.text import sanitize

__all__ = ["literal", "sanitize"]


def literal(value: object, style: str = "", limit: int | None = None) -> Text:
    """A Rich Text that shows value exactly, never as markup or escape sequences."""
    return Text(sanitize(value, limit), style=style, no_wrap=False)
