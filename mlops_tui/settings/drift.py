"""Drift pane: which reference and current samples it compares."""

from __future__ import annotations

from pydantic import Field, model_validator

from mlops_tui.settings.base import Section


class DriftSettings(Section):
    """The two samples the Drift pane compares (CSV, TSV, JSON lines, gzipped too, or Parquet)."""

    reference: str = ""
    """Path of the reference sample (the training data), relative to the working directory."""
    current: str = ""
    """Path of the current sample (what production sees now), compared with the reference."""
    columns: list[str] = Field(default_factory=list)
    """Compare only these columns (both samples must have them); empty: every column."""
    log_field: str = ""
    """Compare this field of the log records (logs.files, else ./logs/*.log) over two time windows instead of two
    files: reference and current are then windows, START..END or a duration (`7d1h..7d` against `1h`), taken
    again at each reload (`r`)."""
    search: str = ""
    """With log_field: only the records matching this search (the Logs pane's grammar)."""
    metric: str = ""
    """Compare the values of this PromQL/InfluxQL query from the metrics source `source` over two time windows
    (as log_field)."""
    source: str = ""
    """With metric: the metrics.prometheus or metrics.influxdb source."""

    @model_validator(mode="after")
    def _windows(self) -> "DriftSettings":
        """Windows that parse, and one kind of series, refused at load with the key named."""
        if self.log_field and self.metric:
            raise ValueError("log_field and metric: compare one series")
        if self.metric and not self.source:
            raise ValueError("metric needs source: a metrics.prometheus or metrics.influxdb name")
        if self.log_field or self.metric:  # (imported only then: the drift package imports numpy, 0.13 s)
            from mlops_tui.sources.drift.read import DriftInputError
            from mlops_tui.sources.drift.windows import parse_window

            for key in ("reference", "current"):
                try:
                    parse_window(getattr(self, key) or "?")
                except DriftInputError as exc:
                    raise ValueError(f"{key}: {exc}") from None
        return self
