"""The Drift pane driven with Pilot on real sample files: rows sorted by score, histograms in shared bins,
Enter for a column's larger view, the messages for missing settings and bad files; snapshots at 80x24 and
160x48 (the files are named relative to a fixed working directory, so paths in the title are stable)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from support.waits import until
from textual.app import App, ComposeResult
from textual.widgets import ContentSwitcher, DataTable, Static

from mlops_tui.settings.drift import DriftSettings
from mlops_tui.widgets.drift import DriftPane
from mlops_tui.widgets.fitted import FittedTable
from mlops_tui.widgets.pane import SourceNote


def write_csv(path: Path, n: int, shift: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    probs = [0.6, 0.3, 0.1] if shift == 0 else [0.3, 0.3, 0.4]
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["age", "plan", "clicks"])
        for i in range(n):
            plan = "" if i % 10 == 0 else rng.choice(["free", "pro", "team"], p=probs)
            writer.writerow([f"{rng.normal(40 + 12 * shift, 12):.1f}", plan, int(rng.poisson(20))])


@pytest.fixture
def samples(tmp_path, monkeypatch):
    write_csv(tmp_path / "train.csv", 3000, 0, 1)
    write_csv(tmp_path / "prod.csv", 2000, 1, 2)
    monkeypatch.chdir(tmp_path)
    return tmp_path


class PaneApp(App):
    def __init__(self, pane: DriftPane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield self.pane

    def on_mount(self) -> None:
        self.pane.focus_default()


def make(reference="train.csv", current="prod.csv") -> PaneApp:
    return PaneApp(DriftPane(DriftSettings(reference=reference, current=current)))


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def loaded(pilot) -> None:
    pane = pilot.app.query_one(DriftPane)
    await until(pilot, lambda: pane.report is not None or "-failing" in pane.query_one(SourceNote).classes,
                what="the report")
    await pilot.pause()


async def test_rows_are_sorted_by_score_with_histograms_in_shared_bins(samples):
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        rows = cells(app.query_one("#drift-table", DataTable))
        assert [r[0] for r in rows] == ["age", "plan", "clicks"]
        assert [r[1] for r in rows] == ["wasserstein", "jensenshannon", "wasserstein"]
        assert [r[4] for r in rows] == ["DRIFT", "DRIFT", "ok"]
        age_ref, age_cur = rows[0][5], rows[0][6]
        assert len(age_ref) == len(age_cur) == 12  # the same 12 bins
        assert age_ref != age_cur and "█" in age_ref + age_cur  # shifted: the tallest bin is drawn full
        plan_ref, plan_cur = rows[1][5], rows[1][6]
        assert len(plan_ref) == len(plan_cur) == 3  # one bin per category
        title = str(app.query_one("#drift-title", Static).render())
        assert title.startswith("DRIFT: 2 of 3 columns drifted (67%") and "prod.csv against train.csv" in title


async def test_enter_opens_the_larger_view_with_quantiles_and_escape_goes_back(samples):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("#drift-views", ContentSwitcher).current == "drift-detail-scroll"
        detail = str(app.query_one("#drift-detail", Static).render())
        assert detail.startswith("age (numeric): wasserstein")
        assert "quantile" in detail and "p50" in detail and "reference" in detail and "current" in detail
        report = app.query_one(DriftPane).report
        ref50, cur50 = report.column("age").quantiles["p50"]
        assert cur50 - ref50 > 8  # shifted by one standard deviation (12)
        await pilot.press("escape")
        await pilot.pause()
        assert app.query_one("#drift-views", ContentSwitcher).current == "drift-table"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert str(app.query_one("#drift-detail", Static).render()).startswith("plan (text): jensenshannon")


async def test_no_settings_and_a_bad_file_say_what_to_do(samples):
    app = make(reference="", current="")
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        note = str(app.query_one(SourceNote).render())
        assert "set drift.reference=PATH and drift.current=PATH" in note
    (samples / "bad.csv").write_text("age,plan,clicks\n41,pro,3\nforty,pro,4\n")
    app = make(current="bad.csv")
    async with app.run_test(size=(100, 20)) as pilot:
        await loaded(pilot)
        note = str(app.query_one(SourceNote).render())
        assert "bad.csv: row 3: column 'age': 'forty' is not a number" in note
        assert app.query_one(DriftPane).report is None


def test_snapshot_80x24(samples, snap_compare):
    assert snap_compare(make(), terminal_size=(80, 24), run_before=loaded)


def test_snapshot_160x48_column_view(samples, snap_compare):
    async def column_view(pilot):
        await loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make(), terminal_size=(160, 48), run_before=column_view)


async def test_at_80_columns_the_verdict_and_both_histograms_stay_whole(tmp_path, monkeypatch):
    """Long column names (the demo's `last_invoice_days`): the p-value (the score again, for a test that has
    one) gives way first; before, the current sample's histogram was cut at the right edge of 80 columns."""
    rng = np.random.default_rng(7)
    monkeypatch.chdir(tmp_path)
    for name, shift in (("train.csv", 0), ("prod.csv", 1)):
        with open(name, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["last_invoice_days", "support_tickets", "monthly_charges"])
            for _ in range(2000):
                writer.writerow([f"{rng.normal(30 + 9 * shift, 9):.1f}", int(rng.poisson(2 + shift)),
                                 f"{rng.normal(70, 20):.2f}"])
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        table = app.query_one("#drift-table", FittedTable)
        await until(pilot, lambda: "p-value" not in table.shown_keys, what="the table laid out for 80 columns",
                    describe=lambda: table.column_layout)
        assert {"column", "score", "verdict", "reference", "current"} <= set(table.shown_keys)
        rows = cells(table)
        at = table.shown_keys.index
        assert [r[at("column")] for r in rows][:2] == ["last_invoice_days", "support_tickets"]
        assert [r[at("verdict")] for r in rows] == ["DRIFT", "DRIFT", "ok"]
        assert len(rows[0][at("current")]) == 12 and table.virtual_size.width <= table.size.width
