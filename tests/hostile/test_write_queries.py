"""A query from the settings or the command line that would write to InfluxDB is refused before it is
sent (exit 2), against a real influxd 1.x: the database is the same afterwards. A statement's text inside
a string literal is not mistaken for a write."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from hostile.measure import count, ok_refusal, run
from remote.servers import influx_write, start_influxd

from mlops_tui.sources.metrics.remote.readonly import WriteRefused, check_flux, check_influxql


@pytest.fixture(scope="module")
def influxd(tmp_path_factory):
    server = start_influxd(tmp_path_factory.mktemp("influxd-writes"))
    influx_write(server, "telegraf", ["cpu,host=web-1 usage_idle=90 1700000000"])
    yield server
    server.stop()


def measurements(server) -> list[str]:
    query = urllib.parse.urlencode({"db": "telegraf", "q": "SHOW MEASUREMENTS"})
    with urllib.request.urlopen(f"{server.url}/query?{query}", timeout=10) as answer:
        series = json.load(answer)["results"][0].get("series", [])
    return sorted(value[0] for s in series for value in s["values"])


def source(server, language: str = "influxql") -> str:
    return (f"metrics.influxdb=[{{name: tig, url: '{server.url}', database: telegraf, language: {language}, "
            "timeout: 2, retries: 0}]")


@pytest.mark.parametrize("query", [
    'SELECT "usage_idle" INTO "copy" FROM "cpu"',
    'DROP MEASUREMENT "cpu"',
    'DELETE FROM "cpu"',
    'SELECT last("usage_idle") FROM "cpu"; DROP SERIES FROM "cpu"',
    'CREATE DATABASE "other"',
    'KILL QUERY 1',
])
def test_an_influxql_write_is_refused_before_it_is_sent(influxd, query):
    before = measurements(influxd)
    result = run([source(influxd), "metrics", "--source", "tig", "--query", query, "--since", "1h"])
    ok_refusal(result, 2, "refused")
    after = measurements(influxd)
    count("writes to repositories or backends", int(after != before))
    assert after == before == ["cpu"]


def test_a_read_whose_string_holds_write_words_runs(influxd):
    result = run([source(influxd), "metrics", "--source", "tig", "--since", "100000h", "--json", "--query",
                  """SELECT last("usage_idle") FROM "cpu" WHERE "host" != 'x; DROP MEASUREMENT cpu INTO y'"""])
    assert result.code == 0, result
    assert measurements(influxd) == ["cpu"]


def test_a_flux_write_is_refused_before_anything_is_sent(influxd):
    """The Flux source points at a 1.x server (no Flux API): a read gets that answer from the server (exit 3),
    a write is refused by mlops-tui first (exit 2)."""
    writing = 'from(bucket: "telegraf") |> range(start: -1h) |> to(bucket: "copy")'
    result = run([source(influxd, "flux"), "metrics", "--source", "tig", "--query", writing])
    ok_refusal(result, 2, "to()")
    result = run([source(influxd, "flux"), "metrics", "--source", "tig", "--query",
                  'from(bucket: "telegraf") |> range(start: -1h)'])
    assert result.code == 3 and "no Flux API" in result.err, result


@pytest.mark.parametrize("flux", [
    'import "experimental"\nfrom(bucket: "b") |> range(start: -1h) |> experimental.to(bucket: "c")',
    'import "influxdata/influxdb"\nfrom(bucket: "b") |> range(start: -1h) |> influxdb.wideTo(bucket: "c")',
    'import "sql"\nfrom(bucket: "b") |> range(start: -1h) |> sql.to(driverName: "postgres", dataSourceName: "x", table: "t")',
    'import "http"\nhttp.post(url: "http://example.invalid/", data: bytes(v: "x"))',
    'import "slack"\nslack.message(url: "u", channel: "#c", text: "t", color: "good")',
])
def test_flux_calls_that_write_or_send_are_refused(flux):
    with pytest.raises(WriteRefused):
        check_flux(flux)


@pytest.mark.parametrize("flux", [
    'from(bucket: "b") |> range(start: -1h, stop: now()) |> filter(fn: (r) => r._measurement == "to(")',
    '// |> to(bucket: "x")\nfrom(bucket: "b") |> range(start: -1h) |> aggregateWindow(every: 1m, fn: mean)',
])
def test_flux_reads_pass(flux):
    check_flux(flux)


@pytest.mark.parametrize("statement", ["SHOW MEASUREMENTS", "EXPLAIN SELECT * FROM cpu",
                                       "select mean(x) from cpu group by time(1m)", "SELECT x FROM \"INTO\""])
def test_influxql_reads_pass(statement):
    check_influxql(statement)
