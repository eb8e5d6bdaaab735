"""Realistic ECS log documents for the search-engine tests, generated deterministically.

The same seed always gives the same documents, so tests compute the answers they expect from
the generated documents themselves (in Python) and compare them with what the engine returns.

Layout (names relative to a prefix, empty for a cluster the fixtures started):
- four daily indices ``logs-app-YYYY.MM.DD`` behind the index template ``mlops-tui-logs-app``;
- one data stream ``logs-serving-default`` behind the template ``mlops-tui-logs-serving``;
so the pattern ``logs-*`` covers all of them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

FIRST_DAY = datetime(2026, 11, 24, tzinfo=UTC)
DAYS = 4
APP_DOCS_PER_DAY = 7_500
SERVING_DOCS = 6_000

APP_SERVICES = ("api-gateway", "checkout", "feature-store", "trainer")
SERVING_SERVICES = ("model-server", "batch-scorer")
HOSTS = {
    "api-gateway": ("gw-01", "gw-02"),
    "checkout": ("web-01", "web-02", "web-03"),
    "feature-store": ("fs-01",),
    "trainer": ("gpu-node-1", "gpu-node-2"),
    "model-server": ("infer-a", "infer-b", "infer-c"),
    "batch-scorer": ("batch-01",),
}
LEVELS = ("DEBUG", "INFO", "WARN", "ERROR")
LEVEL_WEIGHTS = (10, 74, 11, 5)
# Relative traffic per hour of day (UTC): quiet nights, a morning ramp, an evening tail.
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 10, 11, 12, 12, 11, 9, 7, 6, 5, 4, 3, 2)

ENDPOINTS = ("/api/v1/predict", "/api/v1/orders", "/api/v1/cart", "/healthz", "/api/v1/features")
MODELS = ("resnet50", "bert-base", "churn-xgb", "ranker-v2")

MESSAGES: dict[str, tuple[str, ...]] = {
    "DEBUG": (
        "cache lookup key={key} hit={hit}",
        "feature vector built in {ms}ms dims={dims}",
        "retrying request attempt={attempt}",
    ),
    "INFO": (
        "GET {endpoint} {status} in {ms}ms",
        "POST {endpoint} {status} in {ms}ms",
        "model {model} version {version} loaded in {ms}ms",
        "epoch {epoch} finished loss={loss} accuracy={acc}",
        "checkpoint saved to s3://ml-artifacts/{model}/step-{step}",
    ),
    "WARN": (
        "slow request {endpoint} took {ms}ms (threshold 500ms)",
        "GPU memory at {pct}% on device cuda:{gpu}",
        "feature {feature} missing for entity {key}, using default",
    ),
    "ERROR": (
        "upstream {endpoint} returned 503: connection reset by peer",
        "prediction failed for model {model}: input shape mismatch",
        "database timeout after {ms}ms on query orders_by_customer",
        "Traceback (most recent call last):\n  File \"serve.py\", line {line}, in handle\n"
        "    out = model(batch)\nRuntimeError: CUDA out of memory. Tried to allocate {mib} MiB",
    ),
}

# A few documents whose text must be shown literally by a client: terminal escape sequences,
# Rich markup, non-ASCII text and a long line.
ODD_MESSAGES = (
    "user input echoed: \x1b[31mred\x1b[0m and a bell \x07",
    "label [bold red]not markup[/bold red] from a tenant",
    "Zürich → 東京 latency ✓ 42ms",
    "payload " + "x" * 8_000,
)


@dataclass(frozen=True)
class Layout:
    """Index, data stream and template names, all under one prefix."""

    prefix: str = ""

    def daily_index(self, day: datetime) -> str:
        return f"{self.prefix}logs-app-{day:%Y.%m.%d}"

    @property
    def data_stream(self) -> str:
        return f"{self.prefix}logs-serving-default"

    @property
    def pattern(self) -> str:
        """The wildcard that covers every seeded index and the data stream."""
        return f"{self.prefix}logs-*"

    @property
    def app_template(self) -> str:
        return f"{self.prefix}mlops-tui-logs-app"

    @property
    def serving_template(self) -> str:
        return f"{self.prefix}mlops-tui-logs-serving"


@dataclass
class Seed:
    """The generated documents, grouped by the index or data stream they go to."""

    layout: Layout
    by_target: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def documents(self) -> list[dict]:
        return [doc for docs in self.by_target.values() for doc in docs]

    @property
    def counts(self) -> dict[str, int]:
        return {target: len(docs) for target, docs in self.by_target.items()}

    @property
    def first_timestamp(self) -> str:
        return min(doc["@timestamp"] for doc in self.documents)

    @property
    def last_timestamp(self) -> str:
        return max(doc["@timestamp"] for doc in self.documents)

    def level_counts(self) -> Counter[str]:
        return Counter(doc["log"]["level"] for doc in self.documents)


def iso(moment: datetime) -> str:
    """ISO 8601 with milliseconds and a Z, as log shippers write @timestamp."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _moments(rng: random.Random, day: datetime, count: int) -> list[datetime]:
    """Sorted timestamps over one day following HOUR_WEIGHTS; about 8% repeat the previous one."""
    hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=count)
    moments = sorted(
        day + timedelta(hours=hour, milliseconds=rng.randrange(3_600_000)) for hour in hours
    )
    for i in range(1, len(moments)):
        if rng.random() < 0.08:  # bursts: several lines in the same millisecond (sort tiebreakers)
            moments[i] = moments[i - 1]
    return moments


def _message(rng: random.Random, level: str) -> str:
    template = rng.choice(MESSAGES[level])
    return template.format(
        key=f"{rng.getrandbits(32):08x}",
        hit=rng.choice(("true", "false")),
        ms=rng.randint(2, 2_500),
        dims=rng.choice((64, 128, 256)),
        attempt=rng.randint(1, 4),
        endpoint=rng.choice(ENDPOINTS),
        status=rng.choices((200, 201, 404, 500), weights=(90, 5, 4, 1))[0],
        model=rng.choice(MODELS),
        version=rng.randint(1, 12),
        epoch=rng.randint(1, 90),
        loss=f"{rng.uniform(0.05, 2.0):.4f}",
        acc=f"{rng.uniform(0.5, 0.99):.4f}",
        step=rng.randrange(1_000, 100_000, 500),
        pct=rng.randint(85, 99),
        gpu=rng.randint(0, 3),
        feature=rng.choice(("avg_basket_7d", "clicks_24h", "country")),
        line=rng.randint(40, 400),
        mib=rng.choice((512, 1024, 2048)),
    )


def _documents(
    rng: random.Random, moments: Iterable[datetime], services: tuple[str, ...]
) -> Iterator[dict]:
    trace = f"{rng.getrandbits(128):032x}"
    for moment in moments:
        if rng.random() < 0.6:  # a request's lines share a trace id until a new request starts
            trace = f"{rng.getrandbits(128):032x}"
        service = rng.choice(services)
        level = rng.choices(LEVELS, weights=LEVEL_WEIGHTS)[0]
        yield {
            "@timestamp": iso(moment),
            "log": {"level": level, "logger": f"{service.replace('-', '_')}.handler"},
            "message": _message(rng, level),
            "service": {"name": service, "environment": "production"},
            "host": {"name": rng.choice(HOSTS[service])},
            "trace": {"id": trace},
            "event": {"dataset": f"{service}.log"},
        }


def generate(layout: Layout = Layout(), seed: int = 20261124) -> Seed:
    """Every seeded document, deterministic for a given seed."""
    rng = random.Random(seed)
    result = Seed(layout)
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        moments = _moments(rng, day, APP_DOCS_PER_DAY)
        result.by_target[layout.daily_index(day)] = list(_documents(rng, moments, APP_SERVICES))
    serving: list[datetime] = []
    for offset in range(DAYS):
        serving += _moments(rng, FIRST_DAY + timedelta(days=offset), SERVING_DOCS // DAYS)
    serving_docs = list(_documents(rng, serving, SERVING_SERVICES))
    # The odd messages go to fixed places so tests can find them by text.
    for i, text in enumerate(ODD_MESSAGES):
        serving_docs[100 + i * 997]["message"] = text
    result.by_target[layout.data_stream] = serving_docs
    return result


def _mappings() -> dict:
    keyword = {"type": "keyword", "ignore_above": 1024}
    return {
        "dynamic": True,
        "properties": {
            "@timestamp": {"type": "date"},
            "log": {"properties": {"level": keyword, "logger": keyword}},
            "message": {"type": "text"},
            "service": {"properties": {"name": keyword, "environment": keyword}},
            "host": {"properties": {"name": keyword}},
            "trace": {"properties": {"id": keyword}},
            "event": {"properties": {"dataset": keyword}},
        },
    }


def index_templates(layout: Layout) -> dict[str, dict]:
    """Composable index templates: name -> body. Priority above any built-in logs template."""
    settings = {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"}
    return {
        layout.app_template: {
            "index_patterns": [f"{layout.prefix}logs-app-*"],
            "priority": 500,
            "template": {"settings": settings, "mappings": _mappings()},
            "_meta": {"description": "daily application log indices (mlops-tui tests)"},
        },
        layout.serving_template: {
            "index_patterns": [f"{layout.prefix}logs-serving-*"],
            "priority": 500,
            "data_stream": {},
            "template": {"settings": settings, "mappings": _mappings()},
            "_meta": {"description": "model serving logs as a data stream (mlops-tui tests)"},
        },
    }
