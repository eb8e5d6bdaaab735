"""Masking of secrets: by key name and by values that look like credentials."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "••••••"

_SECRET_WORDS = r"pass(?:word|wd|phrase)?|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential"
"""Key words that name a secret value; a key that only contains them (`db_password`) names one too."""
_SECRET_KEY = re.compile(rf"({_SECRET_WORDS}|auth|session[_-]?id|cookie|signature)", re.IGNORECASE)
_NOT_SECRET_KEY = re.compile(r"(^|_)(tokenizer|max_tokens|num_tokens|tokens?_per|author|auth_type|oauth_url)", re.IGNORECASE)
_TOKEN_SHAPES = (
    r"(?:sk|pk|rk)[-_](?:live|test|proj)?[-_]?[A-Za-z0-9]{16,}"  # sk-..., pk_live_...
    r"|gh[pousr]_[A-Za-z0-9]{30,}"  # GitHub tokens
    r"|xox[abprs]-[A-Za-z0-9-]{10,}"  # Slack tokens
    r"|AKIA[0-9A-Z]{16}"  # AWS access key id
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # JWT
    r"|hf_[A-Za-z0-9]{30,}"  # Hugging Face
)
_SECRET_VALUE = re.compile(rf"^(?:{_TOKEN_SHAPES}|-----BEGIN[ A-Z]*PRIVATE KEY-----.*)$", re.DOTALL)
# Bounded repeats: an unbounded scheme made this quadratic on long runs of letters (10 MB values).
_URL_PASSWORD = re.compile(
    r"(?P<scheme>\b[a-z][a-z0-9+.-]{0,30}://)(?P<user>[^:/@\s]{1,256}):(?P<password>[^@/\s]{1,256})@", re.IGNORECASE
)


def is_secret_key(key: object) -> bool:
    """A key whose value is a secret by its name (password, token, api_key...)."""
    text = str(key)
    return bool(_SECRET_KEY.search(text)) and not _NOT_SECRET_KEY.search(text)


def looks_like_secret(value: object) -> bool:
    """A value shaped like a credential whatever its key (API keys, JWTs, private keys)."""
    return isinstance(value, str) and bool(_SECRET_VALUE.match(value.strip()))


def mask_value(key: object, value: Any) -> Any:
    """The value to show for key: masked when secret, with passwords inside URLs masked too."""
    if value is None or value == "":
        return value
    if is_secret_key(key) and not isinstance(value, (Mapping, list, tuple, bool)):
        return MASK
    if looks_like_secret(value):
        return MASK
    if isinstance(value, str):  # a token inside a neutral key's value: `Bearer eyJ...`, a URL's password
        value = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", value)
        return _TOKEN_ANYWHERE.sub(MASK, _BEARER.sub(lambda m: f"{m[1]} {MASK}", value))
    return value


def mask_tree(data: Any, key: object = "") -> Any:
    """A copy of nested dicts/lists with every secret masked."""
    if isinstance(data, Mapping):
        return {k: mask_tree(v, k) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [mask_tree(v, key) for v in data]
    return mask_value(key, data)



_TOKEN_ANYWHERE = re.compile(rf"\b(?:{_TOKEN_SHAPES})\b")
_BEARER = re.compile(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
# `password = x`, `--api-key=x`, `"token": "x"`, `secret: x`: a secret-named key and the value after it.
_KEYED = re.compile(
    rf"(?P<key>[\w.-]{{0,40}}(?:{_SECRET_WORDS})[\w.-]{{0,40}})(?P<sep>[\"']?\s{{0,3}}[:=]\s{{0,3}}[\"']?)"
    r"(?P<value>[^\s\"',;&]{1,4096})",
    re.IGNORECASE,
)


def mask_text(text: str) -> str:
    """Free text (a command line, a traceback, an error message) with every secret it shows masked:
    passwords in URLs, values after secret-named keys or flags, bearer tokens, and credential-shaped tokens."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _BEARER.sub(lambda m: f"{m[1]} {MASK}", text)
    text = _KEYED.sub(lambda m: m["key"] + m["sep"] + (m["value"] if _NOT_SECRET_KEY.search(m["key"]) else MASK), text)
    return _TOKEN_ANYWHERE.sub(MASK, text)
