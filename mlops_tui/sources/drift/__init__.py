"""Data drift: is the current sample still distributed like the reference? Per column, with Evidently's tests.

One operation for the CLI, the alert engine and (later) the pane: `drift_files(reference, current, ...)`.
"""

from __future__ import annotations

from collections.abc import Callable

from mlops_tui.sources.drift.compare import TESTS, ColumnDrift, DriftReport, compare, default_test, parse_tests
from mlops_tui.sources.drift.read import Column, DriftInputError, DriftReadError, Sample, read_sample

__all__ = [
    "TESTS", "Column", "ColumnDrift", "DriftInputError", "DriftReadError", "DriftReport", "Sample",
    "compare", "default_test", "drift_files", "parse_tests", "read_sample",
]


def drift_files(reference: str, current: str, columns: list[str] | None = None,
                tests: dict[str, tuple[str, float | None]] | None = None,
                progress: Callable[[str, float], None] | None = None) -> DriftReport:
    """Read both files and compare them; DriftInputError (bad input) or DriftReadError (unreadable file).
    progress, when given, is called with the file being read and the share of it read, after each block."""
    def reading(path: str):
        return (lambda share: progress(path, share)) if progress else None

    return compare(read_sample(reference, reading(reference)), read_sample(current, reading(current)), columns, tests)
