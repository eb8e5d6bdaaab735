"""Comparing a reference sample with a current one, column by column, and the dataset's verdict.

The test of each column is Evidently's default unless one is chosen (`col=ks`): with at most 1000 reference
values, KS for a numeric column of more than 5 distinct values, otherwise chi-squared (more than 2 values) or a
two-proportion Z-test; above 1000, the normalised Wasserstein distance for a numeric column of more than 5
distinct values, otherwise the Jensen-Shannon distance. A column drifts when its p-value is at most the threshold
(0.05 by default) or its distance at least the threshold (0.1); the dataset drifts when at least half of the
tested columns do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mlops_tui.sources.drift import stats
from mlops_tui.sources.drift.read import Column, DriftInputError, Sample

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
            tests: dict[str, tuple[str, float | None]] | None = None) -> DriftReport:
    """Drift of every column (or of `columns`) of current against reference; DriftInputError when the two
    samples do not have the same columns or a column's type differs."""
    tests = tests or {}
    names = _columns(reference, current, columns)
    for name in tests:
        if name not in names:
            raise DriftInputError(f"--test names column {name!r}, which is not compared (columns: {', '.join(names)})")
    if reference.rows == 0:
        raise DriftInputError(f"{reference.path}: the reference has no rows")
    results = [compare_column(reference.columns[n], current.columns[n], reference.path, current.path, tests.get(n))
               for n in names]
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
    r, c = _present(ref, kind), _present(cur, kind)
    missing = (ref.missing / ref.rows if ref.rows else 0.0, cur.missing / cur.rows if cur.rows else 0.0)
    result = ColumnDrift(ref.name, kind, None, None, None, False, (len(r), len(c)), missing)
    if kind == "text" and len(c):
        result.new_categories = float(np.mean(~np.isin(c, np.unique(r)))) if len(r) else 1.0
    if chosen and chosen[0] not in ("psi", "jensenshannon", "chisquare", "z") and kind not in TESTS[chosen[0]][2]:
        raise DriftInputError(f"--test {ref.name}={chosen[0]}: {chosen[0]} needs a numeric column; {ref.name!r} is {kind}")
    if len(r) == 0 or len(c) == 0:
        result.note = f"no values in {ref_path if len(r) == 0 else cur_path}"
        return result
    result.stats = _statistics(r, c, kind)
    test = chosen[0] if chosen else default_test(r, c, kind)
    threshold = chosen[1] if chosen and chosen[1] is not None else TESTS[test][1]
    score = _score(test, r, c, kind, result.stats)
    result.test, result.score, result.threshold = test, score, threshold
    if TESTS[test][0] == "p_value":
        result.drifted = score == score and score <= threshold
    else:
        result.drifted = score >= threshold
    return result


def _present(column: Column, kind: str) -> np.ndarray:
    if column.kind == "empty":
        return np.array([], dtype=np.float64 if kind == "numeric" else object)
    if kind == "numeric":
        values = column.values[~np.isnan(column.values)]
        values.sort()
        return values
    return column.values[column.values != None].astype(str)  # noqa: E711 (elementwise comparison)


def distinct(r: np.ndarray, c: np.ndarray) -> int:
    return len(np.union1d(np.unique(r), np.unique(c)))


def default_test(r: np.ndarray, c: np.ndarray, kind: str) -> str:
    """Evidently's default test (`_get_default_stattest`) for present values r (reference) and c (current)."""
    n_values = distinct(r, c)
    if len(r) <= 1000:
        if kind == "numeric" and n_values > 5:
            return "ks"
        return "chisquare" if n_values > 2 else "z"
    if kind == "numeric" and n_values > 5:
        return "wasserstein"
    return "jensenshannon"


def _statistics(r: np.ndarray, c: np.ndarray, kind: str) -> dict[str, float | None]:
    rp, cp = stats.shares(r, c, kind == "numeric", fill_zeros=True)
    out: dict[str, float | None] = {"psi": stats.psi(rp, cp)}
    if kind == "numeric":
        cdfs = stats._cdfs(r, c)
        out["ks_statistic"], out["ks_p_value"] = stats.ks(r, c, cdfs)
        out["wasserstein_norm"] = stats.wasserstein_norm(r, c, cdfs)
    else:
        _, rc, cc = stats.counts(r, c)
        out["chi2"], out["chi2_p_value"] = stats.chisquare(rc, cc)
        rs, cs = stats.shares(r, c, False, fill_zeros=False)
        out["jensenshannon"] = stats.jensenshannon(rs, cs)
    return out


def _score(test: str, r: np.ndarray, c: np.ndarray, kind: str, computed: dict) -> float:
    if test == "ks":
        return computed["ks_p_value"]
    if test == "wasserstein":
        return computed["wasserstein_norm"]
    if test == "psi":
        return computed["psi"]
    if test == "jensenshannon":
        if "jensenshannon" not in computed:
            computed["jensenshannon"] = stats.jensenshannon(*stats.shares(r, c, kind == "numeric", fill_zeros=False))
        return computed["jensenshannon"]
    _, rc, cc = stats.counts(r, c)
    if test == "chisquare":
        if "chi2_p_value" not in computed:
            computed["chi2"], computed["chi2_p_value"] = stats.chisquare(rc, cc)
        return computed["chi2_p_value"]
    computed["z_p_value"] = stats.z_test(rc, cc)
    return computed["z_p_value"]
