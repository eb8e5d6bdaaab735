"""Following a file while it grows and rotates, the way logrotate and loggers really do it."""

from __future__ import annotations

import os
import shutil

from mlops_tui.sources.logs import FileSource


def lines_of(source: FileSource) -> list[str]:
    return [r.raw for r in source.rows(0, source.row_count())]


def append(path, *lines: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in lines))


def test_appended_lines_are_picked_up(tmp_path):
    path = tmp_path / "app.log"
    append(path, "one", "two")
    source = FileSource(path)
    source.refresh()
    assert lines_of(source) == ["one", "two"]
    append(path, "three")
    assert source.refresh() is True
    assert lines_of(source) == ["one", "two", "three"]
    assert source.refresh() is False
    source.close()


def test_partial_last_line_is_completed_not_repeated(tmp_path):
    path = tmp_path / "app.log"
    path.write_text("one\ntw")
    source = FileSource(path)
    source.refresh()
    assert lines_of(source) == ["one", "tw"]
    with open(path, "a") as handle:
        handle.write("o\nthree\n")
    source.refresh()
    assert lines_of(source) == ["one", "two", "three"]
    source.close()


def test_rename_and_create_rotation_loses_and_repeats_nothing(tmp_path):
    path = tmp_path / "app.log"
    append(path, "a1", "a2")
    source = FileSource(path)
    source.refresh()
    append(path, "a3")  # written before the rotation, not yet read
    os.rename(path, tmp_path / "app.log.1")
    with open(tmp_path / "app.log.1", "a") as old:
        old.write("a4\n")  # the logger still holds the old file open for a moment
    append(path, "b1", "b2")  # the new file
    source.refresh()
    assert lines_of(source) == ["a1", "a2", "a3", "a4", "b1", "b2"]
    append(path, "b3")
    source.refresh()
    assert lines_of(source) == ["a1", "a2", "a3", "a4", "b1", "b2", "b3"]
    assert source.rotations == 1
    source.close()


def test_copy_truncate_rotation_loses_and_repeats_nothing(tmp_path):
    path = tmp_path / "app.log"
    append(path, "a1", "a2")
    source = FileSource(path)
    source.refresh()
    append(path, "a3")  # not read before logrotate copies and truncates
    shutil.copyfile(path, tmp_path / "app.log.1")
    with open(path, "r+") as handle:
        handle.truncate(0)
    append(path, "b1")
    source.refresh()
    assert lines_of(source) == ["a1", "a2", "a3", "b1"]
    append(path, "b2")
    source.refresh()
    assert lines_of(source) == ["a1", "a2", "a3", "b1", "b2"]
    assert source.rotations == 1 and source.error is None
    source.close()


def test_copy_truncate_without_the_copy_says_so(tmp_path):
    path = tmp_path / "app.log"
    append(path, "a1", "a2")
    source = FileSource(path)
    source.refresh()
    with open(path, "r+") as handle:
        handle.truncate(0)
    append(path, "b1")
    source.refresh()
    assert lines_of(source)[-1] == "b1"
    assert "truncated" in source.status().reason
    source.close()


def test_gzip_file_is_read_whole(tmp_path):
    import gzip

    path = tmp_path / "old.log.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("".join(f"2023-11-07 10:15:{i:02d},000 - app - INFO - line {i}\n" for i in range(50)))
    source = FileSource(path)
    while not source.complete:
        source.refresh(1024)
    source.refresh()
    assert source.row_count() == 50
    assert source.rows(49, 1)[0].message == "line 49"
    assert source.format.name == "python"
    temp = source.segments[0].path
    source.close()
    assert not os.path.exists(temp)


def test_corrupt_gzip_is_reported_not_raised(tmp_path):
    import gzip

    data = gzip.compress(b"line\n" * 1000)
    path = tmp_path / "broken.log.gz"
    path.write_bytes(data[: len(data) // 2])
    source = FileSource(path)
    source.refresh()
    assert source.complete
    assert "gzip" in source.status().reason
    source.close()


def test_index_of_many_lines_finds_each_line(tmp_path):
    path = tmp_path / "big.log"
    path.write_text("".join(f"line {i:06d} " + "x" * (i % 97) + "\n" for i in range(60000)))
    source = FileSource(path)
    while not source.complete:
        source.refresh(100_000)
    assert source.row_count() == 60000
    for row in (0, 1, 16383, 16384, 33333, 59999):
        assert source.rows(row, 1)[0].raw.startswith(f"line {row:06d} ")
    assert [r.raw[:11] for r in source.rows(59998, 5)] == ["line 059998", "line 059999"]
    source.close()


def test_copy_truncate_noticed_even_when_the_new_file_outgrew_the_old(tmp_path):
    path = tmp_path / "app.log"
    append(path, "a1")
    source = FileSource(path)
    source.refresh()
    shutil.copyfile(path, tmp_path / "app.log.1")
    with open(path, "r+") as handle:
        handle.truncate(0)
    append(path, "b1 a longer line", "b2")
    source.refresh()
    assert lines_of(source) == ["a1", "b1 a longer line", "b2"]
    source.close()
