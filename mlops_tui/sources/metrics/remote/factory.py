"""Opening a configured remote metrics source: the one place that knows the backends.

Kept apart from the model (`remote/__init__`) so the backends can import the model without a circle.
"""

from __future__ import annotations

from mlops_tui.sources.metrics.remote import RemoteSource


def source_names(settings) -> list[str]:
    """Names of the configured Prometheus and InfluxDB sources (metrics settings section)."""
    return [s.name for s in settings.prometheus] + [s.name for s in settings.influxdb]


class SourceConfigError(ValueError):
    """A metrics source that cannot be opened as configured (unknown name, ambiguous name, bad URL)."""


def open_source(settings, name: str) -> RemoteSource:
    """The backend for a source name of the metrics settings; SourceConfigError with a clear message otherwise."""
    import httpx

    from mlops_tui.sources.http import EndpointConfigError
    from mlops_tui.sources.metrics.remote.influx import backend_for
    from mlops_tui.sources.metrics.remote.prometheus import PrometheusBackend

    proms = [s for s in settings.prometheus if s.name == name]
    influxes = [s for s in settings.influxdb if s.name == name]
    if len(proms) + len(influxes) > 1:
        raise SourceConfigError(
            f"source name {name!r} is used by more than one entry of metrics.prometheus/metrics.influxdb")
    try:
        if proms:
            return PrometheusBackend(proms[0])
        if influxes:
            return backend_for(influxes[0])
    except EndpointConfigError as exc:
        raise SourceConfigError(f"source {name!r}: {exc}") from None
    except (httpx.InvalidURL, ValueError) as exc:
        raise SourceConfigError(f"source {name!r}: invalid url: {exc}") from None
    known = ", ".join(source_names(settings)) or "none configured (metrics.prometheus / metrics.influxdb)"
    raise SourceConfigError(f"no metrics source named {name!r}; known: {known}")
