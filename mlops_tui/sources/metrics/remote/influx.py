"""InfluxDB: InfluxQL over /query with bound parameters (1.x, and 2.x/3.x through their v1 API),
Flux over /api/v2/query (2.x; influxdb-client's parser reads its CSV), server flavour from /ping, and Telegraf's host dashboards."""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

import httpx

from mlops_tui.secrets import mask_value
from mlops_tui.settings.metrics import InfluxSource
from mlops_tui.sources.metrics.remote.readonly import check_flux, check_influxql
from mlops_tui.sources.http import RETRYABLE_STATUS, BackendError, RetryPolicy, client_for, fetch, json_object, with_retries
from mlops_tui.sources.timespec import format_duration
from mlops_tui.sources.metrics.remote import FLEET_COLUMNS, ChartSpec, HostRow, RemoteSeries

# Telegraf's standard measurements, latest value per host (and per disk/interface where needed).
# $__from and $__to are bound parameters; nothing from the user is spliced into these.
FLEET_STATEMENTS: tuple[tuple[str, str], ...] = (
    ("cpu", """SELECT last("usage_idle") FROM "cpu" WHERE "cpu" = 'cpu-total' AND time >= $__from AND time <= $__to GROUP BY "host\""""),
    ("mem", 'SELECT last("used_percent") FROM "mem" WHERE time >= $__from AND time <= $__to GROUP BY "host"'),
    ("disk", 'SELECT last("used_percent") FROM "disk" WHERE time >= $__from AND time <= $__to GROUP BY "host", "path"'),
    ("disk_busy", 'SELECT non_negative_derivative("io_time", 1s) FROM "diskio" WHERE time >= $__from AND time <= $__to GROUP BY "host", "name"'),
    ("net", """SELECT non_negative_derivative("bytes_recv", 1s) AS "net_rx", non_negative_derivative("bytes_sent", 1s) AS "net_tx" FROM "net" WHERE "interface" != 'lo' AND time >= $__from AND time <= $__to GROUP BY "host", "interface\""""),
    ("load1", 'SELECT last("load1") FROM "system" WHERE time >= $__from AND time <= $__to GROUP BY "host"'),
)
FLEET_WINDOW = 3600.0

HOST_CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("CPU", """SELECT 100 - mean("usage_idle") FROM "cpu" WHERE "host" = $host AND "cpu" = 'cpu-total' AND $timeFilter GROUP BY time($__interval) fill(none)""", "%", warning=75, critical=90),
    ChartSpec("Memory", 'SELECT mean("used_percent") FROM "mem" WHERE "host" = $host AND $timeFilter GROUP BY time($__interval) fill(none)', "%", warning=80, critical=95),
    ChartSpec("Disk space", 'SELECT max("used_percent") FROM "disk" WHERE "host" = $host AND $timeFilter GROUP BY time($__interval) fill(none)', "%", warning=85, critical=95),
    ChartSpec("Network rx", """SELECT non_negative_derivative(mean("bytes_recv"), 1s) FROM "net" WHERE "host" = $host AND "interface" != 'lo' AND $timeFilter GROUP BY time($__interval), "interface" fill(none)""", "B/s", legend="{{interface}}"),
    ChartSpec("Load", 'SELECT mean("load1") FROM "system" WHERE "host" = $host AND $timeFilter GROUP BY time($__interval) fill(none)', ""),
)

_IDENT = re.compile(r"^\w+$")


def flavour_from_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    """('1.x' | '2.x' | '3.x' | 'unknown', version) from the headers of /ping."""
    version = headers.get("X-Influxdb-Version") or headers.get("x-influxdb-version") or ""
    major = re.match(r"^v?(\d+)\.", version.strip())
    if major:
        return f"{major.group(1)}.x", version
    return "unknown", version


def rfc3339(at: float) -> str:
    return datetime.fromtimestamp(at, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def expand_influxql(query: str, step: float) -> str:
    """Replace the $timeFilter and $__interval macros; every other $name stays a bound parameter."""
    return (query.replace("$timeFilter", "time >= $__from AND time <= $__to")
                 .replace("$__interval", format_duration(step)))


def flux_string(value: str) -> str:
    """A Flux string literal holding value exactly."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${").replace("\n", "\\n") + '"'


class _InfluxBase:
    kind = "influxdb"

    def __init__(self, settings: InfluxSource, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.name = settings.name
        self.client = client or client_for(settings)
        if not settings.gzip:  # on a LAN, compressing answers costs the server more than it saves
            self.client.headers["Accept-Encoding"] = "identity"
        if settings.token is not None:  # InfluxDB's scheme is "Token", not "Bearer"
            self.client.headers["Authorization"] = f"Token {settings.token.get_secret_value()}"
        self.policy = RetryPolicy(retries=settings.retries)
        self._where = f"{settings.name} ({mask_value('url', settings.url)})"  # no password from the URL

    def close(self) -> None:
        self.client.close()

    def ping(self) -> tuple[str, str]:
        """The server flavour and version from /ping's headers."""
        def call() -> httpx.Response:
            response = fetch(self.client, "/ping", where=self._where)
            if response.status_code >= 400:
                raise BackendError(f"{self._where}: /ping answered HTTP {response.status_code}",
                                   status=response.status_code, retryable=response.status_code in RETRYABLE_STATUS)
            return response
        return flavour_from_headers(with_retries(call, self.policy).headers)


class InfluxQLBackend(_InfluxBase):
    """InfluxQL over /query: 1.x natively, 2.x/3.x through their v1-compatible API."""

    def query(self, q: str, params: Mapping[str, Any] | None = None) -> list[list[RemoteSeries] | BackendError]:
        """Run one or more statements; each statement gives its series or its error."""
        check_influxql(q)
        query_params = {"db": self.settings.database, "epoch": "ms", "q": q}
        if params:
            query_params["params"] = json.dumps(dict(params))
        body = with_retries(lambda: self._request(query_params), self.policy)
        results = body.get("results")
        if not isinstance(results, list):
            raise BackendError(f"{self._where}: malformed answer to /query (no results)")
        out: list[list[RemoteSeries] | BackendError] = []
        for result in results:
            if not isinstance(result, dict):
                raise BackendError(f"{self._where}: malformed answer to /query")
            if "error" in result:
                out.append(BackendError(str(result["error"])))
            else:
                out.append(_parse_series(result.get("series", [])))
        return out

    def _request(self, params: Mapping[str, Any]) -> dict:
        response = fetch(self.client, "/query", params, where=self._where)
        body = json_object(response, self._where, "/query")
        if "error" in body:
            raise BackendError(str(body["error"]), status=response.status_code,
                               retryable=response.status_code in RETRYABLE_STATUS)
        if response.status_code >= 400:
            raise BackendError(f"{self._where}: HTTP {response.status_code} {response.reason_phrase}",
                               status=response.status_code, retryable=response.status_code in RETRYABLE_STATUS)
        return body

    def one(self, q: str, params: Mapping[str, Any] | None = None) -> list[RemoteSeries]:
        results = self.query(q, params)
        for result in results:
            if isinstance(result, BackendError):
                raise result
        return [series for result in results for series in result]  # type: ignore[union-attr]

    def range_query(self, query: str, start: float, end: float, step: float,
                    variables: Mapping[str, str] | None = None) -> list[RemoteSeries]:
        params = {**(variables or {}), "__from": rfc3339(start), "__to": rfc3339(end)}
        return self.one(expand_influxql(query, step), params)

    def variable_values(self, key: str) -> list[str]:
        quoted = '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
        values = {series.labels.get("value", "") for series in self.one(f"SHOW TAG VALUES WITH KEY = {quoted}")}
        return sorted(v for v in values if v)

    def host_charts(self, host: str) -> list[ChartSpec]:
        return list(HOST_CHARTS)

    def fleet(self, at: float | None = None) -> list[HostRow]:
        """Every host reporting Telegraf's cpu/mem/disk/diskio/net/system in the last hour."""
        end = at if at is not None else time.time()
        params = {"__from": rfc3339(end - FLEET_WINDOW), "__to": rfc3339(end)}
        results = self.query("; ".join(q for _, q in FLEET_STATEMENTS), params)
        rows: dict[str, HostRow] = {}
        errors = []
        for (key, _), result in zip(FLEET_STATEMENTS, results):
            if isinstance(result, BackendError):
                errors.append(f"{key}: {result}")
                continue
            per_host: dict[tuple[str, str], list[float]] = {}
            for series in result:
                host = series.labels.get("host")
                if not host or not len(series):
                    continue
                row = rows.setdefault(host, HostRow(host, self.name))
                seen = series.times[-1]
                row.last_seen = seen if row.last_seen is None else max(row.last_seen, seen)
                column = series.name.rsplit(".", 1)[-1]
                per_host.setdefault((host, column), []).append(series.values[-1])
            for (host, column), lasts in per_host.items():
                values = rows[host].values
                if key == "cpu":
                    values["cpu"] = 100.0 - lasts[0]
                elif key in ("mem", "load1"):
                    values[key] = lasts[0]
                elif key == "disk":
                    values["disk"] = max(lasts)
                elif key == "disk_busy":  # io_time counts busy milliseconds: per second, /10 is percent
                    values["disk_busy"] = max(lasts) / 10.0
                elif key == "net":
                    values[column] = sum(lasts)
        if errors and not rows:
            raise BackendError("; ".join(errors))
        for row in rows.values():
            row.values = {key: row.values.get(key) for key, _, _ in FLEET_COLUMNS}
            stale = row.last_seen is not None and end - row.last_seen > self.settings.stale_after
            row.health = "stale" if stale else "up"
            if stale:
                row.reason = f"no data since {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(row.last_seen))}"
        return sorted(rows.values(), key=lambda r: r.host)


def _parse_series(items: Iterable[Any]) -> list[RemoteSeries]:
    """InfluxQL series -> one RemoteSeries per value column (time first), labelled by tags."""
    out: list[RemoteSeries] = []
    try:
        for item in items:
            columns = item["columns"]
            tags = {str(k): str(v) for k, v in (item.get("tags") or {}).items()}
            if not columns or columns[0] != "time":  # SHOW ... answers: one series per row
                for row in item.get("values") or []:
                    labels = dict(tags)
                    labels.update({str(c): str(v) for c, v in zip(columns, row)})
                    out.append(RemoteSeries(item.get("name", ""), labels))
                continue
            value_columns = columns[1:]
            per_column = [RemoteSeries(f"{item.get('name', '')}.{c}", dict(tags)) for c in value_columns]
            for row in item.get("values") or []:
                at = row[0] / 1000.0
                for index, series in enumerate(per_column, start=1):
                    value = row[index]
                    series.append(at, math.nan if value is None else float(value))
            out.extend(per_column)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise BackendError(f"malformed answer from InfluxDB ({type(exc).__name__}: {exc})") from None
    return out


# -- Flux (InfluxDB 2.x) ------------------------------------------------------------------------

FLUX_HOST_CHARTS: tuple[ChartSpec, ...] = tuple(
    ChartSpec(title, 'from(bucket: $bucket) |> range(start: v.timeRangeStart, stop: v.timeRangeStop)'
                     f' |> filter(fn: (r) => r.host == $host and r._measurement == "{measurement}"'
                     f' and r._field == "{field}"{extra})'
                     ' |> aggregateWindow(every: v.windowPeriod, fn: mean, createEmpty: false)', unit)
    for title, measurement, field, extra, unit in (
        ("CPU idle", "cpu", "usage_idle", ' and r.cpu == "cpu-total"', "%"),
        ("Memory", "mem", "used_percent", "", "%"),
        ("Disk space", "disk", "used_percent", "", "%"),
        ("Load", "system", "load1", "", ""),
    )
)

_FLUX_FLEET = """from(bucket: $bucket)
  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)
  |> filter(fn: (r) => (r._measurement == "cpu" and r._field == "usage_idle" and r.cpu == "cpu-total")
      or (r._measurement == "mem" and r._field == "used_percent")
      or (r._measurement == "disk" and r._field == "used_percent")
      or (r._measurement == "system" and r._field == "load1"))
  |> last()"""

_FLUX_META = {"result", "table", "_start", "_stop", "_time", "_value", "_field", "_measurement"}


def expand_flux(query: str, variables: Mapping[str, str], start: float, end: float, step: float) -> str:
    """Declare v.timeRangeStart/Stop and v.windowPeriod, and put $name variables in as Flux strings."""
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        return flux_string(str(variables[key])) if key in variables else match.group(0)

    body = re.sub(r"\$(\w+)", replace, query)
    header = (f'option v = {{timeRangeStart: time(v: "{rfc3339(start)}"), timeRangeStop: time(v: "{rfc3339(end)}"),'
              f" windowPeriod: {format_duration(step)}}}\n")
    return header + body


def tables_to_series(tables: Iterable[Any]) -> list[RemoteSeries]:
    """influxdb-client FluxTables -> RemoteSeries named measurement.field, labelled by the other columns."""
    out: list[RemoteSeries] = []
    for table in tables:
        series: RemoteSeries | None = None
        for record in table.records:
            values = record.values
            if series is None:
                labels = {str(k): str(v) for k, v in values.items() if k not in _FLUX_META and v is not None}
                name = ".".join(str(values[k]) for k in ("_measurement", "_field") if values.get(k) is not None)
                series = RemoteSeries(name or "value", labels)
            at = record.get_time()
            value = record.get_value()
            series.append(at.timestamp() if at is not None else math.nan,
                          math.nan if value is None else float(value))
        if series is not None:
            out.append(series)
    return out


FLUX_DIALECT = {"header": True, "delimiter": ",", "annotations": ["datatype", "group", "default"],
                "commentPrefix": "#", "dateTimeFormat": "RFC3339"}
"""The annotated CSV that influxdb-client's parser reads (what the client itself asks for)."""


class _ReadAnswer:
    """The answer's bytes as influxdb-client's FluxCsvParser takes an already-read urllib3 response."""

    closed = True

    def __init__(self, data: bytes) -> None:
        self.data = data

    def close(self) -> None:
        pass


def parse_flux_csv(data: bytes, where: str) -> list[Any]:
    """FluxTables from an annotated CSV answer; a malformed one is a one-line BackendError."""
    from influxdb_client.client.flux_csv_parser import FluxCsvParser, FluxSerializationMode

    parser = FluxCsvParser(response=_ReadAnswer(data), serialization_mode=FluxSerializationMode.tables)
    try:
        list(parser.generator())
    except (ValueError, KeyError, IndexError, UnicodeDecodeError) as exc:
        raise BackendError(f"{where}: malformed Flux answer ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # FluxQueryException: the error row of a query that failed on the server
        if type(exc).__name__ == "FluxQueryException":
            raise BackendError(f"{where}: {getattr(exc, 'message', exc)}") from None
        raise
    return list(parser.table_list())


class FluxBackend(_InfluxBase):
    """Flux queries through influxdb-client, for InfluxDB 2.x (settings: database is the bucket)."""

    def __init__(self, settings: InfluxSource, client: httpx.Client | None = None) -> None:
        super().__init__(settings, client)
        self._checked = False
        self._signed_in = False

    def _check_flavour(self) -> None:
        """Flux needs 2.x: say so plainly for a 1.x server instead of its 404s."""
        if self._checked:
            return
        flavour, version = self.ping()
        if flavour == "1.x":
            raise BackendError(f"{self._where}: InfluxDB {version} has no Flux API (2.x needed); "
                               "set language: influxql for this source")
        self._checked = True

    def flux(self, query: str) -> list[RemoteSeries]:
        return tables_to_series(self.tables(query))

    def tables(self, query: str) -> list[Any]:
        """The FluxTables of a query, errors turned into BackendError, retried with backoff. The query is sent
        through sources/http.fetch like every other backend call, so its answer is held to
        limits.http_answer_bytes (refused as it streams in, not once all in memory) and the whole call to
        limits.http_deadline; influxdb-client's own transport (urllib3) had neither. Its CSV parser reads the
        annotated CSV."""
        check_flux(query)
        self._check_flavour()

        def call() -> list[Any]:
            self._sign_in()
            params = {"org": self.settings.org} if self.settings.org else None
            answer = fetch(self.client, "/api/v2/query", params, where=self._where, method="POST",
                           json_body={"query": query, "type": "flux", "dialect": FLUX_DIALECT},
                           headers={"Accept": "application/csv"})
            if answer.status_code >= 400:
                message = _flux_error(answer.content.decode("utf-8", "replace")) or answer.reason_phrase or "error"
                raise BackendError(f"HTTP {answer.status_code}: {message}", status=answer.status_code,
                                   retryable=answer.status_code in RETRYABLE_STATUS)
            return parse_flux_csv(answer.content, self._where)
        return with_retries(call, self.policy)

    def _sign_in(self) -> None:
        """With a username and password (no token), 2.x wants a session cookie from /api/v2/signin first (what
        influxdb-client does); the client keeps the cookie."""
        if self._signed_in or self.settings.token is not None or self.settings.username is None:
            return
        answer = fetch(self.client, "/api/v2/signin", where=self._where, method="POST")
        if answer.status_code >= 400:
            raise BackendError(f"{self._where}: sign-in answered HTTP {answer.status_code}",
                               status=answer.status_code, retryable=answer.status_code in RETRYABLE_STATUS)
        self._signed_in = True

    def _variables(self, variables: Mapping[str, str] | None) -> dict[str, str]:
        return {"bucket": self.settings.database, **(variables or {})}

    def range_query(self, query: str, start: float, end: float, step: float,
                    variables: Mapping[str, str] | None = None) -> list[RemoteSeries]:
        return self.flux(expand_flux(query, self._variables(variables), start, end, step))

    def variable_values(self, key: str) -> list[str]:
        query = ('import "influxdata/influxdb/schema"\n'
                 f"schema.tagValues(bucket: {flux_string(self.settings.database)}, tag: {flux_string(key)})")
        return sorted({str(record.get_value()) for table in self.tables(query) for record in table.records})

    def host_charts(self, host: str) -> list[ChartSpec]:
        return list(FLUX_HOST_CHARTS)

    def fleet(self, at: float | None = None) -> list[HostRow]:
        end = at if at is not None else time.time()
        return fleet_from_flux(self.range_query(_FLUX_FLEET, end - FLEET_WINDOW, end, 60.0), self.name, end,
                               self.settings.stale_after)


def fleet_from_flux(series: list[RemoteSeries], source: str, end: float, stale_after: float) -> list[HostRow]:
    """Fleet rows from the last() of Telegraf's cpu/mem/disk/system fields, as Flux returns them."""
    rows: dict[str, HostRow] = {}
    for item in series:
        host = item.labels.get("host")
        if not host or not len(item):
            continue
        row = rows.setdefault(host, HostRow(host, source))
        row.last_seen = max(row.last_seen or 0.0, item.times[-1])
        value = item.values[-1]
        if item.name == "cpu.usage_idle":
            row.values["cpu"] = 100.0 - value
        elif item.name == "mem.used_percent":
            row.values["mem"] = value
        elif item.name == "disk.used_percent":
            row.values["disk"] = max(value, row.values.get("disk") or value)
        elif item.name == "system.load1":
            row.values["load1"] = value
    for row in rows.values():
        row.values = {key: row.values.get(key) for key, _, _ in FLEET_COLUMNS}
        stale = row.last_seen is not None and end - row.last_seen > stale_after
        row.health = "stale" if stale else "up"
    return sorted(rows.values(), key=lambda r: r.host)


def _flux_error(body: Any) -> str:
    if not body:
        return ""
    try:
        data = json.loads(body)
        return str(data.get("message") or data.get("error") or body)
    except (ValueError, AttributeError):
        return str(body)[:500]


def backend_for(settings: InfluxSource) -> InfluxQLBackend | FluxBackend:
    return FluxBackend(settings) if settings.language == "flux" else InfluxQLBackend(settings)
