"""Hostile log content: markup, escape sequences, NUL, invalid UTF-8, huge lines, binary files."""

from __future__ import annotations

import os

from mlops_tui.sources.logs import FileSource, Query
from mlops_tui.widgets.text import sanitize

HOSTILE = (
    b"[bold red]not markup[/] [link=http://x]y[/link]\n"
    b"\x1b[2J\x1b[Hclear screen \x1b]0;pwned title\x07 \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\\n"
    b"nul\x00byte and bell\x07\n"
    b"bad utf8 \xff\xfe\xc3( end\n"
)


def test_hostile_lines_are_read_as_text_and_made_harmless(write):
    source = FileSource(write("hostile.log", HOSTILE))
    source.refresh()
    rows = source.rows(0, 4)
    assert rows[0].raw == "[bold red]not markup[/] [link=http://x]y[/link]"
    assert "\x1b" in rows[1].raw  # kept in the record, exactly as written
    shown = [sanitize(r.raw) for r in rows]
    assert all("\x1b" not in s and "\x00" not in s and "\x07" not in s for s in shown)
    assert shown[1].startswith("␛[2J␛[Hclear screen")
    assert shown[2] == "nul␀byte and bell␇"
    assert rows[3].raw == "bad utf8 \ufffd\ufffd\ufffd( end"
    assert [h.row for h in source.search(Query("pwned"))] == [1]
    source.close()


def test_ten_megabyte_line_is_cut_for_display_and_whole_in_detail(write):
    big = "2023-11-07 10:00:00,000 - app - INFO - " + "x" * (10 * 1024 * 1024)
    source = FileSource(write("big.log", big + "\n2023-11-07 10:00:01,000 - app - INFO - next line\n"))
    source.refresh()
    assert source.row_count() == 2
    row = source.rows(0, 1, limit=4096)[0]
    assert row.truncated and len(row.raw) == 4096
    assert source.rows(1, 1, limit=4096)[0].message == "next line"
    assert len(source.record_at(0).raw) == len(big)
    assert [h.row for h in source.search(Query("next line"))] == [1]
    source.close()


def test_binary_file_opens_as_plain_lines_without_error(write):
    data = os.urandom(256 * 1024)
    source = FileSource(write("model.bin", data))
    source.refresh()
    assert source.format.name == "plain"
    assert source.row_count() == data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    for record in source.rows(0, 50, limit=200):
        assert "\x00" not in sanitize(record.raw) and "\x1b" not in sanitize(record.raw)
    source.count(Query("zz"))
    source.close()
