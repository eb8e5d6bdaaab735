"""Untrusted text and secrets: shown literally, never as markup or escape sequences."""

from __future__ import annotations

from rich.console import Console

from mlops_tui.secrets import MASK, is_secret_key, looks_like_secret, mask_tree
from mlops_tui.widgets.text import literal, sanitize


def render(text) -> str:
    console = Console(width=200, color_system="truecolor", force_terminal=True, record=True)
    with console.capture() as capture:
        console.print(text)
    return capture.get()


def test_markup_is_shown_not_applied() -> None:
    out = render(literal("[bold red]boom[/] [link=http://evil]x[/link]"))
    assert "[bold red]boom[/]" in out
    assert "\x1b]8;" not in out  # no hyperlink escape


def test_escape_sequences_become_visible_placeholders() -> None:
    line = "ok\x1b[2J\x1b]0;pwned\x07\x00\r end\x9b"
    shown = sanitize(line)
    assert shown == "ok␛[2J␛]0;pwned␇␀␍ end\\u009b"
    out = render(literal(line))
    assert "\x1b[2J" not in out and "\x1b]0;" not in out and "\x00" not in out and "\x07" not in out


def test_long_lines_are_cut_with_a_count() -> None:
    shown = sanitize("x" * 10_000_000, limit=100)
    assert shown == "x" * 100 + "… [9,999,900 more chars]"


def test_bidi_overrides_are_neutralised() -> None:
    assert sanitize("abc\u202edef") == "abc\\u202edef"


def test_secret_keys_and_values() -> None:
    assert is_secret_key("password") and is_secret_key("ES_API_KEY") and is_secret_key("aws_secret_access_key")
    assert not is_secret_key("tokenizer") and not is_secret_key("max_tokens") and not is_secret_key("learning_rate")
    assert looks_like_secret("ghp_" + "a" * 36)
    assert looks_like_secret("AKIAIOSFODNN7EXAMPLE")
    assert not looks_like_secret("resnet50")
    masked = mask_tree({"db": {"password": "p", "host": "h"}, "url": "postgres://u:pw@h/db",
                        "tags": ["AKIAIOSFODNN7EXAMPLE", "x"], "tokenizer": "bert"})
    assert masked == {"db": {"password": MASK, "host": "h"}, "url": f"postgres://u:{MASK}@h/db",
                      "tags": [MASK, "x"], "tokenizer": "bert"}
