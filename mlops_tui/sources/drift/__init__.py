"""Data drift: is the current sample still distributed like the reference? Per column, with Evidently's tests.

One operation for the CLI, the alert engine and (later) the pane: `drift_files(reference, current, ...)`.
"""

from __future__ import annotations

from collections.abc import Callable

from mlops_tui.sources.drift.compare import TESTS, ColumnDrift, DriftReport, compare, default_test, parse_tests
from mlops_tui.sources.drift.read import Column, DriftInputError, DriftReadError, Sample, read_sample

__all__ = [
    "TESTS", "Column", "ColumnDrift", "DriftInputError", "DriftReadError", "DriftReport", "Sample",
    "compare", "default_test", "drift_files", "parse_tests", "read_sample", "read_spec",
]


def drift_files(reference: str, current: str, columns: list[str] | None = None,
                tests: dict[str, tuple[str, float | None]] | None = None,
                progress: Callable[[str, float], None] | None = None, repo: str | None = None) -> DriftReport:
    """Read both samples and compare them; DriftInputError (bad input) or DriftReadError (unreadable file).
    Each is a file, `REV:path` or `name@vX.Y.Z`/`name#stage` (the training data of that version) in the git
    repository repo (default: the working directory). progress, when given, is called with the file being
    read and the share of it read, after each block (from both readers' threads).

    Samples of files that together hold less than AT_ONCE_BYTES are read at once, one thread each: pyarrow
    parses without the GIL, so on two cores the reading takes about half the time. Bigger ones are read one
    after the other, which keeps the peak memory of the 20,000,000-row bench under its 500 MB bound (two
    readers at once took it to 505 MiB), and their columns are compared one at a time (two at once: 547 MiB).
    When one read fails, the other stops at its next block; the
    reference's error is the one raised when both fail."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    if _bytes(reference) + _bytes(current) >= AT_ONCE_BYTES:
        return compare(read_spec(reference, progress, repo), read_spec(current, progress, repo), columns, tests,
                       threads=1)

    failed = threading.Event()

    def read(spec: str) -> Sample:
        def tick(path: str, share: float) -> None:
            if failed.is_set():
                raise _Stopped
            if progress is not None:
                progress(path, share)

        try:
            return read_spec(spec, tick, repo)
        except BaseException:
            failed.set()
            raise

    with ThreadPoolExecutor(2, thread_name_prefix="drift-read") as pool:
        pending = [pool.submit(read, spec) for spec in (reference, current)]
        errors = [future.exception() for future in pending]
    real = [error for error in errors if error is not None and not isinstance(error, _Stopped)]
    if real:
        raise real[0]
    return compare(pending[0].result(), pending[1].result(), columns, tests)


AT_ONCE_BYTES = 1 << 30
"""Both samples are read at once when their files hold less than this together (see drift_files)."""


def _bytes(spec: str) -> int:
    """The size of the file spec names, when it is a plain file (0 for a revision, a model version, a folder)."""
    import os

    try:
        return os.stat(spec).st_size if os.path.isfile(spec) else 0
    except (OSError, ValueError):
        return 0


class _Stopped(Exception):
    """The other sample's read failed: this one stops (drift_files raises the other's error)."""


def read_spec(spec: str, progress: Callable[[str, float], None] | None = None, repo: str | None = None) -> Sample:
    """The sample spec names (a file, `REV:path` or a model version), errors and Sample.path naming the spec."""
    from mlops_tui.sources.drift.revisions import locate

    with locate(spec, repo) as where:
        if where.parts:  # a directory: its files as one sample
            return _read_parts(where, progress)
        try:
            sample = read_sample(where.path, (lambda share: progress(where.path, share)) if progress else None)
        except (DriftInputError, DriftReadError) as exc:
            if where.path == where.label:
                raise
            raise type(exc)(str(exc).replace(where.path, where.label)) from None
    sample.path = where.label
    return sample


def _read_parts(where, progress) -> Sample:
    from mlops_tui.sources.drift.combine import combine

    samples = []
    for path, shown in where.parts:
        try:
            sample = read_sample(path, (lambda share, path=path: progress(path, share)) if progress else None)
        except (DriftInputError, DriftReadError) as exc:
            raise type(exc)(str(exc).replace(path, f"{where.label}: {shown}")) from None
        samples.append((shown, sample))
        if len(samples) == 2:  # joined as they come: at most two files' values held at once
            samples = [(samples[0][0], combine(samples, where.label))]
    return combine(samples, where.label) if len(samples) > 1 else Sample(where.label, samples[0][1].rows, samples[0][1].columns)
