"""The alert history file: what `alerts watch` records, read back by `alerts history`, and two processes
writing to it at once."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from support.cli import run_cli

from mlops_tui.sources.alerts.history import AlertHistory, Notification, history_file
from mlops_tui.sources.alerts.rules import AlertState, Change

WRITER = """
import sys, time
from pathlib import Path
from mlops_tui.sources.alerts.history import AlertHistory
from mlops_tui.sources.alerts.rules import AlertState, Change
name, count, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
store = AlertHistory()
(go.parent / f"ready-{name}").touch()
while not go.exists():
    time.sleep(0.005)
for i in range(count):
    store.record_changes([Change(name, (("i", str(i)),), AlertState.INACTIVE, AlertState.PENDING, 1000.0 + i, i)])
store.close()
"""


def test_two_processes_writing_at_once_lose_nothing_and_leave_a_sound_file(tmp_path: Path):
    go = tmp_path / "go"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, name, "300", str(go)], env=os.environ.copy(),
                                stderr=subprocess.PIPE, text=True) for name in ("tui", "watch")]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{name}").exists() for name in ("tui", "watch")):
        dead = [w.stderr.read() for w in writers if w.poll() is not None]
        assert time.monotonic() < deadline and not dead, f"a writer did not start: {dead}"
        time.sleep(0.01)
    go.touch()  # both have the file open: they now write at the same time
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    store = AlertHistory()
    rows = store.changes()
    store.close()
    assert sorted((c.rule for c in rows)).count("tui") == 300
    assert sorted((c.rule for c in rows)).count("watch") == 300
    with sqlite3.connect(history_file()) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_history_cli_shows_changes_and_notifications_since(tmp_path: Path):
    store = AlertHistory()
    now = time.time()
    store.record_changes([
        Change("old one", (), AlertState.INACTIVE, AlertState.FIRING, now - 7200, 1.0),
        Change("api errors", (("service", "api"),), AlertState.PENDING, AlertState.FIRING, now - 60, 15.0),
        Change("api errors", (("service", "api"),), AlertState.FIRING, AlertState.INACTIVE, now - 30, 2.0),
    ])
    store.record_notification(Notification(now - 59, "ops-slack", "api errors", "firing", 1, False, 4, "HTTP 500"))
    store.record_notification(Notification(now - 58, "sms", "api errors", "firing", 1, False, 0, "rate limit"))
    store.close()

    result = run_cli(["alerts", "history", "--since", "1h"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line.split("  ", 1)[1] for line in result.stdout.splitlines()]
    assert lines == [
        "firing   api errors value 15  service=api (was pending)",
        "notify   ops-slack: firing api errors (1 alert) FAILED after 4 attempts: HTTP 500",
        "notify   sms: firing api errors (1 alert) NOT SENT: rate limit",
        "resolved api errors value 2  service=api (was firing)",
    ]

    as_json = json.loads(run_cli(["alerts", "history", "--since", "3h", "--json"], cwd=tmp_path).stdout)
    assert [c["rule"] for c in as_json["changes"]] == ["old one", "api errors", "api errors"]
    assert as_json["notifications"][0]["detail"] == "HTTP 500"


def test_history_with_a_bad_since_is_a_usage_error(tmp_path: Path):
    result = run_cli(["alerts", "history", "--since", "yesterday-ish"], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("mlops-tui: --since: not a time: 'yesterday-ish'")


def test_a_history_file_that_is_not_a_database_is_a_message_not_a_traceback(tmp_path: Path):
    history_file().parent.mkdir(parents=True, exist_ok=True)
    history_file().write_bytes(b"this is not sqlite\n" * 100)
    for args in (["alerts", "history"], ["alerts", "watch"]):
        result = run_cli(args, cwd=tmp_path)
        assert result.returncode == 3, result.stdout + result.stderr
        assert result.stderr == f"mlops-tui: alert history {history_file()}: file is not a database\n"
