"""A deadline for every network call: a backend that trickles its answer a byte a second (the per-read
timeout never fires) must not hold a CLI command past limits.http_deadline, nor freeze the pane."""

from __future__ import annotations

import pytest
from hostile.measure import ok_refusal, run

DEADLINE = 3.0
STARTUP = 6.0  # interpreter, imports and settings of one CLI run, with room for a loaded CI machine


def prom(url: str, timeout: float = 5, retries: int = 2) -> list[str]:
    return [f"metrics.prometheus=[{{name: prom, url: '{url}', timeout: {timeout}, retries: {retries}}}]",
            f"limits.http_deadline={DEADLINE}"]


def influx(url: str) -> list[str]:
    return [f"metrics.influxdb=[{{name: prom, url: '{url}', timeout: 5, retries: 2, database: telegraf}}]",
            f"limits.http_deadline={DEADLINE}"]


def flux(url: str) -> list[str]:
    return [f"metrics.influxdb=[{{name: prom, url: '{url}', timeout: 5, retries: 2, database: telegraf, "
            "language: flux, org: ml, token: t0ken}]", f"limits.http_deadline={DEADLINE}"]


@pytest.mark.parametrize("mode", ["trickle", "trickle-head"])
@pytest.mark.parametrize("backend", [prom, influx, flux], ids=["prometheus", "influxql", "flux"])
def test_a_trickling_backend_times_out_at_the_deadline(hostile_server, backend, mode):
    result = run([*backend(hostile_server.url(mode)), "metrics", "--source", "prom", "--query", "up", "--since", "1h"])
    ok_refusal(result, 3, "timed out", "limits.http_deadline")
    assert result.seconds < DEADLINE + STARTUP, str(result)


def test_the_deadline_spans_every_retry(hostile_server):
    # 5 retries of a 2.5 s per-read timeout would take 15 s; the deadline ends it at 3
    result = run([*prom(hostile_server.url("trickle"), timeout=2.5, retries=5), "metrics", "--source", "prom",
                  "--hosts"])
    ok_refusal(result, 3, "timed out")
    assert result.seconds < DEADLINE + STARTUP, str(result)


def test_a_deadline_of_zero_is_refused():
    result = run(["limits.http_deadline=0", "metrics", "--source", "prom", "--hosts"])
    ok_refusal(result, 2, "limits.http_deadline")


@pytest.mark.parametrize("mode", ["trickle", "trickle-head"])
def test_a_trickling_search_engine_times_out_at_the_deadline(hostile_server, mode):
    result = run([f"logs.elasticsearch=[{{name: es, url: '{hostile_server.url(mode)}', timeout: 5, retries: 2}}]",
                  f"limits.http_deadline={DEADLINE}", "logs", "search", "--source", "es", "error"])
    ok_refusal(result, 3, "timed out")
    assert result.seconds < DEADLINE + STARTUP, str(result)
