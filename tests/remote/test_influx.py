"""The InfluxDB source against a real InfluxDB 1.6 holding Telegraf-shaped points, and the Flux path."""

from __future__ import annotations

import io

import httpx
import pytest
from remote.seed import INFLUX_EXPECTED, INFLUX_HOSTS, INFLUX_POINTS, INFLUX_STEP, OLD_HOST_AGE

from mlops_tui.settings.metrics import InfluxSource
from mlops_tui.sources.http import BackendError
from mlops_tui.sources.metrics.remote.influx import (
    FluxBackend,
    InfluxQLBackend,
    expand_flux,
    flavour_from_headers,
    fleet_from_flux,
    tables_to_series,
)


@pytest.fixture
def influx(influxd):
    backend = InfluxQLBackend(InfluxSource(name="tig", url=influxd.url, database="telegraf", retries=0))
    yield backend
    backend.close()


def test_flavour_comes_from_the_ping_headers(influx, influxd):
    headers = httpx.get(f"{influxd.url}/ping").headers
    assert influx.ping() == ("1.x", headers["X-Influxdb-Version"])
    assert headers["X-Influxdb-Version"].startswith("1.6")
    assert flavour_from_headers({"X-Influxdb-Version": "v2.7.10"}) == ("2.x", "v2.7.10")
    assert flavour_from_headers({"X-Influxdb-Version": "3.0.1"}) == ("3.x", "3.0.1")
    assert flavour_from_headers({}) == ("unknown", "")


def test_fleet_has_telegraf_hosts_with_exact_values(influx, influx_last_point):
    rows = {row.host: row for row in influx.fleet(at=influx_last_point + 5)}
    assert set(rows) == set(INFLUX_HOSTS)
    for host, expected in INFLUX_EXPECTED.items():
        assert rows[host].values == pytest.approx(expected), host
        assert rows[host].health == "up"
        assert rows[host].last_seen == influx_last_point
    old = rows["old-1"]
    assert old.health == "stale"
    assert old.last_seen == influx_last_point - OLD_HOST_AGE
    assert old.reason.startswith("no data since ")


def test_host_chart_query_binds_the_host_and_time_range(influx, influx_last_point):
    chart = next(c for c in influx.host_charts("gpu-2") if c.title == "Memory")
    start = influx_last_point - INFLUX_STEP * (INFLUX_POINTS - 1)
    series = influx.range_query(chart.query, start, influx_last_point, INFLUX_STEP, {"host": "gpu-2"})
    assert len(series) == 1
    assert list(series[0].times) == [float(start + INFLUX_STEP * i) for i in range(INFLUX_POINTS)]
    assert set(series[0].values) == {91.25}


def test_a_hostile_variable_stays_a_literal_tag_value(influx, influx_last_point):
    query = 'SELECT last("load1") FROM "system" WHERE "host" = $host AND $timeFilter GROUP BY "host"'
    hostile = "gpu-1' OR host =~ /.*/ OR host = '"
    assert influx.range_query(query, influx_last_point - 600, influx_last_point, 10, {"host": hostile}) == []
    found = influx.range_query(query, influx_last_point - 600, influx_last_point, 10, {"host": "gpu-1"})
    assert [(s.labels, s.last()) for s in found] == [({"host": "gpu-1"}, 2.5)]


def test_influxql_errors_are_the_servers_message(influx, influxd):
    raw = httpx.get(f"{influxd.url}/query", params={"db": "telegraf", "q": "SELEC x"}).json()
    with pytest.raises(BackendError) as caught:
        influx.one("SELEC x")
    assert str(caught.value) == raw["error"]
    with pytest.raises(BackendError, match="missing parameter: host"):
        influx.one('SELECT * FROM "mem" WHERE "host" = $host')
    missing_db = InfluxQLBackend(InfluxSource(url=influxd.url, database="nope", retries=0))
    with pytest.raises(BackendError, match="database not found: nope"):
        missing_db.one('SELECT * FROM "mem"')


def test_tag_values_for_dashboard_variables(influx):
    assert influx.variable_values("host") == sorted(INFLUX_HOSTS)


# -- Flux ---------------------------------------------------------------------------------------
# No InfluxDB 2.x server can run here (Debian ships 1.6, which has no /api/v2/query), so the Flux
# path is tested on annotated CSV in the format 2.x answers with, parsed by influxdb-client's own
# FluxCsvParser, and through the client's HTTP path against the stand-in server.

ANNOTATED_CSV = """#group,false,false,true,true,false,false,true,true,true
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,host
,,0,2026-11-29T05:00:00Z,2026-11-29T06:00:00Z,2026-11-29T05:59:50Z,42.5,used_percent,mem,gpu-1
,,1,2026-11-29T05:00:00Z,2026-11-29T06:00:00Z,2026-11-29T05:59:50Z,70,usage_idle,cpu,gpu-1
,,2,2026-11-29T05:00:00Z,2026-11-29T06:00:00Z,2026-11-29T05:59:40Z,2.5,load1,system,gpu-1
,,3,2026-11-29T05:00:00Z,2026-11-29T06:00:00Z,2026-11-29T05:29:50Z,12,used_percent,mem,old-1

"""
LAST = 1795931990.0  # 2026-11-29T05:59:50Z


def parse_with_client_library(text: str):
    from influxdb_client.client.flux_csv_parser import FluxCsvParser, FluxSerializationMode

    class Response(io.BytesIO):
        def release_conn(self):  # what the library calls on its urllib3 response
            pass

    parser = FluxCsvParser(response=Response(text.encode()), serialization_mode=FluxSerializationMode.tables)
    for _ in parser.generator():
        pass
    return parser.table_list()


def test_flux_tables_become_series_and_fleet_rows():
    series = tables_to_series(parse_with_client_library(ANNOTATED_CSV))
    assert [(s.name, s.labels, list(s.values)) for s in series] == [
        ("mem.used_percent", {"host": "gpu-1"}, [42.5]),
        ("cpu.usage_idle", {"host": "gpu-1"}, [70.0]),
        ("system.load1", {"host": "gpu-1"}, [2.5]),
        ("mem.used_percent", {"host": "old-1"}, [12.0]),
    ]
    assert series[0].times[0] == LAST
    rows = {row.host: row for row in fleet_from_flux(series, "flux", LAST + 10, stale_after=120)}
    assert rows["gpu-1"].values["cpu"] == 30.0 and rows["gpu-1"].values["load1"] == 2.5
    assert rows["gpu-1"].health == "up" and rows["old-1"].health == "stale"


def test_flux_variables_are_string_literals():
    text = expand_flux('filter(fn: (r) => r.host == $host)', {"host": 'a" or true or "${x}'}, 0, 60, 15)
    assert text.splitlines()[1] == 'filter(fn: (r) => r.host == "a\\" or true or \\"\\${x}")'
    assert 'windowPeriod: 15s' in text.splitlines()[0]


def test_flux_through_the_client_library_against_the_stand_in(misbehaving):
    misbehaving.flux_status, misbehaving.flux_body = 200, ANNOTATED_CSV
    settings = InfluxSource(name="v2", url=misbehaving.url("flux"), database="telegraf", org="ml",
                            language="flux", token="t0ken", retries=0)
    backend = FluxBackend(settings)
    try:
        rows = {row.host: row for row in backend.fleet(at=LAST + 10)}
        assert rows["gpu-1"].values["mem"] == 42.5
        assert misbehaving.requests[-2][0] == "/flux/ping"  # flavour checked once, before the first query
        path, headers, body = misbehaving.requests[-1]
        assert path.startswith("/flux/api/v2/query")
        assert headers["Authorization"] == "Token t0ken"
        assert b'from(bucket: \\"telegraf\\")' in body
        misbehaving.flux_status, misbehaving.flux_body = 400, '{"code":"invalid","message":"compilation failed: x"}'
        with pytest.raises(BackendError, match="HTTP 400: compilation failed: x"):
            backend.flux("x")
    finally:
        backend.close()


def test_flux_against_influxdb_1x_says_what_to_change(influxd):
    backend = FluxBackend(InfluxSource(name="v1", url=influxd.url, database="telegraf", language="flux", retries=0))
    with pytest.raises(BackendError, match=r"InfluxDB 1\.6\.\S+ has no Flux API \(2\.x needed\); "
                                           "set language: influxql for this source"):
        backend.fleet()
    backend.close()
