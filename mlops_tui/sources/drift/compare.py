"""Comparing a reference sample with a current one, column by column, and the dataset's verdict.

The test of each column is Evidently's default unless one is chosen (`col=ks`): with at most 1000 reference
values, KS for a numeric column of more than 5 distinct values, otherwise chi-squared (more than 2 values) or a
two-proportion Z-test; above 1000, the normalised Wasserstein distance for a numeric column of more than 5
distinct values, otherwise the Jensen-Shannon distance. A column drifts when its p-value is at most the threshold
(0.05 by default) or its distance at least the threshold (0.1); the dataset drifts when at least half of the
tested columns do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from mlops_tui.sources.drift import stats
from mlops_tui.sources.drift.read import FEW, Column, DriftInputError, Sample, text_column

# test -> (kind of score, default threshold, column kinds it applies to)
TESTS = {
    "ks": ("p_value", 0.05, ("numeric",)),
    "chisquare": ("p_value", 0.05, ("numeric", "text")),
    "z": ("p_value", 0.05, ("numeric", "text")),
    "wasserstein": ("distance", 0.1, ("numeric",)),
    "jensenshannon": ("distance", 0.1, ("numeric", "text")),
    "psi": ("distance", 0.1, ("numeric", "text")),
}
DATASET_SHARE = 0.5  # the dataset drifts when at least this share of the tested columns drift
HISTOGRAM_BINS = 12  # bins of the small histograms drawn per column
COMPARE_THREADS = 2  # columns compared at once (each holds its merged CDFs, about 60 MB at 1,000,000 values a side:
# the 20,000,000-row bench peaks at 547 MiB with two, 442 MiB with one, so drift_files uses one for big files)
QUANTILES = {"min": 0.0, "p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95, "max": 1.0}


@dataclass
class ColumnDrift:
    column: str
    kind: str  # numeric or text
    test: str | None  # None: nothing to test (a sample has no values in this column)
    score: float | None  # the test's p-value or distance
    threshold: float | None
    drifted: bool
    rows: tuple[int, int]  # values present in reference, current
    missing: tuple[float, float]  # share of missing values in reference, current
    new_categories: float | None = None  # text columns: share of current values the reference never had
    stats: dict[str, float | None] = field(default_factory=dict)  # every statistic computed for this column
    note: str = ""
    sampled: tuple[int, int] | None = None  # numeric values used per sample, when a sample stood for the column
    bounds: dict[str, float] = field(default_factory=dict)  # statistic -> bound on its error from sampling
    histogram: tuple[list[str], np.ndarray, np.ndarray] | None = None  # bin labels, reference and current shares
    quantiles: dict[str, tuple[float, float]] = field(default_factory=dict)  # numeric: "p50" -> (ref, cur)

    @property
    def p_value(self) -> float | None:
        return self.score if self.test and TESTS[self.test][0] == "p_value" else None

    @property
    def severity(self) -> float:
        """How far past (above 1) or short of its threshold the score is, comparable across tests."""
        if self.test is None or self.score is None or self.score != self.score:
            return -1.0
        if TESTS[self.test][0] == "p_value":
            return self.threshold / max(self.score, 1e-300)
        return self.score / self.threshold


@dataclass
class DriftReport:
    reference: str
    current: str
    columns: list[ColumnDrift]  # most drifted first

    @property
    def tested(self) -> list[ColumnDrift]:
        return [c for c in self.columns if c.test is not None]

    @property
    def drifted(self) -> list[ColumnDrift]:
        return [c for c in self.columns if c.drifted]

    @property
    def share(self) -> float:
        return len(self.drifted) / len(self.tested) if self.tested else 0.0

    @property
    def dataset_drift(self) -> bool:
        return bool(self.tested) and self.share >= DATASET_SHARE

    def column(self, name: str) -> ColumnDrift:
        return next(c for c in self.columns if c.column == name)


def parse_tests(specs: list[str] | tuple[str, ...]) -> dict[str, tuple[str, float | None]]:
    """`col=ks` or `col=psi:0.2` (a threshold) -> {col: (test, threshold)}; DriftInputError when malformed."""
    out: dict[str, tuple[str, float | None]] = {}
    for spec in specs:
        column, sep, rest = spec.partition("=")
        test, _, threshold = rest.partition(":")
        if not sep or not column or test not in TESTS:
            raise DriftInputError(f"--test {spec!r}: expected COLUMN=TEST[:THRESHOLD] with TEST one of {', '.join(TESTS)}")
        try:
            value = float(threshold) if threshold else None
        except ValueError:
            raise DriftInputError(f"--test {spec!r}: threshold {threshold!r} is not a number") from None
        out[column] = (test, value)
    return out


def compare(reference: Sample, current: Sample, columns: list[str] | None = None,
            tests: dict[str, tuple[str, float | None]] | None = None, threads: int = COMPARE_THREADS) -> DriftReport:
    """Drift of every column (or of `columns`) of current against reference; DriftInputError when the two
    samples do not have the same columns or a column's type differs. Up to `threads` columns are compared at
    once (1: one after the other, the least memory)."""
    tests = tests or {}
    names = _columns(reference, current, columns)
    for name in tests:
        if name not in names:
            raise DriftInputError(f"--test names column {name!r}, which is not compared (columns: {', '.join(names)})")
    if reference.rows == 0:
        raise DriftInputError(f"{reference.path}: the reference has no rows")
    def one(name: str) -> ColumnDrift:
        return compare_column(reference.columns[name], current.columns[name], reference.path, current.path,
                              tests.get(name))

    workers = min(len(names), os.cpu_count() or 1, threads)
    if workers > 1:  # numpy sorts, merges and sums without the GIL: the columns are compared side by side
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers, thread_name_prefix="drift-compare") as pool:
            results = list(pool.map(one, names))  # in column order: the first column's error is the one raised
    else:
        results = [one(name) for name in names]
    results.sort(key=lambda c: (-c.severity, c.column))
    return DriftReport(reference.path, current.path, results)


def _columns(reference: Sample, current: Sample, wanted: list[str] | None) -> list[str]:
    ref, cur = list(reference.columns), list(current.columns)
    if wanted:
        for name in wanted:
            where = [s.path for s, cols in ((reference, ref), (current, cur)) if name not in cols]
            if where:
                raise DriftInputError(f"column {name!r} is not in {' nor '.join(where)}")
        return list(dict.fromkeys(wanted))
    only_ref = [c for c in ref if c not in current.columns]
    only_cur = [c for c in cur if c not in reference.columns]
    if only_ref or only_cur:
        parts = []
        if only_ref:
            parts.append(f"only in {reference.path}: {', '.join(only_ref)}")
        if only_cur:
            parts.append(f"only in {current.path}: {', '.join(only_cur)}")
        raise DriftInputError("the samples have different columns (" + "; ".join(parts) + "); choose with --columns")
    return ref


def compare_column(ref: Column, cur: Column, ref_path: str = "reference", cur_path: str = "current",
                   chosen: tuple[str, float | None] | None = None) -> ColumnDrift:
    kinds = {ref.kind, cur.kind} - {"empty"}
    if len(kinds) > 1:
        raise DriftInputError(f"column {ref.name!r} is {ref.kind} in {ref_path} but {cur.kind} in {cur_path}")
    kind = kinds.pop() if kinds else "numeric"
    if chosen and kind not in TESTS[chosen[0]][2]:
        raise DriftInputError(f"--test {ref.name}={chosen[0]}: {chosen[0]} needs a numeric column; {ref.name!r} is {kind}")
    data = _Prepared(ref, cur, kind)
    missing = (ref.missing / ref.rows if ref.rows else 0.0, cur.missing / cur.rows if cur.rows else 0.0)
    result = ColumnDrift(ref.name, kind, None, None, None, False, (data.n_ref, data.n_cur), missing)
    if kind == "text" and data.n_cur:
        result.new_categories = float(data.cur_counts[data.ref_counts == 0].sum() / data.n_cur)
    if data.n_ref == 0 or data.n_cur == 0:
        result.note = f"no values in {ref_path if data.n_ref == 0 else cur_path}"
        return result
    result.stats = data.statistics()
    result.histogram = data.histogram()
    if kind == "numeric":
        result.quantiles = data.quantiles()
        if data.sampled:
            result.sampled = (len(data.r), len(data.c))
            result.bounds = data.bounds()
            result.note = sample_note(result)
    test = chosen[0] if chosen else data.default_test()
    threshold = chosen[1] if chosen and chosen[1] is not None else TESTS[test][1]
    score = data.score(test, result.stats)
    result.test, result.score, result.threshold = test, score, threshold
    if TESTS[test][0] == "p_value":
        result.drifted = score == score and score <= threshold
    else:
        result.drifted = score >= threshold
    return result


class _Prepared:
    """One column's present values, prepared once for every statistic: numeric values sorted (with the merged
    sort and CDFs that KS and Wasserstein share), text values counted per category."""

    def __init__(self, ref: Column, cur: Column, kind: str) -> None:
        self.kind = kind
        self._counts: tuple[np.ndarray, np.ndarray] | None = None
        self.sampled = False
        if kind == "numeric":
            self.r, self.c = _sorted_present(ref), _sorted_present(cur)
            self.n_ref, self.n_cur = max(ref.present, len(self.r)), max(cur.present, len(self.c))
            self.sampled = ref.sampled or cur.sampled
            self.populations = (self.n_ref, self.n_cur)
            self.cdfs = stats._cdfs(self.r, self.c) if self.n_ref and self.n_cur else None
            self.few = (ref.few, cur.few) if self.sampled and ref.few is not None and cur.few is not None else None
            if self.sampled:  # the distinct values of the whole column, counted while it was read
                self.ref_distinct = len(ref.few) if ref.few is not None else FEW + 1
                self.distinct = len(set(ref.few) | set(cur.few)) if self.few else FEW + 1
            else:
                if self.cdfs:
                    self.distinct = int(np.count_nonzero(self.cdfs[2]))
                else:
                    both = np.concatenate([self.r, self.c])
                    self.distinct = 1 + int(np.count_nonzero(np.diff(both))) if len(both) else 0
                self.ref_distinct = 1 + int(np.count_nonzero(self.r[1:] != self.r[:-1])) if self.n_ref else 0
        else:
            self._counts, self._names = _category_counts(ref, cur)
            self.n_ref, self.n_cur = int(self._counts[0].sum()), int(self._counts[1].sum())
            self.distinct = self.ref_distinct = len(self._counts[0])

    @property
    def ref_counts(self) -> np.ndarray:
        return self.counts()[0]

    @property
    def cur_counts(self) -> np.ndarray:
        return self.counts()[1]

    def counts(self) -> tuple[np.ndarray, np.ndarray]:
        if self._counts is None:
            if self.few:  # exact counts of a few-valued column, whatever was sampled
                keys = sorted(set(self.few[0]) | set(self.few[1]))
                self._counts = (np.array([self.few[0].get(k, 0) for k in keys], np.int64),
                                np.array([self.few[1].get(k, 0) for k in keys], np.int64))
            else:
                self._keys, rc, cc = stats.counts(self.r, self.c, presorted=True)
                self._counts = rc, cc
        return self._counts

    def default_test(self) -> str:
        """Evidently's default test (`_get_default_stattest`)."""
        if self.n_ref <= 1000:
            if self.kind == "numeric" and self.distinct > 5:
                return "ks"
            return "chisquare" if self.distinct > 2 else "z"
        if self.kind == "numeric" and self.distinct > 5:
            return "wasserstein"
        return "jensenshannon"

    def shares(self, fill_zeros: bool) -> tuple[np.ndarray, np.ndarray]:
        """Evidently's bins: Sturges bins over both samples for numeric columns of more than 20 distinct
        reference values, one bin per value otherwise (see stats.shares)."""
        if self.kind == "numeric" and self.ref_distinct > 20:
            return stats.sturges_shares(self.r, self.c, self.cdfs[1], fill_zeros)
        rc, cc = self.counts()
        rp, cp = rc / rc.sum(), cc / cc.sum()
        return (stats._fill(rp), stats._fill(cp)) if fill_zeros else (rp, cp)

    def statistics(self) -> dict[str, float | None]:
        out: dict[str, float | None] = {"psi": stats.psi(*self.shares(fill_zeros=True))}
        if self.kind == "numeric":
            out["ks_statistic"], out["ks_p_value"] = stats.ks(self.r, self.c, self.cdfs, self.populations)
            out["wasserstein_norm"] = stats.wasserstein_norm(self.r, self.c, self.cdfs)
        else:
            out["chi2"], out["chi2_p_value"] = stats.chisquare(*self.counts())
            out["jensenshannon"] = stats.jensenshannon(*self.shares(fill_zeros=False))
        return out

    def bounds(self) -> dict[str, float]:
        """Bounds on the sampling error of the statistics that need every value (see stats.sampling_bounds)."""
        return stats.sampling_bounds(self.r, self.c, self.populations)

    def quantiles(self) -> dict[str, tuple[float, float]]:
        out = {}
        for name, q in QUANTILES.items():
            out[name] = (_quantile(self.r, q), _quantile(self.c, q))
        return out

    def histogram(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Shares of both samples in the same bins, to draw side by side: for a numeric column of more than
        a few values, HISTOGRAM_BINS equal bins over both samples' range; else one bin per value (text: the
        most frequent ones, the rest as `other`)."""
        if self.kind == "numeric" and not (self.few or self.distinct <= HISTOGRAM_BINS):
            low, high = min(self.r[0], self.c[0]), max(self.r[-1], self.c[-1])
            edges = np.linspace(low, high, HISTOGRAM_BINS + 1)
            shares = []
            for values in (self.r, self.c):
                below = np.searchsorted(values, edges[:-1], side="left")
                shares.append(np.diff(np.append(below, len(values))) / len(values))
            return [f"{e:.4g}" for e in edges[:-1]], shares[0], shares[1]
        rc, cc = self.counts()
        keys = self.category_names()
        rp, cp = rc / max(rc.sum(), 1), cc / max(cc.sum(), 1)
        if len(keys) <= HISTOGRAM_BINS:
            return keys, rp, cp
        top = np.argsort(-(rp + cp), kind="stable")[:HISTOGRAM_BINS - 1]
        rest = np.ones(len(keys), bool)
        rest[top] = False
        return ([keys[i] for i in top] + ["other"], np.append(rp[top], rp[rest].sum()), np.append(cp[top], cp[rest].sum()))

    def category_names(self) -> list[str]:
        if self.kind == "text":
            return self._names
        if self.few:
            return [f"{k:g}" for k in sorted(set(self.few[0]) | set(self.few[1]))]
        self.counts()
        return [f"{k:g}" for k in self._keys]

    def score(self, test: str, computed: dict) -> float:
        if test == "jensenshannon" and "jensenshannon" not in computed:
            computed["jensenshannon"] = stats.jensenshannon(*self.shares(fill_zeros=False))
        elif test == "chisquare" and "chi2_p_value" not in computed:
            computed["chi2"], computed["chi2_p_value"] = stats.chisquare(*self.counts())
        elif test == "z":
            computed["z_p_value"] = stats.z_test(*self.counts())
        key = {"ks": "ks_p_value", "wasserstein": "wasserstein_norm", "psi": "psi", "jensenshannon": "jensenshannon",
               "chisquare": "chi2_p_value", "z": "z_p_value"}[test]
        return computed[key]


def _sorted_present(column: Column) -> np.ndarray:
    if column.kind == "empty":
        return np.array([], dtype=np.float64)
    if column.ordered:
        return column.values
    values = column.values
    missing = np.isnan(values)
    values = values[~missing] if missing.any() else values.copy()
    values.sort()
    return values


def _category_counts(ref: Column, cur: Column) -> tuple[tuple[np.ndarray, np.ndarray], list[str]]:
    """Counts per category of both samples over the union of their categories, sorted by category (the
    Z-test's first category is the smallest, as Evidently's), and the categories in that order."""
    index = {cat: i for i, cat in enumerate(ref.categories)}
    to_union = np.array([index.setdefault(cat, len(index)) for cat in cur.categories], dtype=np.int64)
    k = len(index)
    rc, cc = np.zeros(k, np.int64), np.zeros(k, np.int64)
    if ref.kind == "text":
        rc[:len(ref.counts)] = ref.counts
    if cur.kind == "text" and len(to_union):
        cc[to_union] = cur.counts
    names = list(index)
    order = np.argsort(np.array(names, dtype=str), kind="stable")
    return (rc[order], cc[order]), [names[i] for i in order]


def _quantile(values: np.ndarray, q: float) -> float:
    """np.quantile's default (linear) on already sorted values, without sorting them again."""
    if not len(values):
        return float("nan")
    position = q * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return float(values[low] + (values[high] - values[low]) * (position - low))


def sample_note(result: ColumnDrift) -> str:
    """What a sample changes, said with the result: how many values stood for how many, and the bounds."""
    (sr, sc), (nr, nc) = result.sampled, result.rows
    sizes = f"{sr:,} of {nr:,}" if (sr, nr) == (sc, nc) else f"{sr:,} of {nr:,} / {sc:,} of {nc:,}"
    return (f"uniform sample of {sizes} values: KS within \u00b1{result.bounds.get('ks_statistic', 0.0):.2g}, "
            f"Wasserstein within \u00b1{result.bounds.get('wasserstein_norm', 0.0):.2g}")


def default_test(r: np.ndarray, c: np.ndarray, kind: str) -> str:
    """Evidently's default test for the present values r (reference) and c (current) of a column."""
    if kind == "numeric":
        return _Prepared(Column("", kind, r), Column("", kind, c), kind).default_test()
    return _Prepared(text_column("", r), text_column("", c), kind).default_test()
