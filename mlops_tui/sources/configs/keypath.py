"""Key paths such as `trainer.callbacks[0].patience`: tuples of keys and list positions, and their text."""

from __future__ import annotations

import re
from collections.abc import Mapping

KeyPath = tuple  # of str (mapping keys), int (list positions) and ListKey (list items matched by identity)

_PLAIN = re.compile(r"^[A-Za-z_][\w\-]*$")


class ListKey(str):
    """A list item matched by an identity field: shown as `[name=early_stopping]`."""


def format_path(path: KeyPath) -> str:
    """The text of a key path; keys that are not plain identifiers are quoted."""
    out: list[str] = []
    for part in path:
        if isinstance(part, ListKey):
            out.append(f"[{part}]")
        elif isinstance(part, int) and not isinstance(part, bool):
            out.append(f"[{part}]")
        else:
            text = str(part)
            if not _PLAIN.match(text):
                text = "[" + repr(text) + "]"
                out.append(text)
                continue
            out.append(("." if out else "") + text)
    return "".join(out) or "<root>"


def last_key(path: KeyPath) -> str:
    """The nearest mapping key of a path (what decides whether a value is a secret)."""
    for part in reversed(path):
        if isinstance(part, str) and not isinstance(part, ListKey):
            return part
    return ""


SHOWN_LIMIT = 2000


def mask_at(path: KeyPath, value: object) -> object:
    """value as shown at path: masked when the key names a secret or the value looks like one.

    Strings longer than SHOWN_LIMIT are cut first (nobody reads a 10 MB value, and masking scans it)."""
    from mlops_tui.secrets import is_secret_key, looks_like_secret, mask_value, MASK

    if isinstance(value, str) and len(value) > SHOWN_LIMIT:
        if is_secret_key(last_key(path)) or looks_like_secret(value):
            return MASK
        value = value[:SHOWN_LIMIT] + f"… [{len(value) - SHOWN_LIMIT:,} more chars]"
    return mask_value(last_key(path), value)


def mask_deep(path: KeyPath, value: object) -> object:
    """value with every leaf as shown at its path (mask_at), for whole subtrees."""
    if isinstance(value, Mapping):
        return {k: mask_deep((*path, k), v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_deep(path, v) for v in value]
    return mask_at(path, value)
