"""Screenshots of the Metrics pane fed by a deterministic recording (no clock, no live values)."""

from __future__ import annotations

from support.app_factory import make_app

from mlops_tui.sources.metrics.recorded import RecordedMetricSource, synthetic_snapshots
from mlops_tui.widgets.metrics import MetricsPane


def app_with(cores: int, processes: int, gpus: int):
    snaps = synthetic_snapshots(40, cores=cores, processes=processes, gpus=gpus, kernel_threads=12)
    source = RecordedMetricSource(snaps, top=50)
    return make_app(pane_options={"metrics": {"source": source}})


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    # The status line lists every pane's sources in the order their workers answered, which varies from run
    # to run; this pane's status is asserted in test_pane.py, so the line is left out of these pictures.
    pilot.app.query_one("#status-line").display = False
    pilot.app.query_one(MetricsPane).focus_default()  # as pressing 1 does: the process table has the keys
    await pilot.pause()
    await pilot.pause()


def test_local_80x24_64_cores(snap_compare):
    assert snap_compare(app_with(64, 60, 0), terminal_size=(80, 24), run_before=settle)


def test_local_160x48_128_cores_and_gpus(snap_compare):
    assert snap_compare(app_with(128, 500, 2), terminal_size=(160, 48), run_before=settle)


def test_local_160x48_filtered_and_sorted(snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("1", "s", "slash", *"triton", "enter")
        await pilot.pause()

    assert snap_compare(app_with(16, 80, 1), terminal_size=(160, 48), run_before=run_before)


def test_local_80x24_tree_sorted_by_memory(snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("1", "M", "t")
        await pilot.pause()

    assert snap_compare(app_with(4, 30, 0), terminal_size=(80, 24), run_before=run_before)
