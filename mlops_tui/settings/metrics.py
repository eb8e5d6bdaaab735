"""Metrics pane: local resources and remote Prometheus/InfluxDB series."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from mlops_tui.settings.base import Endpoint, Section
from mlops_tui.sources.timespec import parse_duration


class Thresholds(Section):
    """Warning and critical levels, in percent, for local resources."""

    cpu_warning: float = 75.0
    """CPU use (%) shown as a warning."""
    cpu_critical: float = 90.0
    """CPU use (%) shown as critical."""
    memory_warning: float = 80.0
    """Memory use (%) shown as a warning."""
    memory_critical: float = 95.0
    """Memory use (%) shown as critical."""
    disk_warning: float = 85.0
    """Filesystem use (%) shown as a warning."""
    disk_critical: float = 95.0
    """Filesystem use (%) shown as critical."""
    swap_warning: float = 50.0
    """Swap use (%) shown as a warning."""
    swap_critical: float = 80.0
    """Swap use (%) shown as critical."""
    gpu_warning: float = 90.0
    """GPU memory use (%) shown as a warning."""
    gpu_critical: float = 98.0
    """GPU memory use (%) shown as critical."""


class PrometheusSource(Endpoint):
    """A Prometheus server."""

    node_job: str = ".*node.*"
    """Regex of the scrape jobs whose targets are hosts (node_exporter) in the fleet table."""
    stale_after: float = Field(default=120.0, gt=0)
    """Seconds without a new sample after which a host is shown stale in the fleet table."""
    gzip: bool = False
    """Ask for gzip-compressed answers: worth it over slow links, but costs the server CPU."""


class InfluxSource(Endpoint):
    """An InfluxDB server (1.x InfluxQL, or 2.x/3.x through the v1 API or Flux)."""

    url: str = "http://127.0.0.1:8086"
    """Base URL of the server's HTTP API."""
    database: str = "telegraf"
    """Database (1.x) or bucket (2.x) to query."""
    org: str | None = None
    """Organisation, for Flux queries against 2.x."""
    language: Literal["influxql", "flux"] = "influxql"
    """Query language of the panels and the fleet table: influxql (1.x, 2.x/3.x v1 API) or flux (2.x)."""
    stale_after: float = Field(default=120.0, gt=0)
    """Seconds without a new point after which a host is shown stale in the fleet table."""
    gzip: bool = False
    """Ask for gzip-compressed answers: worth it over slow links, but costs the server CPU."""


class Panel(Section):
    """One chart of a user dashboard."""

    title: str = "panel"
    """Title shown above the chart."""
    source: str = "default"
    """Name of the Prometheus or InfluxDB source to query."""
    query: str = ""
    """PromQL or InfluxQL; $host and other variables are substituted safely."""
    unit: str = ""
    """Unit of the values: %, s, ms, B, B/s, req/s..."""
    warning: float | None = None
    """Value from which the panel shows a warning."""
    critical: float | None = None
    """Value from which the panel shows critical."""
    legend: str = ""
    """Legend template, e.g. {{instance}}."""


class Dashboard(Section):
    """A named set of panels sharing variables and a time range."""

    name: str = "dashboard"
    """Name shown in the dashboard picker."""
    variables: dict[str, str] = Field(default_factory=dict)
    """Variables and the label/tag whose values they range over, e.g. {host: instance}."""
    panels: list[Panel] = Field(default_factory=list)
    """Charts of the dashboard."""


class MetricsSettings(Section):
    """Local resource sampling and remote metric sources."""

    interval: float = Field(default=1.0, gt=0)
    """Seconds between local samples."""
    history: int = Field(default=3600, gt=0)
    """Samples kept per series (the ring buffer's size)."""
    top_processes: int = Field(default=50, gt=0)
    """Processes listed in the process table."""
    process_sort: Literal["cpu", "rss", "time", "pid", "name"] = "cpu"
    """Initial order of the process table (the s key cycles it; P, M, T and N choose one as in htop)."""
    thresholds: Thresholds = Field(default_factory=Thresholds)
    """Warning and critical levels for local resources."""
    prometheus: list[PrometheusSource] = Field(default_factory=list)
    """Prometheus servers."""
    influxdb: list[InfluxSource] = Field(default_factory=list)
    """InfluxDB servers."""
    dashboards: list[Dashboard] = Field(default_factory=list)
    """User dashboards over the remote sources."""
    time_range: str = "1h"
    """Default time range of remote charts: 15m, 1h, 6h, 24h."""

    @field_validator("time_range")
    @classmethod
    def _time_range_is_a_duration(cls, value: str) -> str:
        """Refused at load time, so a bad value is a settings error naming metrics.time_range."""
        parse_duration(value)
        return value
    remote_refresh: float = Field(default=15.0, gt=0)
    """Seconds between refreshes of the remote fleet table and charts (failures back off up to 8x)."""
