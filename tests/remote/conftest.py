"""Session fixtures: real prometheus, prometheus-node-exporter and influxd on free loopback ports,
seeded with exact data, plus a stand-in HTTP server that misbehaves on purpose."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from remote.seed import STEP, openmetrics, telegraf_lines
from remote.servers import Server, create_blocks, influx_write, start_influxd, start_node_exporter, start_prometheus
from remote.stand_in import StandInMisbehavingServer
from support.ports import free_port


@pytest.fixture
def utc(monkeypatch):
    """Local time is UTC for the test: times on screen do not depend on the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="session")
def prom_last_sample() -> int:
    """Time of the last seeded Prometheus sample: a STEP boundary just behind now."""
    return int(time.time()) // STEP * STEP - STEP


@pytest.fixture(scope="session")
def node_exporter(tmp_path_factory) -> Iterator[Server]:
    server = start_node_exporter(tmp_path_factory.mktemp("node-exporter"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def dead_target() -> str:
    """host:port of a node target nothing listens on."""
    return f"127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory, prom_last_sample, node_exporter, dead_target) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("prometheus")
    create_blocks(openmetrics(prom_last_sample), workdir / "data")
    live = node_exporter.url.removeprefix("http://")
    server = start_prometheus(workdir, workdir / "data", {"node": [live, dead_target]})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def influx_last_point() -> int:
    return int(time.time()) // 10 * 10 - 10  # on a GROUP BY time(10s) boundary


@pytest.fixture(scope="session")
def influxd(tmp_path_factory, influx_last_point) -> Iterator[Server]:
    server = start_influxd(tmp_path_factory.mktemp("influxd"))
    influx_write(server, "telegraf", telegraf_lines(influx_last_point))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def misbehaving() -> Iterator[StandInMisbehavingServer]:
    server = StandInMisbehavingServer()
    server.start()
    yield server
    server.stop()
