"""RecordedMetrics: a stand-in source replaying fixed series and fleet rows, for frozen snapshots.

Real servers are used everywhere else; snapshots need data whose timestamps do not move with the
wall clock, so this one replays a recording made at a fixed time (NOW).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from mlops_tui.sources.http import BackendError
from mlops_tui.sources.metrics.remote.prometheus import HOST_CHARTS
from mlops_tui.sources.metrics.remote import ChartSpec, HostRow, RemoteSeries

NOW = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC

FLEET = [
    HostRow("web-1:9100", "prom", {"cpu": 25.0, "mem": 75.0, "disk": 60.0, "disk_busy": 10.0, "net_rx": 1000.0,
                                   "net_tx": 500.0, "load1": 1.5}, "up", NOW - 15),
    HostRow("web-2:9100", "prom", {"cpu": 50.0, "mem": 25.0, "disk": 10.0, "disk_busy": 20.0, "net_rx": 3000.0,
                                   "net_tx": 250.0, "load1": 0.25}, "down", NOW - 15, "connection refused"),
    HostRow("gpu-1", "prom", {"cpu": 92.5, "mem": 88.0, "disk": 97.0, "disk_busy": 3.0, "net_rx": 2.5e6,
                              "net_tx": 1.2e6, "load1": 12.0}, "up", NOW - 10),
    HostRow("\x1b[31mevil\x1b[0m[b]host[/b]", "prom", {}, "unknown", None),
]


class RecordedMetrics:
    """Replays: fleet rows, and for each query a smooth series; queries put in `failing` answer with
    a timeout from then on, as a server that went slow would."""

    kind = "prometheus"

    def __init__(self, name: str = "prom") -> None:
        self.name = name
        self.failing: set[str] = set()  # queries, or "fleet"

    def fleet(self, at: float | None = None) -> list[HostRow]:
        if "fleet" in self.failing:
            raise BackendError("HTTP 500 Internal Server Error", status=500)
        return [HostRow(r.host, self.name, dict(r.values), r.health, r.last_seen, r.reason) for r in FLEET]

    def host_charts(self, host: str) -> list[ChartSpec]:
        return list(HOST_CHARTS)

    def variable_values(self, key: str) -> list[str]:
        return ["model-a:8000", "model-b:8000"]

    def range_query(self, query: str, start: float, end: float, step: float,
                    variables: Mapping[str, str] | None = None) -> list[RemoteSeries]:
        if query in self.failing:
            raise BackendError("timed out (ReadTimeout)", retryable=True)
        seed = sum(map(ord, query)) % 17
        series = RemoteSeries("value", {"instance": (variables or {}).get("host", "model-a:8000")})
        at = start
        index = 0
        while at <= end:
            series.append(at, 50 + 40 * math.sin((index + seed) / 9.0))
            at += step
            index += 1
        return [series]

    def close(self) -> None:
        pass
