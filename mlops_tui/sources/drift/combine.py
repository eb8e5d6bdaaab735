"""Several files read as one sample (the files of a directory): their columns joined value by value.

Text columns add their counts per category. Numeric columns keep every value while the total is at most the
sample size; past it, a uniform sample of the union from the files' uniform samples: the number taken from
each file is hypergeometric in the files' sizes (as drawing without replacement from all values would give),
then that many are drawn from the file's own sample. Exact counts of few-valued columns add up while every
file has them.
"""

from __future__ import annotations

import numpy as np

from mlops_tui.sources.drift.read import FEW, SAMPLE_SIZE, Column, DriftInputError, Sample


def combine(samples: list[tuple[str, Sample]], label: str, sample_size: int = SAMPLE_SIZE, seed: int = 19) -> Sample:
    """One sample of every (name, sample): the same columns in each (DriftInputError naming the file that
    differs), in the first file's order."""
    rng = np.random.default_rng(seed)
    (first_name, first), rest = samples[0], samples[1:]
    columns = dict(first.columns)
    rows = first.rows
    for name, sample in rest:
        if set(sample.columns) != set(columns):
            missing = [c for c in columns if c not in sample.columns]
            extra = [c for c in sample.columns if c not in columns]
            parts = ([f"lacks {', '.join(missing)}"] if missing else []) + ([f"adds {', '.join(extra)}"] if extra else [])
            raise DriftInputError(f"{label}: {name} does not have the columns of {first_name} ({'; '.join(parts)})")
        for column, other in sample.columns.items():
            columns[column] = _join(columns[column], other, f"{label}: {name}", sample_size, rng)
        rows += sample.rows
    return Sample(label, rows, columns)


def _join(a: Column, b: Column, where: str, k: int, rng: np.random.Generator) -> Column:
    kinds = {a.kind, b.kind} - {"empty"}
    if len(kinds) > 1:
        raise DriftInputError(f"{where}: column {a.name!r} is {b.kind} there but {a.kind} in the files before it")
    kind = kinds.pop() if kinds else "empty"
    rows, missing = a.rows + b.rows, a.missing + b.missing
    if kind == "empty":
        return Column(a.name, "empty", np.empty(0), missing, rows=rows, present=0)
    if kind == "text":
        index = {cat: i for i, cat in enumerate(a.categories)}
        for cat in b.categories:
            index.setdefault(cat, len(index))
        counts = np.zeros(len(index), np.int64)
        if a.kind == "text":
            counts[:len(a.counts)] += a.counts
        if b.kind == "text":
            counts[[index[c] for c in b.categories]] += b.counts
        return Column(a.name, "text", np.empty(0), missing, list(index), counts, rows)
    present = a.present + b.present
    few = None
    if present <= k:
        values = np.concatenate([a.values, b.values])
    else:
        few = _few(a, b)
        take_a = int(rng.hypergeometric(a.present, b.present, k))
        values = np.concatenate([_draw(a.values, take_a, rng), _draw(b.values, k - take_a, rng)])
    values.sort()
    return Column(a.name, "numeric", values, missing, rows=rows, present=present, few=few, ordered=True)


def _draw(values: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    return values if n >= len(values) else values[rng.choice(len(values), n, replace=False)]


def _counts(column: Column) -> dict[float, int] | None:
    """Exact counts of a numeric column's values when known: counted while sampled, or its exact values."""
    if column.kind == "empty":
        return {}
    if column.few is not None:
        return column.few
    if column.present > len(column.values):
        return None  # sampled and too many distinct values to count
    keys, n = np.unique(column.values, return_counts=True)
    return dict(zip(keys.tolist(), n.tolist())) if len(keys) <= FEW else None


def _few(a: Column, b: Column) -> dict[float, int] | None:
    ca, cb = _counts(a), _counts(b)
    if ca is None or cb is None:
        return None
    out = dict(ca)
    for key, n in cb.items():
        out[key] = out.get(key, 0) + n
    return out if len(out) <= FEW else None
