"""Every alert state change and every notification attempt, kept in a local SQLite file.

The file lives in the XDG state folder (`~/.local/state/mlops-tui/alerts.sqlite`), so a restart loses nothing.
It is opened in WAL mode with a busy timeout: the TUI and `mlops-tui alerts watch` may write to it at the same
time, each write is one short transaction, and readers never block writers. The file also holds roles: the
process holding `notifier` is the one that records changes and sends notifications, so two processes watching
the same rules never both send the same message.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mlops_tui.paths import state_dir
from mlops_tui.sources.alerts.rules import Change, Labels
from mlops_tui.sources.alerts.silences import Matcher, Silence

BUSY_TIMEOUT = 10.0
"""Seconds a write waits for the other process's transaction before giving up."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, rule TEXT NOT NULL, labels TEXT NOT NULL,
    old TEXT NOT NULL, new TEXT NOT NULL, value REAL
);
CREATE INDEX IF NOT EXISTS changes_at ON changes (at);
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, channel TEXT NOT NULL, rule TEXT NOT NULL,
    status TEXT NOT NULL, alerts INTEGER NOT NULL, ok INTEGER NOT NULL, attempts INTEGER NOT NULL,
    detail TEXT NOT NULL, firing TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS notifications_at ON notifications (at);
CREATE TABLE IF NOT EXISTS roles (role TEXT PRIMARY KEY, holder TEXT NOT NULL, until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS silences (
    id INTEGER PRIMARY KEY, created REAL NOT NULL, until REAL NOT NULL, matchers TEXT NOT NULL, by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS acks (
    rule TEXT NOT NULL, labels TEXT NOT NULL, active_at REAL NOT NULL, at REAL NOT NULL, by TEXT NOT NULL,
    PRIMARY KEY (rule, labels, active_at)
);
"""


class HistoryError(Exception):
    """The history file cannot be opened or written; str() is the message shown."""


def history_file(configured: str = "") -> Path:
    """`alerts.history` when set, else alerts.sqlite in the XDG state folder."""
    return Path(configured).expanduser() if configured else state_dir() / "alerts.sqlite"


@dataclass(frozen=True)
class Notification:
    """One attempt to tell a channel about a group of alerts (or a test message)."""

    at: float
    channel: str
    rule: str
    status: str
    """firing, resolved or test."""
    alerts: int
    ok: bool
    attempts: int
    detail: str
    """Empty when sent; the reason otherwise (HTTP 500, refused by the SMTP server...), secrets masked."""
    firing: tuple[Labels, ...] = ()
    """The labels of the alerts the message reported firing (what a restarted notifier knows was sent)."""


class AlertHistory:
    """The history file; each method is one transaction, safe with another process writing too."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or history_file()
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None,
                                       check_same_thread=False)
            self._wal()
            self._db.execute("PRAGMA synchronous=NORMAL")
            with self._write() as db:
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    db.execute(statement)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"alert history {self.path}: {exc}") from None

    def _wal(self) -> None:
        """Switch the file to WAL. Switching takes an exclusive lock that SQLite's busy timeout does not wait for,
        so two processes opening a new file at once (the TUI and `alerts watch`) retry here instead of one failing
        with `database is locked`."""
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout
        instead of one failing with `database is locked` when it upgrades a read lock. The lock keeps two
        threads of this process (the pane's evaluation and a key's write) out of each other's transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def record_changes(self, changes: Iterable[Change]) -> int:
        rows = [(c.at, c.rule, json.dumps(dict(c.labels), sort_keys=True), c.old.value, c.new.value, c.value)
                for c in changes]
        if rows:
            self._guarded(lambda db: db.executemany(
                "INSERT INTO changes (at, rule, labels, old, new, value) VALUES (?, ?, ?, ?, ?, ?)", rows))
        return len(rows)

    def record_notification(self, note: Notification) -> None:
        self._guarded(lambda db: db.execute(
            "INSERT INTO notifications (at, channel, rule, status, alerts, ok, attempts, detail, firing)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (note.at, note.channel, note.rule, note.status, note.alerts, int(note.ok), note.attempts, note.detail,
             json.dumps([dict(labels) for labels in note.firing], sort_keys=True))))

    def _guarded(self, action) -> None:
        try:
            with self._write() as db:
                action(db)
        except sqlite3.Error as exc:
            raise HistoryError(f"alert history {self.path}: {exc}") from None

    def claim(self, role: str, holder: str, ttl: float, now: float) -> str:
        """Take or renew `role` for `holder` until now + ttl, unless another holder has it and has renewed it
        within its ttl; the role's holder afterwards. One transaction, so two processes never both get it."""
        result = [holder]

        def take(db: sqlite3.Connection) -> None:
            row = db.execute("SELECT holder, until FROM roles WHERE role = ?", (role,)).fetchone()
            if row is not None and row[0] != holder and row[1] >= now:
                result[0] = row[0]
                return
            db.execute("INSERT INTO roles (role, holder, until) VALUES (?, ?, ?) ON CONFLICT(role)"
                       " DO UPDATE SET holder = excluded.holder, until = excluded.until", (role, holder, now + ttl))

        self._guarded(take)
        return result[0]

    def release(self, role: str, holder: str, now: float | None = None) -> None:
        """Give up `role` if `holder` has it, so another process takes it at once. The row stays, ending now:
        its time says when the last holder was last evaluating (see `last_held`)."""
        ended = (time.time() if now is None else now) - 1e-3
        self._guarded(lambda db: db.execute("UPDATE roles SET until = MIN(until, ?) WHERE role = ? AND holder = ?",
                                            (ended, role, holder)))

    def last_held(self, role: str) -> float | None:
        """Until when the role was held (the time its last holder stopped, or will lapse)."""
        rows = self._read("SELECT until FROM roles WHERE until >= ? AND role = ?", None, (role,))
        return rows[0][0] if rows else None

    def open_alerts(self) -> list[OpenAlert]:
        """The alerts whose last recorded state is pending or firing, with the times they went so (what a
        restarted evaluator picks up again, as Prometheus restores its `for` state)."""
        rows = self._read("SELECT rule, labels, new, MAX(id) FROM changes WHERE at >= ? GROUP BY rule, labels", None)
        out = []
        for rule, labels, new, _ in rows:
            if new not in ("pending", "firing"):
                continue
            times = self._read("SELECT new, MAX(at) FROM changes WHERE at >= ? AND rule = ? AND labels = ?"
                               " GROUP BY new", None, (rule, labels))
            seen = dict(times)
            active = seen.get("pending", seen.get("firing"))
            out.append(OpenAlert(rule, tuple(sorted(json.loads(labels).items())), new, active,
                                 seen.get("firing") if new == "firing" else None))
        return out

    # -- silences and acknowledgements ----------------------------------------------------------------------
    def add_silence(self, matchers: Sequence[Matcher], until: float, by: str, now: float | None = None) -> int:
        created = time.time() if now is None else now
        text = json.dumps([m.to_json() for m in matchers])
        ids: list[int] = []
        self._guarded(lambda db: ids.append(db.execute(
            "INSERT INTO silences (created, until, matchers, by) VALUES (?, ?, ?, ?)",
            (created, until, text, by)).lastrowid))
        return ids[0]

    def expire_silence(self, silence_id: int, now: float | None = None) -> None:
        at = time.time() if now is None else now
        self._guarded(lambda db: db.execute("UPDATE silences SET until = MIN(until, ?) WHERE id = ?", (at, silence_id)))

    def silences(self, now: float | None = None) -> list[Silence]:
        """The silences in force at `now`."""
        at = time.time() if now is None else now
        rows = self._read("SELECT id, created, until, matchers, by FROM silences WHERE until > ? ORDER BY id", at)
        return [Silence(i, created, until, tuple(Matcher.from_json(m) for m in json.loads(matchers)), by)
                for i, created, until, matchers, by in rows]

    def acknowledge(self, rule: str, labels: Labels, active_at: float, by: str, now: float | None = None) -> None:
        at = time.time() if now is None else now
        self._guarded(lambda db: db.execute(
            "INSERT OR REPLACE INTO acks (rule, labels, active_at, at, by) VALUES (?, ?, ?, ?, ?)",
            (rule, json.dumps(dict(labels), sort_keys=True), active_at, at, by)))

    def acks(self) -> set[tuple[str, Labels, float]]:
        """(rule, labels, active_at) of every acknowledged alert: an acknowledgement holds for that alert until
        it resolves (a new alert of the same series starts unacknowledged)."""
        rows = self._read("SELECT rule, labels, active_at FROM acks WHERE at >= ?", None)
        return {(rule, tuple(sorted(json.loads(labels).items())), active_at) for rule, labels, active_at in rows}

    def changes(self, since: float | None = None, limit: int = -1) -> list[HistoryChange]:
        """The changes since `since`, oldest first; the last `limit` of them when limit >= 0."""
        rows = self._read("SELECT * FROM (SELECT at, rule, labels, old, new, value, id FROM changes WHERE at >= ?"
                          " ORDER BY at DESC, id DESC LIMIT ?) ORDER BY at, id", since, (limit,))
        rows = [row[:6] for row in rows]
        return [HistoryChange(at, rule, tuple(sorted(json.loads(labels).items())), old, new, value)
                for at, rule, labels, old, new, value in rows]

    def notifications(self, since: float | None = None, limit: int = -1) -> list[Notification]:
        """The notification attempts since `since`, oldest first; the last `limit` of them when limit >= 0."""
        rows = self._read("SELECT * FROM (SELECT at, channel, rule, status, alerts, ok, attempts, detail, firing, id"
                          " FROM notifications WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?) ORDER BY at, id",
                          since, (limit,))
        rows = [row[:9] for row in rows]
        return [Notification(at, channel, rule, status, alerts, bool(ok), attempts, detail,
                             tuple(tuple(sorted(labels.items())) for labels in json.loads(firing)))
                for at, channel, rule, status, alerts, ok, attempts, detail, firing in rows]

    def _read(self, query: str, since: float | None, more: tuple = ()) -> list[tuple]:
        try:
            with self._lock:
                return self._db.execute(query, (since if since is not None else float("-inf"), *more)).fetchall()
        except sqlite3.Error as exc:
            raise HistoryError(f"alert history {self.path}: {exc}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()


@dataclass(frozen=True)
class HistoryChange:
    """A state change as read back from the file."""

    at: float
    rule: str
    labels: Labels
    old: str
    new: str
    value: float | None

    def to_json(self) -> dict:
        return {"at": self.at, "rule": self.rule, "labels": dict(self.labels), "old": self.old, "new": self.new,
                "value": self.value}



@dataclass(frozen=True)
class OpenAlert:
    """An alert the history last saw pending or firing."""

    rule: str
    labels: Labels
    state: str
    active_at: float
    fired_at: float | None
