"""Drift pane: which reference and current samples it compares."""

from __future__ import annotations

from pydantic import Field

from mlops_tui.settings.base import Section


class DriftSettings(Section):
    """The two samples the Drift pane compares (CSV, TSV, JSON lines, gzipped too, or Parquet)."""

    reference: str = ""
    """Path of the reference sample (the training data), relative to the working directory."""
    current: str = ""
    """Path of the current sample (what production sees now), compared with the reference."""
    columns: list[str] = Field(default_factory=list)
    """Compare only these columns (both samples must have them); empty: every column."""
