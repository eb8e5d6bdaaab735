"""Prometheus over its HTTP API: range/instant queries, discovery, target health, node_exporter fleet."""

from __future__ import annotations

import re
import time
from array import array
from collections.abc import Mapping
from typing import Any

import httpx

from mlops_tui.secrets import mask_value
from mlops_tui.settings.metrics import PrometheusSource
from mlops_tui.sources.http import RETRYABLE_STATUS, BackendError, RetryPolicy, client_for, fetch, json_object, with_retries
from mlops_tui.sources.timespec import format_duration
from mlops_tui.sources.metrics.remote import ChartSpec, HostRow, RemoteSeries, choose_step

_FS = 'fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|nsfs|proc|sysfs|autofs"'

# Fleet columns from node_exporter, one value per instance at the query time.
FLEET_QUERIES: dict[str, str] = {
    "cpu": '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))',
    "mem": "100 * (1 - max by (instance) (node_memory_MemAvailable_bytes)"
           " / max by (instance) (node_memory_MemTotal_bytes))",
    "disk": f"100 * max by (instance) (1 - node_filesystem_avail_bytes{{{_FS}}}"
            f" / node_filesystem_size_bytes{{{_FS}}})",
    "disk_busy": "100 * max by (instance) (rate(node_disk_io_time_seconds_total[5m]))",
    "net_rx": 'sum by (instance) (rate(node_network_receive_bytes_total{device!="lo"}[5m]))',
    "net_tx": 'sum by (instance) (rate(node_network_transmit_bytes_total{device!="lo"}[5m]))',
    "load1": "max by (instance) (node_load1)",
}
_SEEN = "max by (instance) (timestamp(node_load1))"

# Charts of one host ($host is the instance), drawn when a fleet row is selected.
HOST_CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("CPU", '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle",instance="$host"}'
                     "[$__rate_interval])))", "%", warning=75, critical=90),
    ChartSpec("Memory", '100 * (1 - node_memory_MemAvailable_bytes{instance="$host"}'
                        ' / node_memory_MemTotal_bytes{instance="$host"})', "%", warning=80, critical=95),
    ChartSpec("Disk space", f'100 * max by (instance) (1 - node_filesystem_avail_bytes{{instance="$host",{_FS}}}'
                            f' / node_filesystem_size_bytes{{instance="$host",{_FS}}})', "%", warning=85, critical=95),
    ChartSpec("Disk busy", '100 * max by (instance) (rate(node_disk_io_time_seconds_total{instance="$host"}'
                           "[$__rate_interval]))", "%"),
    ChartSpec("Network rx", 'sum by (instance) (rate(node_network_receive_bytes_total{instance="$host",device!="lo"}'
                            "[$__rate_interval]))", "B/s"),
    ChartSpec("Network tx", 'sum by (instance) (rate(node_network_transmit_bytes_total{instance="$host",device!="lo"}'
                            "[$__rate_interval]))", "B/s"),
    ChartSpec("Load", 'node_load1{instance="$host"}', ""),
)

_VARIABLE = re.compile(r"\$(\w+)")


def promql_string(value: str) -> str:
    """value escaped for use inside a double-quoted PromQL string (the query supplies the quotes)."""
    return (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n"))


def expand(query: str, variables: Mapping[str, str], step: float, span: float) -> str:
    """Substitute $name variables (escaped as PromQL string content) and the $__interval macros."""
    macros = {
        "__interval": format_duration(step),
        "__rate_interval": format_duration(max(4 * step, 60.0)),
        "__range": format_duration(max(span, 1.0)),
    }

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in macros:
            return macros[key]
        if key in variables:
            return promql_string(str(variables[key]))
        return match.group(0)

    return _VARIABLE.sub(replace, query)


class PrometheusBackend:
    """One Prometheus server, from its settings entry."""

    kind = "prometheus"

    def __init__(self, settings: PrometheusSource, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.name = settings.name
        self.client = client or client_for(settings)
        if not settings.gzip:  # on a LAN, compressing a 24 h answer costs the server more than it saves
            self.client.headers["Accept-Encoding"] = "identity"
        self.policy = RetryPolicy(retries=settings.retries)

    def close(self) -> None:
        self.client.close()

    # -- HTTP -------------------------------------------------------------------------------
    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return with_retries(lambda: self._request(path, params), self.policy)

    def _request(self, path: str, params: Mapping[str, Any] | None) -> Any:
        where = f"{self.name} ({mask_value('url', self.settings.url)})"
        response = fetch(self.client, path, params, where=where)
        body = json_object(response, where, path)
        if body.get("status") == "error" or response.status_code >= 400:
            error = body.get("error") or f"HTTP {response.status_code} {response.reason_phrase}"
            kind = body.get("errorType")
            raise BackendError(f"{kind}: {error}" if kind else str(error), status=response.status_code,
                               retryable=response.status_code in RETRYABLE_STATUS)
        if "data" not in body:
            raise BackendError(f"{where}: malformed answer to {path} (no data)", status=response.status_code)
        return body["data"]

    # -- API --------------------------------------------------------------------------------
    def instant(self, query: str, at: float | None = None) -> list[RemoteSeries]:
        params: dict[str, Any] = {"query": query}
        if at is not None:
            params["time"] = f"{at:.3f}"
        return _parse_result(self._get("/api/v1/query", params))

    def range_query(self, query: str, start: float, end: float, step: float,
                    variables: Mapping[str, str] | None = None) -> list[RemoteSeries]:
        step = max(step, choose_step(end - start, 10_999))
        expr = expand(query, variables or {}, step, end - start)
        data = self._get("/api/v1/query_range",
                         {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:g}"})
        return _parse_result(data)

    def series(self, match: str, start: float | None = None, end: float | None = None) -> list[dict[str, str]]:
        params: dict[str, Any] = {"match[]": match}
        if start is not None:
            params["start"] = f"{start:.3f}"
        if end is not None:
            params["end"] = f"{end:.3f}"
        return list(self._get("/api/v1/series", params))

    def labels(self) -> list[str]:
        return sorted(self._get("/api/v1/labels"))

    def variable_values(self, key: str) -> list[str]:
        """Values of a label: `instance`, or Grafana's `label_values(selector, instance)` for one metric's."""
        scoped = re.fullmatch(r"\s*label_values\(\s*(.+?)\s*,\s*([a-zA-Z_]\w*)\s*\)\s*", key)
        if scoped:
            selector, label = scoped.groups()
            return sorted({s[label] for s in self.series(selector) if label in s})
        if not re.fullmatch(r"[a-zA-Z_]\w*", key):
            raise BackendError(f"not a Prometheus label name: {key!r}")
        return sorted(self._get(f"/api/v1/label/{key}/values"))

    def targets(self) -> list[dict[str, Any]]:
        return list(self._get("/api/v1/targets", {"state": "active"}).get("activeTargets", []))

    def host_charts(self, host: str) -> list[ChartSpec]:
        return list(HOST_CHARTS)

    def fleet(self, at: float | None = None) -> list[HostRow]:
        """Every node_exporter host with its latest values and the health of its scrape target."""
        rows: dict[str, HostRow] = {}

        def row(host: str) -> HostRow:
            return rows.setdefault(host, HostRow(host, self.name))

        for key, query in FLEET_QUERIES.items():
            for series in self.instant(query, at):
                host = series.labels.get("instance")
                if host is not None:
                    row(host).values[key] = series.last()
        for series in self.instant(_SEEN, at):
            host = series.labels.get("instance")
            if host is not None and series.last() is not None:
                row(host).last_seen = series.last()
        job = self.settings.node_job
        for series in self.instant(f'max by (instance, job) (up{{job=~"{promql_string(job)}"}})', at):
            host = series.labels.get("instance")
            if host is not None:
                row(host).health = "up" if series.last() == 1 else "down"
        if any(r.health == "down" for r in rows.values()):
            for target in self.targets():
                host = target.get("labels", {}).get("instance")
                if host in rows and target.get("lastError"):
                    rows[host].reason = str(target["lastError"])
        now = at if at is not None else time.time()
        for r in rows.values():
            r.values = {key: r.values.get(key) for key in FLEET_QUERIES}
            if r.health == "unknown" and r.last_seen is not None:
                r.health = "up" if now - r.last_seen <= self.settings.stale_after else "stale"
        return sorted(rows.values(), key=lambda r: r.host)


def _parse_result(data: Any) -> list[RemoteSeries]:
    try:
        kind = data["resultType"]
        result = data["result"]
        if kind == "scalar":
            at, value = result
            series = RemoteSeries("scalar")
            series.append(float(at), float(value))
            return [series]
        if kind == "string":
            raise BackendError("the query returned a string, not series")
        out = []
        for item in result:
            labels = {str(k): str(v) for k, v in item.get("metric", {}).items()}
            points = item["values"] if "values" in item else [item["value"]]
            out.append(RemoteSeries(labels.pop("__name__", "") or "value", labels,
                              array("d", [point[0] for point in points]),
                              array("d", [float(point[1]) for point in points])))
        return out
    except (KeyError, TypeError, ValueError) as exc:
        raise BackendError(f"malformed answer from Prometheus ({type(exc).__name__}: {exc})") from None
