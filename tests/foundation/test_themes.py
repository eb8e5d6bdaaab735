"""Theme files: every shipped theme loads; a broken one is refused with its file and key, before any paint."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_tui.themes import DEFAULT_THEME, ThemeError, load_themes


def test_shipped_themes_load_and_include_the_default() -> None:
    themes = load_themes()
    assert {"mlops-dark", "mlops-light", "mlops-mono"} <= set(themes)
    assert DEFAULT_THEME in themes
    assert themes["mlops-light"].dark is False and themes["mlops-mono"].primary == "#FFFFFF"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\nprimary = "#12345"\n', "primary: not a colour: '#12345'"),
        ('name = "x"\nprimary = "#123456"\nerror = 12\n', "error: not a colour: 12"),
        ('name = "x"\nprimary = "#123456"\ncolour = "red"\n', "unknown keys: ['colour']"),
        ('name = "x"\nprimary = \n', "Invalid value"),
    ],
)
def test_broken_theme_file_names_file_and_problem(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "broken.toml").write_text(text)
    with pytest.raises(ThemeError) as caught:
        load_themes(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'broken.toml'}: ")
    assert message in str(caught.value)
