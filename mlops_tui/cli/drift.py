"""`mlops-tui drift REFERENCE CURRENT`: has the data drifted? One row per column, most drifted first."""

from __future__ import annotations

import click

from mlops_tui.cli.common import EXIT_BACKEND, EXIT_FINDING, EXIT_USAGE, emit_json, fail
from mlops_tui.text import sanitize


@click.command()
@click.argument("reference", metavar="REFERENCE")
@click.argument("current", metavar="CURRENT")
@click.option("--columns", metavar="A,B", help="Compare only these columns (both samples must have them).")
@click.option("--test", "tests", metavar="COLUMN=TEST[:THRESHOLD]", multiple=True,
              help="The test of a column instead of the default: ks, wasserstein, psi, jensenshannon, chisquare, z; "
                   "optionally its threshold (col=psi:0.2). Repeatable.")
@click.option("--repo", metavar="PATH", default=None,
              help="Git repository for REV:path and name@vX.Y.Z / name#stage samples (default: models.repo).")
@click.option("--log-field", metavar="FIELD", default=None,
              help="Compare this field of the log records (logs.files, else ./logs/*.log) over two time windows: "
                   "REFERENCE and CURRENT are then windows START..END (8d..7d) or a duration (1h: the last hour).")
@click.option("--search", metavar="SEARCH", default="",
              help="With --log-field: only the records matching this search (the Logs pane's grammar).")
@click.option("--metric", metavar="QUERY", default=None,
              help="Compare the values of this PromQL/InfluxQL query's series over two time windows (as --log-field).")
@click.option("--source", metavar="NAME", default=None, help="With --metric: the metrics.prometheus/influxdb source.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--progress", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Show how much of each file is read, on stderr (auto: for files over 32 MiB).")
def drift(reference: str, current: str, columns: str | None, tests: tuple[str, ...], repo: str | None,
          log_field: str | None, search: str, metric: str | None, source: str | None, as_json: bool,
          progress: str) -> None:
    """Compare CURRENT with REFERENCE column by column (CSV, TSV, JSON lines, gzipped too; Parquet with pyarrow).

    Each is a file, REV:path (the file at a git revision) or name@vX.Y.Z / name#stage: the data file the
    dvc.lock stage that made that model version read, from the DVC cache or the workspace (nothing fetched).

    The test of each column is Evidently's default: up to 1000 reference values, KS for numeric columns with
    more than 5 distinct values, else chi-squared (more than 2 values) or a Z-test; above 1000, the Wasserstein
    distance over the reference's standard deviation (numeric), else the Jensen-Shannon distance. A column
    drifts when its p-value is at most 0.05 or its distance at least 0.1; the dataset when at least half of the
    columns do. Past 1,000,000 values a numeric column is a uniform sample of that many, and its line says
    so with the bounds on the KS and Wasserstein error. Exit 1 when the dataset drifted, 2 for bad input, 3
    for an unreadable file.

    Over time: --log-field FIELD (a field of the log records, --search to narrow them) or --metric QUERY
    --source NAME (a metric series' values); REFERENCE and CURRENT are then time windows, e.g.
    `drift --log-field latency_ms 7d1h..7d 1h` (the last hour against the same hour a week ago).
    """
    from mlops_tui.cli.common import given, refuse_unused
    from mlops_tui.sources.drift import DriftInputError, DriftReadError, compare, drift_files, parse_tests

    if not log_field:
        refuse_unused(given(search="--search"), "only with --log-field")
    if not metric:
        refuse_unused(given(source="--source"), "only with --metric")
    if log_field or metric:
        refuse_unused(given(repo="--repo", progress="--progress"), "only for sample files, not time windows")
    if log_field and metric:
        fail("--log-field and --metric: compare one kind of series at a time", EXIT_USAGE)
    if metric and not source:
        fail("--metric needs --source NAME (a metrics.prometheus or metrics.influxdb entry)", EXIT_USAGE)
    wanted = [c.strip() for c in columns.split(",") if c.strip()] if columns else None
    try:
        if log_field or metric:
            from mlops_tui.sources.drift.windows import window_samples

            samples = window_samples(_settings(), reference, current, log_field=log_field, search=search,
                                     metric=metric, source=source)
            report = compare(*samples, wanted, parse_tests(tests))
        else:
            report = drift_files(reference, current, wanted, parse_tests(tests), progress=_Progress(progress),
                                 repo=repo or _models_repo())
    except DriftReadError as exc:
        fail(str(exc), EXIT_BACKEND)
    except DriftInputError as exc:
        fail(str(exc), EXIT_USAGE)
    if as_json:
        emit_json(report_json(report))
    else:
        if log_field or metric:  # which windows were compared (a file's name says itself in each message)
            click.echo(sanitize(f"{report.current} against {report.reference}"))
        for line in report_lines(report):
            click.echo(sanitize(line))
    if report.dataset_drift:
        raise SystemExit(EXIT_FINDING)


def _models_repo() -> str | None:
    return _settings().models.repo or None


def _settings():
    from mlops_tui.cli.common import state

    return state().settings()


PROGRESS_BYTES = 32 * 2**20


class _Progress:
    """`reading FILE: 40%` on stderr: rewritten in place on a terminal (both files on one line: they are read
    at once), a line per tenth otherwise. Called from both readers' threads."""

    def __init__(self, mode: str) -> None:
        import sys
        import threading

        self.mode, self.err = mode, sys.stderr
        self.tty = self.err.isatty()
        self.shown: dict[str, int] = {}
        self.shares: dict[str, float] = {}
        self.lock = threading.Lock()

    def __call__(self, path: str, share: float) -> None:
        with self.lock:
            self._show(path, share)

    def _show(self, path: str, share: float) -> None:
        if path not in self.shown:
            if self.mode == "never":
                return
            if self.mode == "auto":
                try:
                    import os

                    if os.stat(path).st_size < PROGRESS_BYTES:
                        return
                except OSError:
                    return
            self.shown[path] = -1
        step = int(share * 10)
        if self.tty:
            self.shares[path] = share
            line = " · ".join(f"{sanitize(p)}: {s:.0%}" for p, s in self.shares.items())
            done = all(s >= 1 for s in self.shares.values())
            self.err.write(f"\r\x1b[Kreading {line}" + ("\n" if done else ""))
        elif step > self.shown[path]:
            self.err.write(f"reading {sanitize(path)}: {step * 10}%\n")
        self.shown[path] = step
        self.err.flush()


def _finite(value):
    """JSON has no Infinity or NaN: a chi-squared statistic made infinite by a new category is null."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    return value


def report_json(report) -> dict:
    return {
        "reference": report.reference,
        "current": report.current,
        "dataset_drift": report.dataset_drift,
        "drifted_columns": len(report.drifted),
        "tested_columns": len(report.tested),
        "share": report.share,
        "columns": [
            {"column": c.column, "type": c.kind, "test": c.test, "score": _finite(c.score), "p_value": _finite(c.p_value),
             "threshold": c.threshold, "drifted": c.drifted, "rows": list(c.rows),
             "missing": {"reference": c.missing[0], "current": c.missing[1]},
             "new_categories": c.new_categories, "stats": {k: _finite(v) for k, v in c.stats.items()}, "note": c.note or None,
             "sampled": list(c.sampled) if c.sampled else None, "bounds": c.bounds or None,
             "quantiles": {k: [_finite(a), _finite(b)] for k, (a, b) in c.quantiles.items()} or None,
             "histogram": {"bins": c.histogram[0], "reference": c.histogram[1].tolist(),
                           "current": c.histogram[2].tolist()} if c.histogram else None}
            for c in report.columns
        ],
    }


def _num(value: float | None) -> str:
    if value is None or value != value:
        return "-"
    if value == float("inf"):
        return "inf"
    return f"{value:.3g}" if abs(value) < 1e-3 and value != 0 else f"{value:.4f}"


def report_lines(report) -> list[str]:
    width = max([len("column")] + [len(c.column) for c in report.columns])
    lines = [f"{'column':<{width}}  {'type':<7} {'test':<13} {'score':>9} {'p-value':>9}  verdict   missing ref/cur"]
    for c in report.columns:
        verdict = "DRIFT" if c.drifted else ("no data" if c.test is None else "ok")
        missing = f"{c.missing[0]:.1%}/{c.missing[1]:.1%}"
        extra = f"  new categories {c.new_categories:.1%}" if c.new_categories else ""
        extra += f"  ({c.note})" if c.note else ""
        lines.append(f"{c.column:<{width}}  {c.kind:<7} {c.test or '-':<13} {_num(c.score):>9} {_num(c.p_value):>9}"
                     f"  {verdict:<8}  {missing}{extra}")
    verdict = "drift" if report.dataset_drift else "no drift"
    lines.append(f"dataset: {verdict}: {len(report.drifted)} of {len(report.tested)} columns drifted "
                 f"({report.share:.0%}; drift at 50% or more)")
    return lines
