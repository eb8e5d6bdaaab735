"""Log patterns on a real-shaped HDFS DataNode log: the templates and counts drain3 itself finds, counts a grep
finds, records (stack traces included) counted once, times from the lines themselves, progressive mining."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from drain3.drain import Drain as Drain3

from mlops_tui.sources.logs import Level
from mlops_tui.sources.logs.patterns import Drain, mine_patterns

HDFS = Path(__file__).parent / "samples" / "patterns" / "hdfs-datanode.log"
LINES = HDFS.read_text().splitlines()
HEADER = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) (INFO|WARN) [\w.$]+: (.*)$")


def last(source, **kwargs):
    *_, final = mine_patterns(source, **kwargs)
    return final


def by_suffix(result, text):
    (pattern,) = [p for p in result.patterns if p.template.endswith(text)]
    return pattern


def test_templates_and_counts_are_drain3s(opened):
    """drain3 run on the messages of the file's header lines (split off by a regex here) finds the same
    templates with the same counts."""
    reference = Drain3()
    for line in LINES:
        match = HEADER.match(line)
        if match:
            reference.add_log_message(match.group(4))
    expected = sorted((c.size, c.get_template()) for c in reference.clusters)
    result = last(opened(HDFS, follow=False))
    assert result.done and result.progress == 1.0
    assert sorted((p.count, p.template) for p in result.patterns) == expected
    assert len(expected) == 9


def test_counts_share_level_and_times_from_the_lines(opened):
    result = last(opened(HDFS, follow=False))
    headers = [line for line in LINES if HEADER.match(line)]
    assert result.records == len(headers) == 1500 and result.rows == len(LINES)
    terminating = [line for line in headers if re.search(r"PacketResponder \d for block blk_-?\d+ terminating$", line)]
    pattern = by_suffix(result, "for block <*> terminating")
    assert pattern.template == "PacketResponder <*> for block <*> terminating"
    assert pattern.count == len(terminating) == 299
    assert abs(pattern.share - 299 / 1500) < 1e-9
    assert pattern.level is Level.INFO
    stamp = lambda line: datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=timezone.utc)
    assert pattern.first == stamp(terminating[0]) and pattern.last == stamp(terminating[-1])
    assert sum(pattern.histogram.counts) == 299 and len(pattern.histogram.counts) == 24
    warn = by_suffix(result, "exception while serving <*> to <*>")
    assert warn.level is Level.WARN and warn.count == sum(" WARN " in line for line in LINES) == 34
    assert result.patterns[0].count == sum("Receiving block" in line for line in LINES)
    assert [p.count for p in result.patterns] == sorted((p.count for p in result.patterns), reverse=True)


def test_rows_of_a_template_include_its_stack_traces(opened):
    result = last(opened(HDFS, follow=False))
    warn = by_suffix(result, "exception while serving <*> to <*>")
    rows = result.miner.rows({warn.id})
    expected = [n for n, line in enumerate(LINES) if " WARN " in line or line.startswith(("java.io", "\tat "))]
    assert list(rows) == expected and len(rows) == 34 * 4
    rest = result.miner.rows(None, frozenset({warn.id}))
    assert len(rest) == len(LINES) - len(expected) and not set(rest) & set(rows)


def test_progressive_snapshots_then_done(opened):
    source = opened(HDFS, follow=False)
    snapshots = list(mine_patterns(source, chunk=200, interval=0))
    assert len(snapshots) >= 8
    records = [s.records for s in snapshots]
    assert records == sorted(records) and records[0] < 1500 and records[-1] == 1500
    assert [s.done for s in snapshots] == [False] * (len(snapshots) - 1) + [True]
    assert all(0 < s.progress < 1 for s in snapshots[:-1])


def test_cancelled_stops_without_a_final_snapshot(opened):
    source = opened(HDFS, follow=False)
    seen = []
    for snapshot in mine_patterns(source, cancelled=lambda: len(seen) >= 2, chunk=100, interval=0):
        seen.append(snapshot)
    assert len(seen) == 2 and not seen[-1].done and seen[-1].records < 1500


def test_literal_placeholder_and_empty_messages_as_drain3():
    """Corner cases of the algorithm: a message that contains `<*>` itself, empty messages, one-token ones."""
    messages = ["a <*> c", "a b c", "a <*> d", "", "", "x", "y", "user 1 logged in", "user 2 logged out", "a b d"]
    ours, reference = Drain(), Drain3()
    ids = [ours.add(m.split()) for m in messages]
    clusters = [reference.add_log_message(m)[0].cluster_id - 1 for m in messages]
    assert ids == clusters
    assert [ours.template(i) for i in range(len(ours.templates))] == [c.get_template() for c in reference.clusters]


def test_patterns_of_merged_files_count_every_files_records(write, tmp_path):
    """Two files merged by time (one HDFS log split in two, their lines interleaved) mine to the templates and
    counts of the whole file; first and last seen span both files."""
    from mlops_tui.sources.logs import open_files

    # continuation lines stay with their record: split at record starts only
    a, b, turn = [], [], 0
    for line in LINES:
        if HEADER.match(line):
            turn ^= 1
        (a if turn else b).append(line)
    write("dn-a.log", "\n".join(a) + "\n")
    write("dn-b.log", "\n".join(b) + "\n")
    merged = open_files([str(tmp_path / "dn-*.log")], follow=False)
    while merged.refresh() and not merged.complete:
        pass
    whole = read_whole(write("whole.log", "\n".join(LINES) + "\n"))
    try:
        got, want = last(merged), last(whole)
        assert got.records == want.records == 1500
        assert sorted((p.count, p.template, p.first, p.last) for p in got.patterns) == \
            sorted((p.count, p.template, p.first, p.last) for p in want.patterns)
    finally:
        merged.close()
        whole.close()


def test_patterns_of_a_rotated_file_count_both_generations(write, tmp_path):
    """The file is renamed away (logrotate's create) and written anew while followed: the patterns count the
    records of the old generation and of the new one."""
    import os

    half = next(i for i in range(len(LINES) // 2, len(LINES)) if HEADER.match(LINES[i]))
    path = write("dn.log", "\n".join(LINES[:half]) + "\n")
    source = read_whole(path, follow=True)
    try:
        before = last(source)
        os.rename(path, tmp_path / "dn.log.1")
        write("dn.log", "\n".join(LINES[half:]) + "\n")
        while source.refresh() and not source.complete:
            pass
        assert source.rotations == 1
        after = last(source)
        assert before.records < after.records == 1500
        whole = read_whole(write("whole.log", "\n".join(LINES) + "\n"))
        assert sorted((p.count, p.template) for p in after.patterns) == sorted((p.count, p.template) for p in last(whole).patterns)
        whole.close()
    finally:
        source.close()


def read_whole(path, follow=False):
    from mlops_tui.sources.logs import FileSource

    source = FileSource(path, follow=follow)
    while source.refresh() and not source.complete:
        pass
    source.refresh()
    return source
