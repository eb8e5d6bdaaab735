"""The drift statistics on two samples of one column, missing values already dropped.

Each agrees with scipy's reference implementation (tests/drift check it): the KS statistic and Wasserstein
distance are computed from one sort of both samples, so one merge serves both; p-values come from scipy's
distributions (scipy's exact KS p-value for samples up to 10,000 values, as `ks_2samp` chooses; above, scipy's
`kstwo` at the effective size n*m/(n+m) up to 20,000, as ks_2samp(method='asymp'), and Kolmogorov's limiting
distribution beyond, within 1% of it: kstwo's tail takes seconds at that size). Binned statistics (PSI, Jensen-Shannon) bin as Evidently does.
"""

from __future__ import annotations

import math

import numpy as np

KS_EXACT_MAX = 10_000  # scipy.stats.ks_2samp's MAX_AUTO_N: exact p-values up to this many values per sample
KS_KSTWO_MAX = 20_000  # effective sizes up to which kstwo.sf answers in milliseconds


def ks(ref_sorted: np.ndarray, cur_sorted: np.ndarray, cdfs=None,
       populations: tuple[int, int] | None = None) -> tuple[float, float]:
    """Two-sided two-sample Kolmogorov-Smirnov: (statistic, p-value), as scipy.stats.ks_2samp(method='auto').
    populations: the sizes of the columns the sorted samples were drawn from, when they are samples: the
    p-value is that of the statistic at those sizes."""
    n1, n2 = populations or (len(ref_sorted), len(cur_sorted))
    gap, _, last = cdfs if cdfs is not None else _cdfs(ref_sorted, cur_sorted)
    d = float(np.max(np.abs(gap[last])))
    if max(n1, n2) <= KS_EXACT_MAX and (n1, n2) == (len(ref_sorted), len(cur_sorted)):
        from scipy.stats import ks_2samp

        return d, float(ks_2samp(ref_sorted, cur_sorted).pvalue)
    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = np.round(m * n / (m + n))
    if en <= KS_KSTWO_MAX:
        from scipy.stats import kstwo

        return d, float(min(1.0, kstwo.sf(d, en)))
    from scipy.special import kolmogorov

    return d, float(min(1.0, kolmogorov(math.sqrt(en) * d)))


def _cdfs(u: np.ndarray, v: np.ndarray):
    """Both sorted samples merged, with the difference of their empirical CDFs at every merged point: (cdf of u -
    cdf of v, merged values, mask of the last point of each run of equal values). The merge is a stable sort of
    the two concatenated, which finds the two sorted runs and merges them in one pass; stable, each u comes
    before the v's equal to it. Within a run of ties the running counts are not yet the CDF; only the run's
    last point is (KS reads those; Wasserstein weighs every point by the gap to the next, which is 0 inside a
    run). A million values a side take about 60 MB."""
    n1, n2 = len(u), len(v)
    both = np.concatenate([u, v])
    order = np.argsort(both, kind="stable")
    both = both[order]
    index = np.int64 if n1 + n2 >= 2**31 else np.int32
    count_u = np.cumsum(order < n1, dtype=index)
    del order
    gap = count_u / n1
    gap -= (np.arange(1, n1 + n2 + 1, dtype=index) - count_u) / n2
    del count_u
    last = np.empty(n1 + n2, dtype=bool)
    np.not_equal(both[1:], both[:-1], out=last[:-1])
    last[-1:] = True
    return gap, both, last


def sorted_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, their counts) of a sorted array, as np.unique(values, return_counts=True) without
    sorting again."""
    if not len(values):
        return values[:0], np.zeros(0, np.int64)
    ends = np.flatnonzero(np.append(values[1:] != values[:-1], True))
    return values[ends], np.diff(np.append(-1, ends))


SAMPLE_CONFIDENCE = 0.999  # the KS bound holds with this probability (Dvoretzky-Kiefer-Wolfowitz, Massart's constant)
WASSERSTEIN_FACTOR = 4  # the Wasserstein bound: this many times the bound on its expected error


def sampling_bounds(ref_sorted: np.ndarray, cur_sorted: np.ndarray, populations: tuple[int, int]) -> dict[str, float]:
    """How far the KS statistic and the normalised Wasserstein distance of two uniform samples (without
    replacement) can be from those of the whole columns they were drawn from.

    KS: each sample's empirical CDF is within eps = sqrt(ln(2/a) / 2n) of its column's everywhere with probability
    1 - a (DKW, Massart's tight constant; a = (1 - SAMPLE_CONFIDENCE) / 2 per sample), so the statistic is within
    the sum of both eps. Wasserstein: by the triangle inequality the error is at most W(sample, column) of each
    side, whose expectation is at most the integral of sqrt(F(1-F)(N-n)/(n(N-1))) dx (the standard deviation of
    the empirical CDF at x, sampled without replacement; Bobkov and Ledoux), estimated on the sample;
    the bound is WASSERSTEIN_FACTOR times it, divided by the reference's standard deviation as the distance is.
    tests/drift/test_sampling.py draws samples and checks that the errors stay within both bounds."""
    alpha = (1 - SAMPLE_CONFIDENCE) / 2
    ks_bound = 0.0
    w_bound = 0.0
    for values, population in zip((ref_sorted, cur_sorted), populations):
        n = len(values)
        if n == 0 or n >= population:
            continue
        ks_bound += math.sqrt(math.log(2 / alpha) / (2 * n))
        f = np.arange(1, n) / n
        spread = float(np.sum(np.sqrt(f * (1 - f)) * np.diff(values)))
        w_bound += WASSERSTEIN_FACTOR * spread * math.sqrt((population - n) / (n * (population - 1)))
    return {"ks_statistic": ks_bound, "wasserstein_norm": w_bound / max(float(np.std(ref_sorted)), 0.001)}


def wasserstein(ref_sorted: np.ndarray, cur_sorted: np.ndarray, cdfs=None) -> float:
    """First Wasserstein distance (earth mover's), as scipy.stats.wasserstein_distance."""
    gap, both, _ = cdfs if cdfs is not None else _cdfs(ref_sorted, cur_sorted)
    return float(np.dot(np.abs(gap[:-1]), np.diff(both)))


def wasserstein_norm(ref_sorted: np.ndarray, cur_sorted: np.ndarray, cdfs=None) -> float:
    """Wasserstein distance divided by the reference's standard deviation (at least 0.001), as Evidently."""
    return wasserstein(ref_sorted, cur_sorted, cdfs) / max(float(np.std(ref_sorted)), 0.001)


def counts(ref: np.ndarray, cur: np.ndarray, presorted: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(categories, reference counts, current counts) over the union of both samples' values, sorted.
    presorted: both arrays are sorted already (numeric columns as compare holds them)."""
    if presorted:
        (ref_keys, ref_n), (cur_keys, cur_n) = sorted_counts(ref), sorted_counts(cur)
    else:
        ref_keys, ref_n = np.unique(ref, return_counts=True)
        cur_keys, cur_n = np.unique(cur, return_counts=True)
    keys = np.union1d(ref_keys, cur_keys)
    rc = np.zeros(len(keys), dtype=np.int64)
    cc = np.zeros(len(keys), dtype=np.int64)
    rc[np.searchsorted(keys, ref_keys)] = ref_n
    cc[np.searchsorted(keys, cur_keys)] = cur_n
    return keys, rc, cc


def chisquare(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[float, float]:
    """Pearson's chi-squared goodness of fit of the current counts to the reference's proportions (Evidently's
    chisquare test; scipy.stats.chisquare(cur, ref * n_cur / n_ref)): (statistic, p-value). A category the
    reference never saw has expected count 0: the statistic is infinite and the p-value 0."""
    from scipy.special import chdtrc

    expected = ref_counts * (cur_counts.sum() / ref_counts.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = (cur_counts - expected) ** 2 / expected
    terms[(expected == 0) & (cur_counts == 0)] = 0.0
    stat = float(terms.sum())
    dof = len(ref_counts) - 1
    if dof < 1:
        return stat, float("nan")
    return stat, float(chdtrc(dof, stat))


def z_test(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """Two-proportion z-test on the share of the first category (two categories at most), as Evidently: p-value."""
    from scipy.special import ndtr

    if len(ref_counts) <= 1:
        return 1.0  # one value in both samples: the same distribution
    n1, n2 = ref_counts.sum(), cur_counts.sum()
    p1, p2 = 1 - ref_counts[0] / n1, 1 - cur_counts[0] / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    denom = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if denom == 0:
        return 1.0
    return float(2 * (1 - ndtr(abs((p1 - p2) / denom))))


def shares(ref: np.ndarray, cur: np.ndarray, numeric: bool, fill_zeros: bool) -> tuple[np.ndarray, np.ndarray]:
    """Evidently's binning: numeric columns with more than 20 distinct reference values fall into Sturges bins
    over both samples; anything else has one bin per value. With fill_zeros, an empty bin gets a small share
    (0.0001, or a millionth of the smallest share when that is smaller) so logarithms stay finite (PSI)."""
    if numeric and len(np.unique(ref)) > 20:
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        rp = np.histogram(ref, edges)[0] / len(ref)
        cp = np.histogram(cur, edges)[0] / len(cur)
    else:
        _, rc, cc = counts(ref, cur)
        rp, cp = rc / len(ref), cc / len(cur)
    if fill_zeros:
        rp, cp = _fill(rp), _fill(cp)
    return rp, cp


def sturges_shares(ref_sorted: np.ndarray, cur_sorted: np.ndarray, both: np.ndarray,
                   fill_zeros: bool) -> tuple[np.ndarray, np.ndarray]:
    """`shares` for a numeric column of more than 20 distinct values, from sorted samples: the same bins as
    np.histogram (each [edge, next edge), the last closed), counted by binary search instead of a pass."""
    edges = np.histogram_bin_edges(both, bins="sturges")
    out = []
    for values in (ref_sorted, cur_sorted):
        below = np.searchsorted(values, edges[:-1], side="left")
        out.append(np.diff(np.append(below, len(values))) / len(values))
    return (_fill(out[0]), _fill(out[1])) if fill_zeros else (out[0], out[1])


def _fill(p: np.ndarray) -> np.ndarray:
    nonzero = p[p != 0]
    if len(nonzero) == 0:
        return p
    smallest = nonzero.min()
    return np.where(p == 0, smallest / 10**6 if smallest <= 0.0001 else 0.0001, p)


def psi(ref_shares: np.ndarray, cur_shares: np.ndarray) -> float:
    """Population stability index: sum over bins of (ref - cur) * ln(ref / cur), on zero-filled shares."""
    return float(np.sum((ref_shares - cur_shares) * np.log(ref_shares / cur_shares)))


def jensenshannon(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon distance (natural log), as scipy.spatial.distance.jensenshannon: the square root of the
    mean Kullback-Leibler divergence of each distribution from their average."""
    p = p / p.sum()
    q = q / q.sum()
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_p = np.where(p > 0, p * np.log(p / m), 0.0).sum()
        kl_q = np.where(q > 0, q * np.log(q / m), 0.0).sum()
    return float(math.sqrt(max((kl_p + kl_q) / 2, 0.0)))
