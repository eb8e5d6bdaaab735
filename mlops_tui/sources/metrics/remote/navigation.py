"""Where the Remote view is: the fleet, one host's charts or a dashboard, over which time range and $variables.

The view's state machine in plain Python: the view turns keys into these calls and renders the result;
the charts to fetch and the header line come from here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from mlops_tui.settings.metrics import Dashboard
from mlops_tui.sources.metrics.remote import ChartSpec, TimeRange

LIVE_SLACK = 30.0
"""Seconds: a window ending this close to now ends now (the Alerts pane asked for it a moment ago)."""


@dataclass
class RemoteNavigation:
    dashboards: list[Dashboard]
    time_range: TimeRange
    mode: str = "fleet"  # fleet, host, dashboard, query
    host: tuple[str, str] | None = None  # (source, host) of the host charts
    dashboard_index: int = -1
    variables: dict[str, str] = field(default_factory=dict)  # $name -> chosen value
    variable_choices: dict[str, list[str]] = field(default_factory=dict)
    query: tuple[str, str, str] | None = None  # (source, title, query) of the one chart open_query shows

    def dashboard(self) -> Dashboard | None:
        if self.mode != "dashboard" or not self.dashboards:
            return None
        return self.dashboards[self.dashboard_index % len(self.dashboards)]

    def open_host(self, source: str, host: str) -> None:
        self.mode, self.host = "host", (source, host)

    def open_query(self, source: str, title: str, query: str, start: float, end: float) -> list[tuple[str, ChartSpec]]:
        """One chart of `query` from source over [start, end] (an alert's moment); the chart to show. A window
        that ends now (an alert still active) follows the clock, as `last …` does."""
        self.mode, self.host, self.query = "query", None, (source, title, query)
        live = end >= time.time() - LIVE_SLACK
        self.time_range = TimeRange(max(60.0, end - start), None if live else end)
        return [(source, ChartSpec(title, query))]

    def to_fleet(self) -> bool:
        """Back to the fleet table; False when it is shown already."""
        if self.mode == "fleet":
            return False
        self.mode, self.host, self.query = "fleet", None, None
        return True

    def next_dashboard(self) -> Dashboard:
        """The next dashboard (the first one from the fleet or a host); its $variables start unchosen."""
        self.dashboard_index = (self.dashboard_index + 1) % len(self.dashboards)
        self.mode = "dashboard"
        self.variables, self.variable_choices = {}, {}
        return self.dashboards[self.dashboard_index]

    @staticmethod
    def panels(dashboard: Dashboard) -> list[tuple[str, ChartSpec]]:
        """(source, spec) of each panel of dashboard."""
        return [(panel.source, ChartSpec(panel.title, panel.query, panel.unit, panel.legend, panel.warning,
                                         panel.critical)) for panel in dashboard.panels]

    def values_arrived(self, dashboard: str, name: str, values: list[str]) -> bool:
        """The values of $name for dashboard; True when the chosen value changed (the charts need a refresh)."""
        current = self.dashboard()
        if current is None or current.name != dashboard:
            return False
        self.variable_choices[name] = values
        if values and self.variables.get(name) not in values:
            self.variables[name] = values[0]
            return True
        return False

    def next_value(self) -> bool:
        """Choose the next value of the first $variable; True when one was chosen."""
        if not self.variable_choices:
            return False
        name = next(iter(self.variable_choices))
        values = self.variable_choices[name]
        if not values:
            return False
        current = self.variables.get(name)
        self.variables[name] = values[(values.index(current) + 1) % len(values) if current in values else 0]
        return True

    def query_variables(self) -> dict[str, str]:
        """The $variables the charts' queries are filled with ($host on a host's charts)."""
        variables = dict(self.variables)
        if self.mode == "host" and self.host is not None:
            variables["host"] = self.host[1]
        return variables

    def acts(self, action: str, parameters: tuple = (), *, hosts: int = 0, sources: int = 0) -> bool:
        """Whether a key's action would change anything where the view is: the view shows (and runs) only
        those. The fleet shows each host's latest values, so the time range keys act on charts only."""
        charts = self.mode != "fleet"
        if action == "fleet":
            return charts
        if action == "open_host":
            return not charts and hosts > 0
        if action == "next_dashboard":
            return bool(self.dashboards)
        if action == "next_value":
            first = next(iter(self.variable_choices.values()), [])
            return self.mode == "dashboard" and len(first) > 1
        if action == "sort":
            return not charts and hosts > 1
        if action == "zoom":
            return charts and (not parameters or float(parameters[0]) > 1 or self.time_range.span > 60)
        if action == "pan":
            return charts and (not parameters or float(parameters[0]) < 0 or self.time_range.end is not None)
        if action in ("next_range", "custom_range"):
            return charts
        if action == "refresh":
            return sources > 0
        return True

    def header(self, hosts: int) -> str:
        """The view's one-line header: where it is, the time range of charts, and the keys that move on."""
        if self.mode == "fleet":
            keys = [key for key, action in (("s sort", "sort"), ("enter charts", "open_host"),
                                            ("d dashboards", "next_dashboard")) if self.acts(action, hosts=hosts)]
            return " · ".join([f"Fleet · {hosts} host{'' if hosts == 1 else 's'} (latest values)", *keys])
        if self.mode == "host" and self.host is not None:
            return f"Host {self.host[1]} ({self.host[0]}) · {self.time_range.label()} · esc fleet"
        if self.mode == "query" and self.query is not None:
            return f"Query {self.query[1]} ({self.query[0]}) · {self.time_range.label()} · esc fleet"
        dashboard = self.dashboard()
        name = dashboard.name if dashboard else "?"
        chosen = " ".join(f"${k}={v}" for k, v in self.variables.items())
        more = " · n next value" if self.acts("next_value") else ""
        return f"Dashboard {name} · {chosen + ' · ' if chosen else ''}{self.time_range.label()}{more}"
