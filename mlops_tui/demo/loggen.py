"""Realistic logs for the demo: a backlog written once, then a thread appending a few lines a second.

Four services write to their own files under logs/:
- api.jsonl and batch-scorer.jsonl: JSON lines with ECS-style fields (`@timestamp`, `log.level`,
  `service.name`, `http.*`, `event.duration` in ns, `error.stack_trace`);
- trainer.log and feature-store.log: Python `logging` text, errors followed by a multi-line traceback.
Content comes from a seeded RNG; only timestamps depend on the clock.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

SERVICES = {  # name: (file, weight)
    "api": ("api.jsonl", 6),
    "batch-scorer": ("batch-scorer.jsonl", 2),
    "trainer": ("trainer.log", 3),
    "feature-store": ("feature-store.log", 2),
}
ENDPOINTS = [("POST", "/v1/predict/churn", 30), ("POST", "/v1/predict/fraud", 45), ("GET", "/v1/models", 8),
             ("GET", "/healthz", 2), ("POST", "/v1/explain/churn", 120)]
HOSTS = {"api": ["api-7f9c4-2xkqp", "api-7f9c4-m8d2w", "api-7f9c4-zt5rn"],
         "batch-scorer": ["scorer-cron-29418730-6wq2c"], "trainer": ["trainer-gpu-0"],
         "feature-store": ["feast-online-0", "feast-online-1"]}

_API_TRACE = """Traceback (most recent call last):
  File "/app/serving/routes.py", line 84, in predict
    features = await store.online_features(customer_id, FEATURES)
  File "/app/serving/features.py", line 41, in online_features
    row = await self._client.get(key, timeout=self.timeout)
  File "/usr/local/lib/python3.11/site-packages/redis/asyncio/client.py", line 545, in execute_command
    conn = self.connection or await pool.get_connection(command_name, **options)
redis.exceptions.TimeoutError: Timeout reading from feast-online-1:6379"""

_SCORER_TRACE = """Traceback (most recent call last):
  File "/app/scoring/batch.py", line 132, in run
    writer.write_partition(scores, partition=day)
  File "/app/scoring/warehouse.py", line 67, in write_partition
    cursor.copy_expert(COPY_SQL, buffer)
psycopg2.errors.QueryCanceled: canceling statement due to statement timeout"""

_TRAINER_TRACE = """Traceback (most recent call last):
  File "/app/src/train.py", line 58, in <module>
    main()
  File "/usr/local/lib/python3.11/site-packages/hydra/main.py", line 94, in decorated_main
    _run_hydra(
  File "/app/src/train.py", line 37, in main
    model.fit(x_train.iloc[train_idx], y_train.iloc[train_idx])
  File "/usr/local/lib/python3.11/site-packages/sklearn/ensemble/_gb.py", line 668, in fit
    X, y = self._validate_data(X, y, dtype=DTYPE, multi_output=True)
ValueError: Input X contains NaN.
GradientBoostingClassifier does not accept missing values encoded as NaN natively."""

_FEAST_TRACE = """Traceback (most recent call last):
  File "/usr/local/lib/python3.11/site-packages/feast/infra/online_stores/redis.py", line 231, in online_write_batch
    pipe.execute()
  File "/usr/local/lib/python3.11/site-packages/redis/client.py", line 2114, in execute
    return conn.retry.call_with_retry(
  File "/usr/local/lib/python3.11/site-packages/redis/connection.py", line 707, in connect
    raise ConnectionError(self._error_message(e))
redis.exceptions.ConnectionError: Error 111 connecting to feast-online-1:6379. Connection refused."""


def _ts_json(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _ts_text(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"


def _ecs(t: datetime, level: str, service: str, logger: str, message: str, rng: random.Random, **extra) -> str:
    record = {"@timestamp": _ts_json(t), "log.level": level, "message": message, "ecs.version": "8.11.0",
              "service.name": service, "service.version": "2.14.1", "host.name": rng.choice(HOSTS[service]),
              "log.logger": logger, **extra}
    return json.dumps(record, separators=(",", ":"))


def _request_id(rng: random.Random) -> str:
    return f"req-{rng.getrandbits(48):012x}"


def _api(t: datetime, rng: random.Random) -> list[str]:
    method, path, base_ms = rng.choices(ENDPOINTS, weights=[40, 30, 5, 20, 5])[0]
    latency = rng.lognormvariate(0, 0.5) * base_ms
    roll = rng.random() if method == "POST" else 1.0  # health checks and listings always answer
    status = 200
    if roll < 0.03:
        status = 500
    elif roll < 0.06:
        status = 429
    elif roll < 0.08:
        status = 422
    if status == 500:
        latency += 2000
    fields = {"http.request.method": method, "url.path": path, "http.response.status_code": status,
              "event.duration": int(latency * 1_000_000), "http.request.id": _request_id(rng),
              "trace.id": f"{rng.getrandbits(128):032x}", "client.ip": f"10.4.{rng.randint(0, 31)}.{rng.randint(2, 254)}"}
    if path.startswith("/v1/predict"):
        fields["ml.model"] = "churn@v1.5.1" if "churn" in path else "fraud@v0.2.0"
    message = f"{method} {path} {status} {latency:.1f}ms"
    if status == 500:
        fields.update({"error.type": "redis.exceptions.TimeoutError",
                       "error.message": "Timeout reading from feast-online-1:6379", "error.stack_trace": _API_TRACE})
        return [_ecs(t, "error", "api", "serving.routes", f"{message}: feature lookup failed", rng, **fields)]
    level = "warn" if status in (422, 429) or latency > 3 * base_ms else "info"
    if status == 429:
        message += " (rate limited: tenant acme-retail over 200 req/s)"
    elif status == 422:
        message += " (validation: monthly_charges must be >= 0)"
    elif level == "warn":
        message += " (slow request)"
    return [_ecs(t, level, "api", "uvicorn.access", message, rng, **fields)]


def _scorer(t: datetime, rng: random.Random) -> list[str]:
    batch = rng.randint(1, 400)
    roll = rng.random()
    if roll < 0.04:
        return [_ecs(t, "error", "batch-scorer", "scoring.batch", f"batch {batch}: write to warehouse.churn_scores failed",
                     rng, **{"error.type": "psycopg2.errors.QueryCanceled", "error.stack_trace": _SCORER_TRACE,
                             "labels.batch": batch})]
    if roll < 0.12:
        feature = rng.choice(["monthly_charges", "support_tickets", "tenure_months"])
        psi = round(rng.uniform(0.2, 0.45), 3)
        return [_ecs(t, "warn", "batch-scorer", "scoring.drift", f"feature drift on {feature}: PSI {psi} > 0.2", rng,
                     **{"labels.feature": feature, "labels.psi": psi})]
    rows = rng.randint(18_000, 20_000)
    seconds = round(rng.uniform(1.2, 4.5), 2)
    high = round(rng.uniform(0.04, 0.11), 3)
    return [_ecs(t, "info", "batch-scorer", "scoring.batch",
                 f"batch {batch} scored {rows} rows in {seconds}s (high risk share {high})", rng,
                 **{"event.duration": int(seconds * 1e9), "labels.batch": batch, "labels.rows": rows})]


def _text(t: datetime, level: str, logger: str, pid: int, message: str) -> str:
    return f"{_ts_text(t)} {level:<8} {logger} [{pid}] {message}"


def _trainer(t: datetime, rng: random.Random) -> list[str]:
    roll = rng.random()
    pid = 4121
    if roll < 0.03:
        return [_text(t, "ERROR", "churn.train", pid, "training run failed, retrying with imputation"),
                *_TRAINER_TRACE.splitlines()]
    if roll < 0.10:
        return [_text(t, "WARNING", "churn.train", pid,
                      f"GPU memory at {rng.randint(88, 97)}% of 24 GiB; lowering batch size")]
    if roll < 0.16:
        return [_text(t, "DEBUG", "churn.data", pid, f"loaded customers-2026-11.csv: {rng.randint(150, 170)} rows")]
    epoch = rng.randint(1, 40)
    loss = round(0.7 * 0.95 ** epoch + rng.uniform(0, 0.02), 4)
    auc = round(0.8 + 0.07 * (1 - 0.93 ** epoch) + rng.uniform(-0.004, 0.004), 4)
    return [_text(t, "INFO", "churn.train", pid,
                  f"epoch {epoch}/40 loss={loss} val_auc={auc} lr=0.02 run_id=run-{rng.getrandbits(24):06x}")]


def _feature_store(t: datetime, rng: random.Random) -> list[str]:
    roll = rng.random()
    pid = 77
    if roll < 0.04:
        return [_text(t, "ERROR", "feast.materialize", pid, "online write failed for view customer_features"),
                *_FEAST_TRACE.splitlines()]
    if roll < 0.14:
        return [_text(t, "WARNING", "feast.online", pid,
                      f"online store p99 latency {rng.randint(160, 420)}ms above 150ms budget")]
    rows = rng.randint(800, 12_000)
    return [_text(t, "INFO", "feast.materialize", pid,
                  f"materialized {rows} rows into customer_features in {rng.uniform(0.2, 2.5):.2f}s "
                  f"request_id={_request_id(rng)}")]


_MAKERS: dict[str, Callable[[datetime, random.Random], list[str]]] = {
    "api": _api, "batch-scorer": _scorer, "trainer": _trainer, "feature-store": _feature_store,
}


def make_event(t: datetime, rng: random.Random) -> tuple[str, list[str]]:
    """One log event at time t: (file name, its lines)."""
    names = list(SERVICES)
    service = rng.choices(names, weights=[SERVICES[n][1] for n in names])[0]
    return SERVICES[service][0], _MAKERS[service](t, rng)


def _append(logs_dir: Path, batches: dict[str, list[str]]) -> None:
    for name, lines in batches.items():
        with open(logs_dir / name, "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")


def write_backlog(logs_dir: Path, end: datetime, events: int = 2500, hours: float = 6.0, seed: int = 20261129) -> int:
    """Write `events` events spread over the `hours` before `end`; returns the number of lines."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    span = hours * 3600.0
    offsets = sorted(rng.uniform(0, span) for _ in range(events))
    batches: dict[str, list[str]] = {info[0]: [] for info in SERVICES.values()}
    start = end - timedelta(seconds=span)
    for offset in offsets:
        name, lines = make_event(start + timedelta(seconds=offset), rng)
        batches[name].extend(lines)
    _append(logs_dir, batches)
    return sum(len(lines) for lines in batches.values())


class LogGenerator:
    """Appends events to the demo's log files from a daemon thread while the context is open.

    `interval` is the pause between events (about three lines a second by default); `clock` gives
    each event's timestamp. Each event is written with one call, so readers never see half a
    traceback. If writing fails (folder removed, disk full), the thread stops and keeps the error.
    `on_event(file name, lines)` is called after each event is written (the demo's metrics count them).
    """

    def __init__(self, logs_dir: Path, interval: float = 0.4, seed: int | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 on_event: Callable[[str, list[str]], None] | None = None) -> None:
        self.logs_dir = Path(logs_dir)
        self.interval = interval
        self.clock = clock
        self.on_event = on_event
        self.lines_written = 0
        self.error: OSError | None = None
        self._rng = random.Random(seed)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="mlops-tui-demo-logs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self._rng.uniform(0.5, 1.5) * self.interval):
            name, lines = make_event(self.clock(), self._rng)
            try:
                _append(self.logs_dir, {name: lines})
            except OSError as exc:
                self.error = exc
                return
            self.lines_written += len(lines)
            if self.on_event is not None:
                self.on_event(name, lines)

    def __enter__(self) -> LogGenerator:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
