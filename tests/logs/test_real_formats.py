"""Formats of well-known systems (loghub's shapes, see samples/README.md): the timestamp of every record to
the exact instant, the level from the header only, multi-line records whole, and level filters exact."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from mlops_tui.sources.logs import Level, Query, open_files
from mlops_tui.sources.logs.record import level_passes

SAMPLES = Path(__file__).parent / "samples"
JAN_2017 = datetime(2017, 1, 5, 12, 0).timestamp()  # the file time year-less stamps take their year from


def when(text: str) -> datetime:
    """An expected instant: naive text is local time (the file says no zone), like the parser's."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.astimezone()


def records(source):
    return [r for r in source.rows(0, source.row_count()) if not r.continuation]


CASES = {
    "android-threadtime.log": ("logcat", [  # March in a file written in January 2017: March 2016
        ("2016-03-17 16:13:38.811", "debug"), ("2016-03-17 16:13:38.819", "debug"), ("2016-03-17 16:13:38.839", "trace"),
        ("2016-03-17 16:13:38.928", "info"), ("2016-03-17 16:13:38.935", "warn"), ("2016-03-17 16:13:45.466", "warn"),
        ("2016-03-17 16:13:45.466", "warn"), ("2016-03-17 16:13:47.518", "error"), ("2016-03-17 16:13:47.519", "critical"),
        ("2016-03-17 16:13:48.002", "info"),
    ]),
    "android-brief.log": ("logcat-brief", [(None, "debug"), (None, "info"), (None, "warn"), (None, "error"), (None, "trace")]),
    "windows-cbs.log": ("windows-cbs", [
        ("2016-09-28 04:30:30", "info"), ("2016-09-28 04:30:31", "info"), ("2016-09-28 04:30:31", "info"),
        ("2016-09-28 04:30:31", "info"), ("2016-09-28 04:30:31", "info"), ("2016-09-28 04:30:32", "info"),
        ("2016-09-28 04:30:35", "warn"), ("2016-09-28 04:30:36", "error"), ("2016-09-28 04:30:37", "info"),
    ]),
    "hdfs.log": ("hdfs", [
        ("2008-11-09 20:36:15", "info"), ("2008-11-09 20:38:07", "info"), ("2008-11-09 20:40:05", "info"),
        ("2008-11-09 20:41:06", "warn"), ("2008-11-09 20:41:32", "info"), ("2008-11-09 20:43:25", "error"),
    ]),
    "zookeeper.log": ("zookeeper", [
        ("2015-07-29 17:41:44.747", "info"), ("2015-07-29 19:04:12.394", "info"), ("2015-07-29 19:04:29.071", "warn"),
        ("2015-07-29 19:04:29.079", "warn"), ("2015-07-29 19:13:17.524", "error"), ("2015-07-29 19:13:18.101", "info"),
    ]),
    "openstack.log": ("openstack", [
        ("2017-05-16 00:00:00.008", "info"), ("2017-05-16 00:00:04.500", "info"), ("2017-05-16 00:00:05.185", "warn"),
        ("2017-05-16 00:00:10.978", "info"), ("2017-05-16 00:00:12.001", "error"),
    ]),
    "bgl.log": ("bgl-ras", [
        ("2005-06-03 15:42:50.675872", "info"), ("2005-06-03 16:47:20.730545", "info"), ("2005-06-04 00:24:32.432192", "critical"),
        ("2005-06-05 08:10:46.344235", "critical"), ("2005-06-08 16:02:20.600478", "info"), ("2005-06-11 17:32:07.581048", "critical"),
        ("2005-07-01 11:05:31.120732", "error"), ("2005-07-01 12:57:11.523451", "warn"),
    ]),
    "hpc.log": ("hpc", [  # the epoch in the fifth column; no level column ("action error" is a state, not one)
        *[("2004-02-26 14:12:22+00:00", None)] * 4, ("2004-02-26 14:12:23+00:00", None), ("2004-02-26 14:12:30+00:00", None),
        ("2004-02-26 14:13:21+00:00", None), ("2004-02-26 14:13:22+00:00", None), ("2004-02-26 14:13:23+00:00", None),
        ("2004-02-26 14:14:20+00:00", None), ("2004-02-26 14:15:00+00:00", None), ("2004-02-26 14:15:01+00:00", None),
    ]),
    "proxifier.log": ("proxifier", [
        ("2016-10-30 16:49:06", None), ("2016-10-30 16:49:07", None), ("2016-10-30 16:49:08", None),
        ("2016-10-30 17:37:53", None), ("2016-10-30 17:38:01", None),
    ]),
    "healthapp.log": ("healthapp", [
        ("2017-12-23 22:15:29.606", None), ("2017-12-23 22:15:29.615", None), ("2017-12-23 22:15:29.633", None),
        ("2017-12-23 22:15:29.635", None),
    ]),
    "thunderbird.log": ("text", [  # the epoch column is the instant; the syslog stamp after it has no year
        ("2005-11-09 20:01:01+00:00", None), ("2005-11-09 20:01:01+00:00", None), ("2005-11-09 20:01:02+00:00", None),
    ]),
    "linux-syslog.log": ("syslog", [  # December lines in a file last written in January are last year's
        ("2016-12-31 23:59:58", None), ("2016-12-31 23:59:59", None), ("2017-01-01 00:00:01", None), ("2017-01-01 00:00:02", None),
    ]),
    "python-demo.log": ("text", [("2026-12-01 23:41:50.120", "info"), ("2026-12-01 23:41:51.977", "error"), ("2026-12-01 23:41:53.004", "warn")]),
    "epoch.log": ("text", [("2023-11-14 22:13:20.250+00:00", "info"), ("2023-11-14 22:13:21.500+00:00", "error"), ("2023-11-14 22:13:22+00:00", "info")]),
    "glog.log": ("glog", [  # absl/glog (TensorFlow, PyTorch's c10): level letter, month and day, no year
        ("2016-11-29 10:15:30.123456", "info"), ("2016-11-29 10:15:31.000100", "warn"), ("2016-11-29 10:15:32.500", "error"),
        ("2016-11-29 10:15:33", "critical"), ("2016-11-29 10:15:34.250", "info"),
    ]),
    "hadoop-mapreduce.log": ("log4j", [
        ("2015-10-18 18:01:47.978", "info"), ("2015-10-18 18:01:48.963", "info"), ("2015-10-18 18:10:59.205", "warn"),
        ("2015-10-18 18:11:00.011", "error"), ("2015-10-18 18:11:01.117", "info"),
    ]),
}


@pytest.fixture
def sample_file(write):
    def sample_file(name: str) -> Path:
        path = write(name, (SAMPLES / name).read_bytes())
        os.utime(path, (JAN_2017, JAN_2017))
        return path

    return sample_file


@pytest.mark.parametrize("name", sorted(CASES))
def test_timestamps_and_levels_of_every_record(sample_file, opened, name):
    fmt, expected = CASES[name]
    source = opened(sample_file(name))
    assert source.format.name == fmt
    got = [(r.timestamp, r.level.label if r.level is not None else None) for r in records(source)]
    want = [(when(stamp) if stamp else None, level) for stamp, level in expected]
    assert got == want


@pytest.mark.parametrize("name", sorted(CASES))
def test_level_filter_counts_what_the_records_say(sample_file, opened, name):
    """The raw-byte level scan and the parsed records agree at every level, unknown levels included."""
    source = opened(sample_file(name))
    levels = [r.level for r in records(source)]
    for min_level in Level:
        query = Query("", min_level=min_level)
        expected = sum(1 for level in levels if level_passes(level, min_level))
        assert source.count(query) == expected, min_level
        assert sum(1 for _ in source.search(query)) == expected, min_level


def test_a_word_in_the_message_never_sets_the_level(sample_file, opened):
    cbs = records(opened(sample_file("windows-cbs.log")))
    assert "Failed to start upload" in cbs[2].message and cbs[2].level is Level.INFO
    assert cbs[3].message.startswith("CBS    SQM: Warning:") and cbs[3].level is Level.INFO
    bgl = records(opened(sample_file("bgl.log")))
    assert bgl[0].message == "instruction cache parity error corrected" and bgl[0].level is Level.INFO
    proxifier = records(opened(sample_file("proxifier.log")))
    assert "error : Could not connect" in proxifier[2].message and proxifier[2].level is None


def test_numbers_in_the_message_are_not_the_timestamp(write, opened):
    epoch = records(opened(write("epoch.log", (SAMPLES / "epoch.log").read_text())))
    assert epoch[0].timestamp == when("2023-11-14 22:13:20.250+00:00")  # not the 1699999999 in its message
    sentence = opened(write("notes.log", "job finished at 2023-11-07 10:15:30 after 3 tries\n" * 3))
    assert sentence.format.name == "plain" and sentence.rows(0, 1)[0].timestamp is None


def test_an_epoch_deep_in_a_line_never_beats_the_lines_own_stamp(write, opened):
    # a 10-digit id in the fifth column of a syslog line: the syslog stamp at its start is the time
    lines = [f"Jun 14 15:16:{n:02d} combo job {n} 17000000{n:02d} done\n" for n in range(10)]
    source = opened(write("jobs.log", "".join(lines)))
    assert source.rows(0, 1)[0].timestamp.strftime("%m-%d %H:%M:%S") == "06-14 15:16:00"
    hpc = opened(write("hpc.log", "".join(f"{n} node-{n} node status 10778047{n:02d} 1 running\n" for n in range(10))))
    assert hpc.format.name == "hpc" and [r.timestamp.second for r in hpc.rows(0, 3)] == [40, 41, 42]


def test_unknown_levels_are_kept_by_the_loosest_filter_only(sample_file, opened):
    source = opened(sample_file("proxifier.log"))
    assert source.count(Query("", min_level=Level.DEBUG)) == 5
    assert source.count(Query("", min_level=Level.INFO)) == 0
    assert source.count(Query("error")) == 1  # searching the text still finds it


@pytest.mark.parametrize(("name", "row", "first", "last", "level", "stamp"), [
    ("zookeeper.log", 11, 8, 14, Level.ERROR, "2015-07-29 19:13:17.524"),  # on `Caused by:` ... `... 3 more`
    ("hadoop-mapreduce.log", 9, 4, 10, Level.ERROR, "2015-10-18 18:11:00.011"),
    ("python-demo.log", 5, 2, 8, Level.ERROR, "2026-12-01 23:41:51.977"),
])
def test_stack_traces_are_one_record_with_the_first_lines_time_and_level(sample_file, opened, name, row, first, last, level, stamp):
    source = opened(sample_file(name))
    record = source.record_at(row)
    assert (record.line, record.end_line) == (first, last)
    assert record.level is level and record.timestamp == when(stamp)
    assert source.count(Query("", min_level=Level.ERROR)) == 1
    whole = [source.record_at(r.line - 1).raw for r in records(source)]
    assert source.count(Query("at ")) == sum(1 for raw in whole if "at " in raw)  # hits in one trace count once


def test_demo_errors_count_once_per_record(write, opened):
    source = opened(write("feature-store.log", (SAMPLES / "python-demo.log").read_text()))
    assert source.count(Query("", min_level=Level.ERROR)) == 1  # not once more for the traceback's last line
    assert source.count(Query("Error 111")) == 1


def test_files_of_different_shapes_merge_in_time_order(write, tmp_path):
    write("a-cbs.log", "2016-09-28 04:30:30, Info                  CBS    first\n"
                       "2016-09-28 04:30:33, Error                 CSI    fourth\n")
    write("b-hdfs.log", "160928 043031 148 INFO dfs.DataNode: second\n160928 043034 148 WARN dfs.DataNode: fifth\n")
    write("c-bgl.log", "- 1475037032 2016.09.28 R02-M1 2016-09-28-04.30.32.000100 R02-M1 RAS KERNEL FATAL third\n")
    source = open_files([str(tmp_path / "*.log")])
    while source.refresh() and not source.complete:
        pass
    rows = source.rows(0, source.row_count())
    assert [(r.source, r.message.split()[-1], r.level.label) for r in rows] == [
        ("a-cbs.log", "first", "info"), ("b-hdfs.log", "second", "info"), ("c-bgl.log", "third", "critical"),
        ("a-cbs.log", "fourth", "error"), ("b-hdfs.log", "fifth", "warn"),
    ]
    source.close()
