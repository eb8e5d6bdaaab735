"""Past SAMPLE_SIZE numeric values a column is a uniform sample: the KS statistic and the Wasserstein distance
of the samples stay within the bounds the report states, for the skewed and heavy-tailed shapes that real
columns have; few-valued and text columns stay exact (they are counted, not sampled)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats as sp

from mlops_tui.sources.drift import compare, read_sample

N, K = 200_000, 10_000  # rows per file, values kept per column: each sample is 5% of its column

SHAPES = {
    "lognormal, shifted": (lambda rng, n: rng.lognormal(0, 1, n), lambda rng, n: rng.lognormal(0.05, 1, n)),
    "t with 3 dof, scaled": (lambda rng, n: rng.standard_t(3, n), lambda rng, n: rng.standard_t(3, n) * 1.05),
    "the same normal": (lambda rng, n: rng.normal(0, 1, n), lambda rng, n: rng.normal(0, 1, n)),
}


def write(path, columns: dict[str, np.ndarray]) -> str:
    pq.write_table(pa.table(columns), path, row_group_size=30_000)
    return str(path)


@pytest.mark.parametrize("shape", SHAPES)
def test_sampled_ks_and_wasserstein_stay_within_the_stated_bounds(tmp_path, shape):
    make_ref, make_cur = SHAPES[shape]
    rng = np.random.default_rng(7)
    ref, cur = make_ref(rng, N), make_cur(rng, N)
    ref_path, cur_path = write(tmp_path / "ref.parquet", {"x": ref}), write(tmp_path / "cur.parquet", {"x": cur})
    exact_ks = sp.ks_2samp(ref, cur).statistic
    exact_w = sp.wasserstein_distance(ref, cur) / np.std(ref)
    for seed in range(8):  # eight different samples of the same columns
        report = compare(read_sample(ref_path, sample_size=K, seed=seed),
                         read_sample(cur_path, sample_size=K, seed=seed + 100))
        column = report.column("x")
        assert column.sampled == (K, K) and column.rows == (N, N)
        ks_bound, w_bound = column.bounds["ks_statistic"], column.bounds["wasserstein_norm"]
        assert 0 < ks_bound < 0.05 and 0 < w_bound < 0.2  # bounds that say something at this size
        assert abs(column.stats["ks_statistic"] - exact_ks) <= ks_bound
        assert abs(column.stats["wasserstein_norm"] - exact_w) <= w_bound
        assert "uniform sample of 10,000 of 200,000" in column.note and "KS within" in column.note


def test_the_reservoir_is_uniform_over_the_whole_file(tmp_path):
    """The row number itself as the value: a uniform sample of 0..N-1 has a uniform histogram (chi-squared
    over 10 bins, a loose p-value bound so the test fails only for a real bias, such as the first rows kept)."""
    path = write(tmp_path / "rows.parquet", {"row": np.arange(N, dtype=np.float64)})
    column = read_sample(path, sample_size=K).columns["row"]
    assert column.sampled and len(column.values) == K and column.present == N
    counts = np.histogram(column.values, bins=10, range=(0, N))[0]
    assert sp.chisquare(counts).pvalue > 1e-4
    assert len(np.unique(column.values)) == K  # without replacement


def test_few_valued_and_text_columns_are_counted_exactly_though_numbers_are_sampled(tmp_path):
    rng = np.random.default_rng(3)
    levels = rng.integers(0, 4, N).astype(np.float64)
    plan = rng.choice(["free", "pro", "team"], N)
    path = write(tmp_path / "few.parquet", {"level": levels, "plan": plan, "x": rng.normal(size=N)})
    sample = read_sample(path, sample_size=K)
    assert sample.columns["level"].few == {v: int(n) for v, n in zip(*np.unique(levels, return_counts=True))}
    assert dict(zip(sample.columns["plan"].categories, sample.columns["plan"].counts.tolist())) == \
        {k: int(n) for k, n in zip(*np.unique(plan, return_counts=True))}
    report = compare(sample, read_sample(path, sample_size=K, seed=5))
    assert report.column("level").stats["psi"] == 0.0  # exact counts of the same file: no sampling error
    assert report.column("level").test == "jensenshannon" and report.column("level").score == 0.0
    assert report.column("plan").score == 0.0
    assert report.column("x").sampled == (K, K)


def test_below_the_sample_size_nothing_is_sampled(tmp_path):
    rng = np.random.default_rng(4)
    path = write(tmp_path / "small.parquet", {"x": rng.normal(size=5000)})
    column = compare(read_sample(path, sample_size=K), read_sample(path, sample_size=K)).column("x")
    assert column.sampled is None and column.bounds == {} and column.note == ""
