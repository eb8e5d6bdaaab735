"""Every drift statistic against scipy's reference implementation on real-shaped data, PSI by hand.

Tolerances: KS statistic to 1e-12 absolute (both are a maximum of the same CDF differences); its p-value to
1e-9 relative up to an effective size of 20,000 values and 1% beyond (Kolmogorov's limit); other p-values,
Wasserstein, chi-squared and Jensen-Shannon to 1e-9 relative (different summation order only).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sp
from scipy.spatial.distance import jensenshannon as sp_js

from mlops_tui.sources.drift import Column, compare, stats
from mlops_tui.sources.drift.compare import compare_column, default_test
from mlops_tui.sources.drift.read import text_column

RNG = np.random.default_rng(19)

NUMERIC = {
    "skewed (lognormal)": (RNG.lognormal(0, 1.2, 3000), RNG.lognormal(0.2, 1.2, 2500)),
    "heavy-tailed (t, 1.5 dof)": (RNG.standard_t(1.5, 4000), RNG.standard_t(1.5, 3000) * 1.3),
    "ties (rounded counts)": (RNG.poisson(3, 800).astype(float), RNG.poisson(3.4, 900).astype(float)),
    "medium, kstwo p-value": (RNG.normal(0, 1, 30_000), RNG.normal(0.01, 1, 25_000)),
    "large, Kolmogorov's limit": (RNG.normal(0, 1, 60_000), RNG.normal(0.01, 1, 40_000)),
    "tiny": (np.array([1.0, 2.0, 3.0]), np.array([2.5, 7.0])),
}


@pytest.mark.parametrize("name", NUMERIC)
def test_ks_agrees_with_scipy_ks_2samp(name):
    ref, cur = NUMERIC[name]
    d, p = stats.ks(np.sort(ref), np.sort(cur))
    expected = sp.ks_2samp(ref, cur)
    assert d == pytest.approx(expected.statistic, abs=1e-12)
    # Past an effective size n*m/(n+m) of 20,000 the p-value is Kolmogorov's limit: within 1% of scipy's.
    assert p == pytest.approx(expected.pvalue, rel=1e-2 if "limit" in name else 1e-9, abs=1e-300)


@pytest.mark.parametrize("name", NUMERIC)
def test_wasserstein_agrees_with_scipy(name):
    ref, cur = NUMERIC[name]
    assert stats.wasserstein(np.sort(ref), np.sort(cur)) == pytest.approx(sp.wasserstein_distance(ref, cur), rel=1e-9)
    norm = stats.wasserstein_norm(np.sort(ref), np.sort(cur))
    assert norm == pytest.approx(sp.wasserstein_distance(ref, cur) / np.std(ref), rel=1e-9)


def test_wasserstein_of_a_constant_reference_is_normalised_by_the_floor_of_0_001():
    ref, cur = np.full(500, 4.0), np.full(400, 4.5)
    assert stats.wasserstein_norm(ref, cur) == pytest.approx(0.5 / 0.001)
    assert stats.wasserstein_norm(ref, ref.copy()) == 0.0


CATEGORICAL = {
    "three categories": (RNG.choice(list("abc"), 2000, p=[0.5, 0.3, 0.2]), RNG.choice(list("abc"), 1500, p=[0.4, 0.3, 0.3])),
    "thousands of categories": (RNG.zipf(1.3, 20_000).astype(str), RNG.zipf(1.35, 15_000).astype(str)),
}


@pytest.mark.parametrize("name", CATEGORICAL)
def test_chisquare_agrees_with_scipy_chisquare(name):
    ref, cur = CATEGORICAL[name]
    keys, rc, cc = stats.counts(ref, cur)
    seen = rc > 0  # scipy divides by a zero expectation too; compare where the reference has the category
    only_seen = np.isin(cur, keys[seen])
    _, rc2, cc2 = stats.counts(ref, cur[only_seen])
    stat, p = stats.chisquare(rc2, cc2)
    expected = sp.chisquare(cc2, rc2 * cc2.sum() / rc2.sum())
    assert stat == pytest.approx(expected.statistic, rel=1e-9)
    assert p == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


def test_a_new_category_makes_chisquare_infinite_with_p_value_zero():
    _, rc, cc = stats.counts(np.array(["a"] * 50 + ["b"] * 50), np.array(["a"] * 40 + ["b"] * 40 + ["c"] * 20))
    stat, p = stats.chisquare(rc, cc)
    assert math.isinf(stat) and p == 0.0


@pytest.mark.parametrize("name", CATEGORICAL)
def test_jensenshannon_agrees_with_scipy(name):
    ref, cur = CATEGORICAL[name]
    rp, cp = stats.shares(ref, cur, numeric=False, fill_zeros=False)
    assert stats.jensenshannon(rp, cp) == pytest.approx(sp_js(rp, cp), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", ["skewed (lognormal)", "heavy-tailed (t, 1.5 dof)"])
def test_numeric_jensenshannon_bins_with_sturges_over_both_samples(name):
    ref, cur = NUMERIC[name]
    edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
    rp, cp = np.histogram(ref, edges)[0] / len(ref), np.histogram(cur, edges)[0] / len(cur)
    ours = stats.jensenshannon(*stats.shares(ref, cur, numeric=True, fill_zeros=False))
    assert ours == pytest.approx(sp_js(rp, cp), rel=1e-9)
    r, c = np.sort(ref), np.sort(cur)
    by_search = stats.sturges_shares(r, c, np.sort(np.concatenate([r, c])), fill_zeros=False)
    assert np.array_equal(by_search[0], rp) and np.array_equal(by_search[1], cp)


def test_psi_of_a_hand_checked_example():
    """Reference a/b 50/50, current 25/75: (0.5-0.25)ln(0.5/0.25) + (0.5-0.75)ln(0.5/0.75) = 0.274653."""
    ref = np.array(["a"] * 50 + ["b"] * 50)
    cur = np.array(["a"] * 25 + ["b"] * 75)
    assert stats.psi(*stats.shares(ref, cur, numeric=False, fill_zeros=True)) == pytest.approx(0.274653, abs=1e-6)


def test_psi_fills_an_empty_bin_so_it_stays_finite():
    """Current has a category the reference lacks: its reference share 0 becomes 0.0001.
    (0.5-0.4)ln(0.5/0.4) + (0.5-0.4)ln(0.5/0.4) + (0.0001-0.2)ln(0.0001/0.2) = 1.56478."""
    ref = np.array(["a"] * 50 + ["b"] * 50)
    cur = np.array(["a"] * 40 + ["b"] * 40 + ["c"] * 20)
    value = stats.psi(*stats.shares(ref, cur, numeric=False, fill_zeros=True))
    assert value == pytest.approx(2 * 0.1 * math.log(1.25) + (0.0001 - 0.2) * math.log(0.0001 / 0.2), rel=1e-9)


def test_z_test_matches_the_two_proportion_formula():
    ref = np.array(["no"] * 700 + ["yes"] * 300)
    cur = np.array(["no"] * 600 + ["yes"] * 400)
    _, rc, cc = stats.counts(ref, cur)
    p1, p2, pooled = 0.3, 0.4, 0.35
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (2 / 1000))
    assert stats.z_test(rc, cc) == pytest.approx(2 * sp.norm.sf(abs(z)), rel=1e-9)


def numeric(name, values):
    values = np.asarray(values, dtype=float)
    return Column(name, "numeric", values, missing=int(np.isnan(values).sum()))


def text(name, values):
    return text_column(name, values)


def test_default_tests_follow_evidentlys_rules():
    small_many = RNG.normal(size=1000)
    assert default_test(small_many, small_many, "numeric") == "ks"
    assert default_test(np.array([1.0, 2, 3, 4] * 10), np.array([1.0, 2, 3]), "numeric") == "chisquare"
    assert default_test(np.array([0.0, 1] * 10), np.array([0.0, 1]), "numeric") == "z"
    assert default_test(np.array(list("abc") * 10), np.array(list("ab")), "text") == "chisquare"
    assert default_test(np.array(list("ab") * 10), np.array(list("ab")), "text") == "z"
    big = RNG.normal(size=1001)
    assert default_test(big, big, "numeric") == "wasserstein"
    assert default_test(np.array([0.0, 1, 2] * 400), np.array([1.0]), "numeric") == "jensenshannon"
    assert default_test(np.array(list("ab") * 600), np.array(list("ab")), "text") == "jensenshannon"


def test_a_constant_column_that_stays_constant_does_not_drift():
    result = compare_column(numeric("c", [3.0] * 2000), numeric("c", [3.0] * 1500))
    assert result.test == "jensenshannon" and result.score == 0.0 and not result.drifted


def test_one_category_in_both_samples_does_not_drift():
    result = compare_column(text("t", ["x"] * 300), text("t", ["x"] * 200))
    assert (result.test, result.score, result.drifted) == ("z", 1.0, False)


def test_an_all_missing_column_is_reported_not_tested():
    result = compare_column(numeric("m", [np.nan] * 100), numeric("m", [1.0, 2.0]))
    assert result.test is None and not result.drifted
    assert result.missing == (1.0, 0.0)
    assert "no values" in result.note


def test_an_empty_current_sample_is_reported_not_tested():
    result = compare_column(numeric("x", RNG.normal(size=50)), numeric("x", []))
    assert result.test is None and result.rows == (50, 0) and not result.drifted


def test_missing_rates_and_new_categories():
    result = compare_column(text("t", ["a", "b", None, "a"]), text("t", ["a", "c", "c", None, None]))
    assert result.missing == (0.25, 0.4)
    assert result.new_categories == pytest.approx(2 / 3)


def test_the_dataset_drifts_when_at_least_half_of_the_tested_columns_do():
    from mlops_tui.sources.drift.read import Sample

    base = RNG.normal(size=2000)
    ref = Sample("ref", 2000, {"a": numeric("a", base), "b": numeric("b", base), "e": numeric("e", [np.nan] * 2000)})
    cur = Sample("cur", 2000, {"a": numeric("a", base + 1), "b": numeric("b", base), "e": numeric("e", [np.nan] * 2000)})
    report = compare(ref, cur)
    assert [c.column for c in report.columns] == ["a", "b", "e"]  # most drifted first, the untested last
    assert [c.drifted for c in report.columns] == [True, False, False]
    assert report.share == 0.5 and report.dataset_drift


def test_quantiles_agree_with_numpy():
    ref, cur = NUMERIC["skewed (lognormal)"]
    result = compare_column(numeric("x", ref), numeric("x", cur))
    for name, q in {"min": 0, "p5": 0.05, "p50": 0.5, "p95": 0.95, "max": 1}.items():
        assert result.quantiles[name][0] == pytest.approx(np.quantile(ref, q), rel=1e-12)
        assert result.quantiles[name][1] == pytest.approx(np.quantile(cur, q), rel=1e-12)
