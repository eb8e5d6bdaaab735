"""`mlops-tui alerts watch` and `alerts test` as a user runs them: a real log file, a real HTTP receiver on
127.0.0.1 (stand-in for a webhook receiver), the history file, and a real SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from support.cli import run_cli
from support.receivers import http_receiver

from mlops_tui.sources.alerts.history import AlertHistory


def settings(folder: Path, url: str) -> None:
    (folder / "mlops-tui.yaml").write_text(f"""
alerts:
  interval: 1s
  rules:
    - name: api errors
      kind: log
      source: files
      expr: 'level>=error'
      threshold: 3
      window: 10m
      severity: critical
      summary: "{{{{ $value }}}} errors"
  channels:
    - kind: webhook
      name: hook
      url: {url}
      retries: 0
""")
    now = datetime.now(timezone.utc)
    (folder / "logs").mkdir(exist_ok=True)
    lines = [json.dumps({"timestamp": (now - timedelta(seconds=5 * i)).isoformat(), "level": "error",
                         "message": f"boom {i}"}) for i in range(5, 0, -1)]
    (folder / "logs" / "app.log").write_text("\n".join(lines) + "\n")


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout:g}s waiting for {what}"
        time.sleep(0.05)


def notifications() -> list:
    history = AlertHistory()
    try:
        return history.notifications()
    finally:
        history.close()


def test_watch_notifies_records_and_stops_cleanly_on_sigterm(tmp_path: Path):
    with http_receiver() as receiver:
        settings(tmp_path, receiver.url + "/hook/SECRET")
        watcher = subprocess.Popen([sys.executable, "-m", "mlops_tui", "alerts", "watch"], cwd=tmp_path,
                                   env={**os.environ, "NO_COLOR": "1"}, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: receiver.requests or watcher.poll() is not None, 60, "the first notification")
            wait_for(lambda: len(notifications()) == 1, 10, "the notification in the history")
            watcher.send_signal(signal.SIGTERM)
            out, err = watcher.communicate(timeout=30)
        finally:
            if watcher.poll() is None:
                watcher.kill()
    assert watcher.returncode == 0, err
    lines = out.splitlines()
    assert lines[0] == "watching 1 rule every 1s, notifying hook; SIGTERM or Ctrl-C stops"
    # With `for: 0s` the alert passes through pending and fires at the same evaluation, as in Prometheus.
    assert lines[1] == f"this process ({socket.gethostname()}:{watcher.pid}) records and notifies"
    assert [line.split("  ", 1)[1] for line in lines[2:5]] == [
        "pending  api errors value 5 (was inactive)", "firing   api errors value 5 (was pending)",
        "notify   hook: firing api errors (1 alert) sent"]
    assert lines[-1] == "stopped"
    assert len(receiver.requests) == 1  # the group keeps firing: no repeat within repeat_interval
    assert receiver.requests[0].json()["alerts"][0]["annotations"] == {"summary": "5 errors"}
    history = AlertHistory()
    assert [(c.rule, c.old, c.new) for c in history.changes()] == [("api errors", "inactive", "pending"),
                                                                        ("api errors", "pending", "firing")]
    history.close()


def start_watch(folder: Path, name: str) -> tuple[subprocess.Popen, Path]:
    out = folder / f"{name}.out"
    with out.open("w") as sink:
        process = subprocess.Popen([sys.executable, "-m", "mlops_tui", "alerts", "watch"], cwd=folder,
                                   env={**os.environ, "NO_COLOR": "1"}, stdout=sink, stderr=subprocess.STDOUT)
    return process, out


def test_two_watchers_send_each_notification_once_and_the_second_takes_over(tmp_path: Path):
    with http_receiver() as receiver:
        settings(tmp_path, receiver.url + "/hook")
        first, first_out = start_watch(tmp_path, "first")
        second = None
        try:
            wait_for(lambda: receiver.requests, 60, "the first watcher's notification")
            second, second_out = start_watch(tmp_path, "second")
            waiting = f"{socket.gethostname()}:{first.pid} records and notifies; this process waits to take over"
            wait_for(lambda: waiting in second_out.read_text(), 60, "the second watcher to wait")
            first.send_signal(signal.SIGTERM)
            assert first.wait(30) == 0
            taking = f"this process ({socket.gethostname()}:{second.pid}) records and notifies"
            wait_for(lambda: taking in second_out.read_text(), 30, "the second watcher to take over")
            second.send_signal(signal.SIGTERM)
            assert second.wait(30) == 0
        finally:
            for process in (first, second):
                if process is not None and process.poll() is None:
                    process.kill()
    # The group kept firing all along: one message, from the first; the second knew it had been sent.
    assert len(receiver.requests) == 1
    assert "notify   hook" not in second_out.read_text()
    history = AlertHistory()
    assert [(c.old, c.new) for c in history.changes()] == [("inactive", "pending"), ("pending", "firing")]
    history.close()


def changes() -> list:
    history = AlertHistory()
    try:
        return history.changes()
    finally:
        history.close()


def test_a_restarted_watcher_does_not_send_again_what_was_sent(tmp_path: Path):
    with http_receiver() as receiver:
        settings(tmp_path, receiver.url + "/hook")
        first, _ = start_watch(tmp_path, "first")
        try:
            wait_for(lambda: len(notifications()) == 1, 60, "the first watcher's notification")
            first.send_signal(signal.SIGTERM)
            assert first.wait(30) == 0
            again, again_out = start_watch(tmp_path, "again")
            # The line comes after its first evaluation has claimed the role; the notifier runs in the same
            # evaluation, before SIGTERM is looked at, so its decision has been made once a second one ran.
            taking = f"this process ({socket.gethostname()}:{again.pid}) records and notifies"
            wait_for(lambda: taking in again_out.read_text(), 60, "the restarted watcher's first evaluation")
            time.sleep(2.5)  # two more evaluations (interval 1s): a repeat would have been sent by now
            again.send_signal(signal.SIGTERM)
            assert again.wait(30) == 0
        finally:
            for process in (first, locals().get("again")):
                if process is not None and process.poll() is None:
                    process.kill()
    assert len(receiver.requests) == 1, again_out.read_text()
    assert "notify   hook" not in again_out.read_text()
    # It took the firing alert up again, since-when and all: no second pending -> firing in the history.
    assert [(c.old, c.new) for c in changes()] == [("inactive", "pending"), ("pending", "firing")]


def test_alerts_test_sends_a_test_message(tmp_path: Path):
    with http_receiver() as receiver:
        settings(tmp_path, receiver.url + "/hook")
        result = run_cli(["alerts", "test", "hook"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "sent a test message to hook (webhook)\n"
    (request,) = receiver.requests
    assert request.json()["alerts"][0]["labels"]["alertname"] == "mlops-tui test"
    history = run_cli(["alerts", "history", "--since", "1h"], cwd=tmp_path)
    assert history.stdout.splitlines()[-1].split("  ", 1)[1] == "notify   hook: test message sent"


def test_alerts_test_failure_exits_3_without_the_urls_token(tmp_path: Path):
    with http_receiver() as receiver:
        receiver.answer_next(403, b"invalid token")
        settings(tmp_path, receiver.url + "/services/T0/B0/S3CRETTOKEN")
        result = run_cli(["alerts", "test", "hook"], cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr == (f"mlops-tui: hook (webhook): not sent after 1 attempt: HTTP 403 Forbidden from "
                             f"http://127.0.0.1:{receiver.port}/…\n")
    assert "S3CRETTOKEN" not in run_cli(["config", "show"], cwd=tmp_path).stdout
    listing = run_cli(["alerts"], cwd=tmp_path)
    assert listing.stdout.splitlines()[-1] == f"channel  hook: webhook http://127.0.0.1:{receiver.port}/…"


def test_alerts_test_with_an_unknown_channel_is_a_usage_error(tmp_path: Path):
    settings(tmp_path, "http://127.0.0.1:9/hook")
    result = run_cli(["alerts", "test", "pager"], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "mlops-tui: no alert channel named 'pager' (channels: hook)\n"
