"""Several files as one stream ordered by timestamp, each record labelled with its file."""

from __future__ import annotations

from mlops_tui.sources.logs import Level, MergedSource, Query, open_files


def test_two_files_interleave_by_time_and_keep_tracebacks_whole(write, tmp_path):
    write("api.log", (
        "2023-11-07 10:00:00,000 - api - INFO - a0\n"
        "2023-11-07 10:00:02,000 - api - ERROR - a2\n"
        "Traceback (most recent call last):\n"
        "ValueError: bad\n"
        "2023-11-07 10:00:04,000 - api - INFO - a4\n"
    ))
    write("worker.log", (
        '{"time":"2023-11-07T10:00:01","level":"info","msg":"w1"}\n'
        '{"time":"2023-11-07T10:00:03","level":"warn","msg":"w3"}\n'
    ))
    source = open_files([str(tmp_path / "*.log")])
    assert isinstance(source, MergedSource)
    source.refresh()
    rows = source.rows(0, source.row_count())
    assert [(r.source, r.raw if r.continuation else r.message) for r in rows] == [
        ("api.log", "a0"), ("worker.log", "w1"), ("api.log", "a2"),
        ("api.log", "Traceback (most recent call last):"), ("api.log", "ValueError: bad"),
        ("worker.log", "w3"), ("api.log", "a4"),
    ]
    hits = list(source.search(Query("", min_level=Level.WARN)))
    assert [(h.row, h.record.source, h.record.message) for h in hits] == [(2, "api.log", "a2"), (5, "worker.log", "w3")]
    assert source.record_at(4).raw.endswith("ValueError: bad")

    with open(tmp_path / "worker.log", "a") as handle:
        handle.write('{"time":"2023-11-07T10:00:05","level":"error","msg":"w5"}\n')
    assert source.refresh() is True
    assert source.rows(source.row_count() - 1, 1)[0].message == "w5"
    source.close()


def test_merge_in_steps_gives_the_same_order(write, tmp_path):
    write("a.log", "".join(f"2023-11-07 10:{i // 60:02d}:{i % 60:02d},000 - a - INFO - a{i}\n" for i in range(0, 3000, 2)))
    write("b.log", "".join(f"2023-11-07 10:{i // 60:02d}:{i % 60:02d},000 - b - INFO - b{i}\n" for i in range(1, 3000, 2)))
    stepped = open_files([str(tmp_path / "a.log"), str(tmp_path / "b.log")])
    counts = []
    while not stepped.complete:
        stepped.refresh(1)  # 1,000 rows a step
        counts.append(stepped.row_count())
    assert len(counts) > 2 and counts == sorted(counts)
    assert "merging" not in stepped.status().reason
    messages = [r.message for r in stepped.rows(0, stepped.row_count())]
    assert messages == [f"{'ab'[i % 2]}{i}" for i in range(3000)]
    stepped.close()
