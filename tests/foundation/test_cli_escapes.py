"""What the command line prints from untrusted names and values cannot act on the terminal."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import run_cli

TITLE_ESCAPE = "\x1b]0;pwned\x07"


def test_a_file_name_with_an_escape_is_printed_visibly_in_an_error(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("a: 1\n")
    result = run_cli(["config", "diff", f"a{TITLE_ESCAPE}.yaml", "b.yaml"], cwd=tmp_path)
    assert result.returncode != 0
    assert "a" in result.stderr and "pwned" in result.stderr  # the name is still there to read
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_json_output_escapes_c1_controls_and_bidi_overrides(tmp_path: Path) -> None:
    hostile = "run\u009b2J\u009d0;x\u202egpj.exe"
    (tmp_path / "a.yaml").write_text("name: plain\n")
    (tmp_path / "b.yaml").write_text(json.dumps({"name": hostile}))
    result = run_cli(["config", "diff", "a.yaml", "b.yaml", "--json"], cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    for raw in ("\u009b", "\u009d", "\u202e"):
        assert raw not in result.stdout
    assert "\\u009b" in result.stdout and "\\u202e" in result.stdout
    assert hostile in json.dumps(json.loads(result.stdout), ensure_ascii=False)  # the value itself is intact
