"""What the Drift pane draws, as plain text: small histograms in shared bins, and a column's larger view."""

from __future__ import annotations

import numpy as np

from mlops_tui.sources.drift.compare import ColumnDrift

BARS = " ▁▂▃▄▅▆▇█"


def bars(shares: np.ndarray, top: float) -> str:
    """One character per bin, its height the bin's share of `top` (both histograms of a column share top)."""
    if top <= 0:
        return " " * len(shares)
    levels = np.ceil(np.clip(shares / top, 0, 1) * (len(BARS) - 1)).astype(int)
    return "".join(BARS[i] for i in levels)


def small_histograms(column: ColumnDrift) -> tuple[str, str]:
    """The reference's and the current sample's histograms of a column, same bins and same scale."""
    if column.histogram is None:
        return "", ""
    _, ref, cur = column.histogram
    top = float(max(ref.max(initial=0), cur.max(initial=0)))
    return bars(ref, top), bars(cur, top)


def number(value: float | None) -> str:
    if value is None or value != value:
        return "-"
    if value == float("inf"):
        return "inf"
    return f"{value:.3g}" if abs(value) < 1e-3 and value != 0 else f"{value:.4f}"


def verdict(column: ColumnDrift) -> str:
    return "DRIFT" if column.drifted else ("no data" if column.test is None else "ok")


def detail_lines(column: ColumnDrift, height: int = 8, width: int = 30) -> list[str]:
    """A column's larger view: both distributions as vertical bars `height` rows high in the same bins and
    scale, each bin labelled, then the quantiles side by side and every statistic computed."""
    lines = [f"{column.column} ({column.kind}): {column.test or '-'} {number(column.score)} "
             f"(threshold {number(column.threshold)}) {verdict(column)}"]
    if column.note:
        lines.append(column.note)
    if column.histogram is not None:
        labels, ref, cur = column.histogram
        top = float(max(ref.max(initial=0), cur.max(initial=0))) or 1.0
        label_width = min(max(len(x) for x in labels), 14)
        lines.append("")
        lines.append(f"{'bin':<{label_width}}  {'reference':<{width}}  {'current':<{width}}")
        for label, r, c in zip(labels, ref, cur):
            lines.append(f"{label[:label_width]:<{label_width}}  {_bar(r, top, width)} {r:>6.1%}  {_bar(c, top, width)} {c:>6.1%}")
    if column.quantiles:
        lines.append("")
        lines.append(f"{'quantile':<9} {'reference':>12} {'current':>12}")
        for name, (r, c) in column.quantiles.items():
            lines.append(f"{name:<9} {number(r):>12} {number(c):>12}")
    lines.append("")
    lines.append(f"missing: {column.missing[0]:.1%} reference, {column.missing[1]:.1%} current"
                 + (f"; new categories {column.new_categories:.1%}" if column.new_categories else ""))
    lines.append("statistics: " + ", ".join(f"{k} {number(v)}" for k, v in column.stats.items()))
    return lines


def _bar(share: float, top: float, width: int) -> str:
    cells = share / top * (width - 8)
    full = int(cells)
    return ("█" * full + ("▌" if cells - full >= 0.5 else "")).ljust(width - 8)
