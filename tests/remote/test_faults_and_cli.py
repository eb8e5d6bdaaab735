"""Faults (dead port, slow, 500, malformed JSON) and the `metrics --source` command line."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from remote.seed import INFLUX_EXPECTED, SAMPLES, STEP
from remote.servers import wait_for_targets
from support.ports import free_port

from mlops_tui.settings.metrics import InfluxSource, PrometheusSource
from mlops_tui.sources.http import BackendError
from mlops_tui.sources.metrics.remote.influx import InfluxQLBackend
from mlops_tui.sources.metrics.remote.prometheus import PrometheusBackend

FAULTS = {
    "dead": "cannot connect",
    "slow": "timed out",
    "500": "HTTP 500 Internal Server Error",
    "malformed": "malformed JSON",
    "deep": "nested too deeply",
}


def fault_url(misbehaving, mode: str) -> str:
    return f"http://127.0.0.1:{free_port()}" if mode == "dead" else misbehaving.url(mode)


@pytest.mark.parametrize("mode", sorted(FAULTS))
@pytest.mark.parametrize("kind", ["prometheus", "influxdb"])
def test_each_fault_is_a_one_line_backend_error(misbehaving, kind, mode):
    url = fault_url(misbehaving, mode)
    if kind == "prometheus":
        backend = PrometheusBackend(PrometheusSource(url=url, timeout=0.3, retries=1))
    else:
        backend = InfluxQLBackend(InfluxSource(url=url, timeout=0.3, retries=1))
    started = time.monotonic()
    with pytest.raises(BackendError) as caught:
        backend.fleet()
    backend.close()
    assert FAULTS[mode] in str(caught.value)
    assert "\n" not in str(caught.value)
    assert time.monotonic() - started < 5  # one retry of a 0.3 s timeout, not the server's 10 s


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlops_tui", *args], capture_output=True, text=True, timeout=60)


def prom_setting(url: str) -> str:
    return f"metrics.prometheus=[{{name: prom, url: '{url}', timeout: 0.5, retries: 0}}]"


def test_cli_query_prints_the_seeded_series_as_json(prometheus, prom_last_sample):
    result = run_cli(prom_setting(prometheus.url), "metrics", "--source", "prom",
                     "--query", 'node_load1{instance="web-1:9100"}', "--since", "1h", "--json")
    assert result.returncode == 0, result.stderr
    series = json.loads(result.stdout)
    assert [s["labels"] for s in series] == [{"instance": "web-1:9100", "job": "node"}]
    values = {v for t, v in series[0]["points"] if t <= prom_last_sample}
    assert values == {1.5}
    times = [t for t, _ in series[0]["points"]]
    assert times[0] <= prom_last_sample - STEP * (SAMPLES - 1) + 15  # step of 1h/240 = 15 s


def test_cli_hosts_prints_the_fleet_table(influxd):
    setting = f"metrics.influxdb=[{{name: tig, url: '{influxd.url}', database: telegraf}}]"
    result = run_cli(setting, "metrics", "--source", "tig", "--hosts", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["host"]: row for row in json.loads(result.stdout)}
    assert rows["gpu-1"]["values"] == pytest.approx(INFLUX_EXPECTED["gpu-1"])
    assert rows["old-1"]["health"] == "stale"
    text = run_cli(setting, "metrics", "--source", "tig", "--hosts")
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["HOST", "HEALTH", "CPU", "MEM", "DISK", "BUSY", "NET", "RX", "NET", "TX", "LOAD1"]
    assert lines[1].split() == ["gpu-1", "up", "30.0%", "42.5%", "80.0%", "5.0%", "2.0", "KiB/s", "1000", "B/s", "2.50"]
    assert any(line.startswith("old-1: no data since ") for line in lines)


def test_cli_promql_error_goes_to_stderr_with_exit_3(prometheus):
    result = run_cli(prom_setting(prometheus.url), "metrics", "--source", "prom", "--query", "rate(up[")
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.startswith("mlops-tui: prom: bad_data: ")
    assert "parse error" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("mode", sorted(FAULTS))
def test_cli_faults_exit_3_without_traceback(misbehaving, mode):
    result = run_cli(prom_setting(fault_url(misbehaving, mode)), "metrics", "--source", "prom", "--hosts")
    assert result.returncode == 3
    assert FAULTS[mode] in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--source", "prom"], "--source needs --query EXPR or --hosts"),
    (["--source", "nope", "--hosts"], "no metrics source named 'nope'; known: prom"),
    (["--source", "prom", "--query", "up", "--since", "yesterday"], "--since: not a duration"),
])
def test_cli_usage_errors_exit_2(args, message):
    result = run_cli(prom_setting("http://127.0.0.1:1"), "metrics", *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_password_in_the_url_never_reaches_the_message(misbehaving):
    url = misbehaving.url("500").replace("http://", "http://ops:hunter2@")
    result = run_cli(prom_setting(url), "metrics", "--source", "prom", "--hosts")
    assert result.returncode == 3
    assert "HTTP 500" in result.stderr and "ops:••••••@" in result.stderr
    assert "hunter2" not in result.stderr


def test_cli_hosts_against_prometheus_lists_seeded_live_and_dead_hosts(prometheus, node_exporter, dead_target):
    backend = PrometheusBackend(PrometheusSource(url=prometheus.url, retries=0))
    wait_for_targets(backend, 2)
    backend.close()
    result = run_cli(prom_setting(prometheus.url), "metrics", "--source", "prom", "--hosts", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["host"]: row for row in json.loads(result.stdout)}
    live = node_exporter.url.removeprefix("http://")
    assert rows[live]["health"] == "up" and 0 < rows[live]["values"]["mem"] < 100
    assert rows[dead_target]["health"] == "down" and "connection refused" in rows[dead_target]["reason"]
    # the seeded hosts' gauges, still inside Prometheus's 5 minute lookback
    assert rows["web-1:9100"]["values"]["mem"] == pytest.approx(75.0)
    assert rows["web-1:9100"]["values"]["load1"] == 1.5


def test_cli_bad_url_in_the_settings_exits_2():
    result = run_cli(prom_setting("http://[::1"), "metrics", "--source", "prom", "--hosts")
    assert result.returncode == 2
    assert result.stderr.startswith("mlops-tui: source 'prom': invalid url: ") and "Traceback" not in result.stderr
