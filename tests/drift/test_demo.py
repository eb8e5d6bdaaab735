"""The demo: the churn model's DVC-tracked training partition against the live sample the sandbox writes,
drifted in exactly two columns, on the Drift pane of the real app (key 6) and with `mlops-tui drift`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.app_factory import make_app
from support.cli import run_cli
from support.waits import until
from textual.widgets import DataTable

from mlops_tui.demo.content import LIVE_COLUMNS, LIVE_REFERENCE, LIVE_SAMPLE
from mlops_tui.demo.sandbox import demo_overrides, prepare
from mlops_tui.sources.metrics.recorded import RecordedMetricSource, synthetic_snapshots


def screen_text(app) -> str:
    """The screen's text as the user reads it (the SVG's tags left out)."""
    import re

    return re.sub(r"<[^>]+>", "", app.export_screenshot()).replace("&#160;", " ")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    return prepare(tmp_path_factory.mktemp("demo") / "sandbox", now=datetime(2026, 12, 1, tzinfo=UTC))


def test_the_reference_is_the_dvc_tracked_training_data_and_the_sample_is_ignored_by_git(sandbox):
    import subprocess

    assert (sandbox / LIVE_REFERENCE).is_file() and (sandbox / "data/raw.dvc").is_file()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=sandbox, capture_output=True, text=True, check=True)
    assert status.stdout == ""  # the live sample does not make the demo repository dirty


def test_the_cli_finds_two_drifted_columns(sandbox):
    result = run_cli(["drift", str(sandbox / LIVE_REFERENCE), str(sandbox / LIVE_SAMPLE), "--columns",
                      ",".join(LIVE_COLUMNS)])
    assert result.returncode == 0, result.stderr  # 2 of 7 is under half: the dataset has not drifted
    rows = [line.split() for line in result.stdout.splitlines()[1:-1]]
    assert [r[0] for r in rows if "DRIFT" in r] == ["contract", "support_tickets"]
    assert result.stdout.splitlines()[-1].startswith("dataset: no drift: 2 of 7 columns drifted")


async def test_the_drift_pane_of_the_demo_shows_them_first(sandbox):
    still = RecordedMetricSource(synthetic_snapshots(1, cores=4, processes=10), top=10)
    app = make_app(dotlist=demo_overrides(sandbox), cwd=sandbox, pane_options={"metrics": {"source": still}})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("6")
        pane = app.query_one("#drift-pane")
        await until(pilot, lambda: pane.report is not None, what="the drift report", timeout=30)
        await pilot.pause()
        table = pane.query_one("#drift-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[0] for r in rows[:2]] == ["contract", "support_tickets"]
        assert [r[4] for r in rows] == ["DRIFT", "DRIFT"] + ["ok"] * 5


async def test_at_80x24_the_heading_names_the_samples_relative_to_the_sandbox(sandbox):
    """The demo's samples are long absolute temporary paths: the heading writes them as Configs does, relative to
    the working folder (the sandbox), so the verdict and both file names fit 80 columns."""
    still = RecordedMetricSource(synthetic_snapshots(1, cores=4, processes=10), top=10)
    app = make_app(dotlist=demo_overrides(sandbox), cwd=sandbox,
                   pane_options={"metrics": {"source": still}, "drift": {"cwd": sandbox}})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        pane = app.query_one("#drift-pane")
        await until(pilot, lambda: pane.report is not None, what="the drift report", timeout=30)
        await pilot.pause()
        heading = str(pane.query_one("#drift-title").render())
        assert str(sandbox) not in heading and "/tmp" not in heading, heading
        current, reference = (Path(p).relative_to(sandbox) for p in (pane.report.current, pane.report.reference))
        assert heading.endswith(f": {current} against {reference}"), heading
        title = pane.query_one("#drift-title")
        assert title.size.height <= 2, heading  # the verdict and both names in two rows at 80 columns


async def test_t_in_the_models_pane_compares_prod_s_training_directory_with_the_live_sample(sandbox):
    """The prod model was trained on the DVC-tracked directory data/raw (every monthly partition): `t` on the
    Models pane opens the Drift pane on `churn#prod` against drift.current, and the same two columns drift."""
    still = RecordedMetricSource(synthetic_snapshots(1, cores=4, processes=10), top=10)
    app = make_app(dotlist=demo_overrides(sandbox), cwd=sandbox, pane_options={"metrics": {"source": still}})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        models = app.query_one("#models-pane")
        await until(pilot, lambda: models.model.details is not None and models.model.details.name == "churn",
                    what="the churn model's details", timeout=30)
        await pilot.pause()
        assert models.check_action("open_drift", ()) and "t" in app.screen.active_bindings
        await until(pilot, lambda: "t Drift" in screen_text(app), what="t in the footer at 80x24")
        await pilot.press("t")
        drift = app.query_one("#drift-pane")
        await until(pilot, lambda: drift.report is not None, what="the drift report", timeout=30)
        await pilot.pause()
        assert app.active_pane_id == "drift"
        assert drift.report.reference.startswith("churn#prod (data/raw/ at ")
        assert [c.column for c in drift.report.drifted] == ["contract", "support_tickets"]
        assert drift.report.column("tenure_months").rows[0] > 160  # more than one partition was read


async def test_without_a_current_sample_the_models_pane_offers_no_t(sandbox):
    still = RecordedMetricSource(synthetic_snapshots(1, cores=4, processes=10), top=10)
    dotlist = [o for o in demo_overrides(sandbox) if not o.startswith("drift.")]
    app = make_app(dotlist=dotlist, cwd=sandbox, pane_options={"metrics": {"source": still}})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        models = app.query_one("#models-pane")
        await until(pilot, lambda: models.model.details is not None, what="the model's details", timeout=30)
        await pilot.pause()
        assert models.check_action("show_view", ("registry",))  # the pane is ready: only `t` is not offered
        assert not models.check_action("open_drift", ())
        assert "t Drift" not in screen_text(app)
