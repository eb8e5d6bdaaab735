"""The Prometheus source against a real Prometheus 2.x seeded by promtool, scraping a real node_exporter."""

from __future__ import annotations

import httpx
import psutil
import pytest
from remote.seed import LATENCY_BUCKETS, PROM_EXPECTED, SAMPLES, SERVING_RATES, STEP
from remote.servers import wait_for_targets

from mlops_tui.settings.metrics import PrometheusSource
from mlops_tui.sources.http import BackendError
from mlops_tui.sources.metrics.remote.prometheus import PrometheusBackend
from mlops_tui.sources.metrics.remote import MAX_POINTS, choose_step


@pytest.fixture
def prom(prometheus):
    backend = PrometheusBackend(PrometheusSource(name="prom", url=prometheus.url, retries=0))
    yield backend
    backend.close()


def test_fleet_rows_have_the_seeded_values(prom, prom_last_sample):
    rows = {row.host: row for row in prom.fleet(at=prom_last_sample)}
    for host, expected in PROM_EXPECTED.items():
        assert rows[host].values == pytest.approx(expected, rel=1e-9), host
        assert rows[host].last_seen == prom_last_sample
    assert rows["web-1:9100"].health == "up"
    assert rows["web-2:9100"].health == "down"


def test_range_query_substitutes_the_host_variable_and_returns_every_sample(prom, prom_last_sample):
    start = prom_last_sample - STEP * (SAMPLES - 1)
    series = prom.range_query('node_load1{instance="$host"}', start, prom_last_sample, STEP, {"host": "web-2:9100"})
    assert len(series) == 1
    assert series[0].labels == {"instance": "web-2:9100", "job": "node"}
    assert list(series[0].times) == [float(start + STEP * i) for i in range(SAMPLES)]
    assert set(series[0].values) == {0.25}


def test_variable_values_cannot_break_out_of_the_label_string(prom, prom_last_sample):
    hostile = 'web-1:9100"} or vector(1) or {x="'
    series = prom.range_query('node_load1{instance="$host"}', prom_last_sample - 60, prom_last_sample, STEP,
                              {"host": hostile})
    assert series == []


def test_serving_rates_and_latency_percentile(prom, prom_last_sample):
    at = prom_last_sample
    total = prom.instant("sum(rate(http_requests_total[5m]))", at)[0].last()
    errors = prom.instant('sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
                          at)[0].last()
    p50 = prom.instant("histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
                       at)[0].last()
    assert total == pytest.approx(sum(SERVING_RATES.values()))
    assert errors == pytest.approx(SERVING_RATES["500"] / sum(SERVING_RATES.values()))
    # rank 5.25 of 10.5 falls in (0.1, 0.25], which holds requests 5..8 per second
    rank = LATENCY_BUCKETS["+Inf"] / 2
    assert p50 == pytest.approx(0.1 + 0.15 * (rank - LATENCY_BUCKETS["0.1"]) / (8.0 - 5.0))


def test_24h_range_respects_the_points_limit(prom, prom_last_sample):
    span = 86400.0
    step = choose_step(span, 20_000)  # a chart wider than the limit allows
    assert span / step + 1 <= MAX_POINTS
    series = prom.range_query('node_load1{instance="web-1:9100"}', prom_last_sample - span, prom_last_sample, 1.0)
    assert len(series) == 1 and 0 < len(series[0]) <= MAX_POINTS


def test_promql_syntax_error_is_the_servers_message(prom, prometheus):
    raw = httpx.get(f"{prometheus.url}/api/v1/query", params={"query": "rate(node_load1["}).json()
    with pytest.raises(BackendError) as caught:
        prom.instant("rate(node_load1[")
    assert str(caught.value) == f"bad_data: {raw['error']}"
    assert "parse error" in raw["error"]
    assert caught.value.status == 400


def test_discovery_of_labels_series_and_values(prom, prom_last_sample):
    assert {"web-1:9100", "web-2:9100", "model-a:8000"} <= set(prom.variable_values("instance"))
    assert {"instance", "job", "mountpoint", "code", "le"} <= set(prom.labels())
    found = prom.series('node_load1{job="node"}', prom_last_sample - 600, prom_last_sample)
    assert {s["instance"] for s in found} == {"web-1:9100", "web-2:9100"}
    assert prom.variable_values("label_values(http_requests_total, instance)") == ["model-a:8000"]
    assert prom.variable_values('label_values(node_load1{instance=~"web-.*"}, instance)') == ["web-1:9100", "web-2:9100"]
    with pytest.raises(BackendError):
        prom.variable_values("not a label")


def test_real_node_exporter_host_is_up_with_its_real_memory(prom, node_exporter, dead_target):
    live = node_exporter.url.removeprefix("http://")
    wait_for_targets(prom, 2)
    rows = {row.host: row for row in prom.fleet()}
    assert rows[live].health == "up"
    assert 0 < rows[live].values["mem"] < 100
    assert rows[live].values["cpu"] is not None and 0 <= rows[live].values["cpu"] <= 100
    total = prom.instant(f'node_memory_MemTotal_bytes{{instance="{live}"}}')[0].last()
    assert total == psutil.virtual_memory().total
    assert rows[dead_target].health == "down"
    assert "connection refused" in rows[dead_target].reason
