"""The process table's htop keys, driven with Pilot at 80x24: kernel threads, user, sort, tree, details, signal."""

from __future__ import annotations

import os
import sys
import subprocess
from dataclasses import replace

import psutil
import pytest
from support.app_factory import make_app
from support.waits import record_notifications, until
from textual.widgets import OptionList

from mlops_tui.secrets import MASK
from mlops_tui.sources.metrics.local import NetSample
from mlops_tui.sources.metrics.recorded import RecordedMetricSource, synthetic_snapshots
from mlops_tui.widgets.metrics import MetricsPane
from mlops_tui.widgets.metrics.dialogs import ProcessDetailsScreen, SignalDialog, UserMenu
from mlops_tui.widgets.metrics.local import LocalMetricsView
from mlops_tui.widgets.metrics.processes import ProcessTable


def title(app) -> str:
    return str(app.query_one("#proc-title").render())


def pids(table: ProcessTable) -> list[int]:
    return [int(table.cell(r, "pid").lstrip("*")) for r in range(table.row_count)]


def header(table: ProcessTable) -> str:
    return table.render_line(0).text


async def recorded_app(pilot_size=(80, 24), **kwargs):
    snaps = synthetic_snapshots(1, processes=13, kernel_threads=5, **kwargs)
    return make_app(pane_options={"metrics": {"source": RecordedMetricSource(snaps, top=50)}}), snaps


async def focused(app, pilot) -> ProcessTable:
    await app.workers.wait_for_complete()
    await pilot.press("1")
    await pilot.pause()
    return app.query_one(ProcessTable)


async def test_kernel_threads_are_hidden_until_K_and_counted_in_the_title():
    app, _ = await recorded_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = await focused(app, pilot)
        assert table.row_count == 13 and all(p >= 1000 for p in pids(table))
        assert "13 shown of 13, 5 kernel threads hidden (K)" in title(app)
        await pilot.press("K")
        assert table.row_count == 18 and {2, 3, 4, 5, 6} <= set(pids(table))
        assert "kernel threads shown (K hides)" in title(app)
        await pilot.press("K")
        assert table.row_count == 13


async def test_u_picks_a_user_from_a_menu():
    app, _ = await recorded_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = await focused(app, pilot)
        await pilot.press("u")
        assert isinstance(app.screen, UserMenu)
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels[0] == "● every user" and "  root  (4)" in labels and "  train  (3)" in labels
        await pilot.press(*["down"] * labels.index("  train  (3)"), "enter")
        assert not isinstance(app.screen, UserMenu) and app.focused is table
        assert set(pids(table)) == {1002, 1006, 1010} and "processes by CPU% of train" in title(app)
        await pilot.press("u", "escape")  # cancelled: the user stays chosen
        assert set(pids(table)) == {1002, 1006, 1010}
        await pilot.press("u", "home", "enter")  # every user
        assert table.row_count == 13


async def test_sort_keys_choose_the_column_directly():
    app, snaps = await recorded_app()
    by_pid = {p.pid: p for p in snaps[-1].processes}
    async with app.run_test(size=(80, 24)) as pilot:
        table = await focused(app, pilot)
        for key, column, value in (("M", "RSS ▼", lambda p: -p.rss), ("T", "TIME+ ▼", lambda p: -p.time),
                                   ("N", "PID ▼", lambda p: p.pid), ("P", "CPU% ▼", lambda p: -p.cpu)):
            await pilot.press(key)
            shown = [value(by_pid[pid]) for pid in pids(table)]
            assert shown == sorted(shown), key
            assert column in header(table), (key, header(table))
        assert "TIME+" in header(table)
        row = table.rows[0]
        assert table.cell(0, "time") == f"{int(row.time // 60)}:{row.time % 60:05.2f}"


async def test_t_draws_the_tree_in_the_command_column():
    app, _ = await recorded_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = await focused(app, pilot)
        await pilot.press("N", "t")
        assert pids(table)[:3] == [1000, 1001, 1004] and "as a tree" in title(app)
        assert "├─ /usr/bin/tritonserver --work" in table.render_line(2).text
        assert "│  ├─ " in table.render_line(3).text
        await pilot.press("t")
        assert pids(table)[:3] == [1000, 1001, 1002]


async def test_network_line_shows_the_up_interface_with_traffic_not_the_down_ones():
    base = synthetic_snapshots(1, processes=3)[0]
    snap = replace(base, network=[NetSample("ifb0", 0.0, 0.0, False), NetSample("ifb1", 0.0, 0.0, False),
                                  NetSample("eth0", 2048.0, 1024.0, True)])
    app = make_app(pane_options={"metrics": {"source": RecordedMetricSource([snap])}})
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        line = str(app.query_one("#io-info").render())
        assert "net eth0 ↓2.0 KiB/s ↑1.0 KiB/s" in line and "ifb" not in line


async def test_command_gets_the_room_at_160_columns():
    app, _ = await recorded_app()
    async with app.run_test(size=(160, 48)) as pilot:
        table = await focused(app, pilot)
        width = table.size.width - header(table).index("COMMAND")
        assert width >= 48, width  # it was 36 with the resources taking half the screen


@pytest.fixture
def secret_sleeper():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "--token", "hunter2"])
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


async def find_live(app, pilot, pid: int) -> ProcessTable:
    table = app.query_one(ProcessTable)
    await until(pilot, lambda: pid in pids(table), describe=lambda: pids(table))
    table.move_cursor(pids(table).index(pid))
    await pilot.pause()
    return table


async def test_enter_shows_the_full_command_line_masked_and_details(secret_sleeper):
    app = make_app(dotlist=["metrics.interval=0.3", "metrics.top_processes=500"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        await find_live(app, pilot, secret_sleeper.pid)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ProcessDetailsScreen))
        command = str(app.screen.query_one("#details-command").render())
        assert command.endswith(f"-c import time; time.sleep(60) --token {MASK}") and "hunter2" not in command
        fields = dict(line.split(None, 1) for line in str(app.screen.query_one("#details-fields").render()).splitlines())
        assert fields["parent"] == f"{os.getpid()} {psutil.Process().name()}" and fields["cwd"] == os.getcwd()
        assert fields["state"] == "sleeping" and fields["threads"] == "1"
        assert f"Process {secret_sleeper.pid} python" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("escape")
        assert isinstance(app.focused, ProcessTable)


async def test_k_sends_the_chosen_signal_after_a_confirmation_naming_the_process(sleeper):
    proc = sleeper()
    app = make_app(dotlist=["metrics.interval=0.3", "metrics.top_processes=500"])
    async with app.run_test(size=(80, 24)) as pilot:
        notified = record_notifications(app)
        await pilot.press("1")
        await find_live(app, pilot, proc.pid)
        await pilot.press("k")
        assert isinstance(app.screen, SignalDialog)
        await pilot.press("enter")  # SIGTERM, the first
        confirm = str(app.screen.query_one("#signal-confirm").render())
        assert confirm.startswith(f"Send SIGTERM to {proc.pid} sleep (") and "y sends" in confirm
        assert proc.poll() is None  # nothing sent before y
        await pilot.press("n", "escape")
        assert not isinstance(app.screen, SignalDialog) and proc.poll() is None
        await pilot.press("f9", "enter", "y")
        await until(pilot, lambda: proc.poll() is not None)
        assert proc.returncode == -15
        await until(pilot, lambda: any(m.startswith(f"sent SIGTERM to {proc.pid} (sleep)") for m in notified))


async def test_k_refuses_pid_1_and_kernel_threads_without_a_dialog():
    app, _ = await recorded_app()
    async with app.run_test(size=(80, 24)) as pilot:
        notified = record_notifications(app)
        table = await focused(app, pilot)
        await pilot.press("K", "N")
        table.move_cursor(pids(table).index(2))
        await pilot.press("k")
        assert not isinstance(app.screen, SignalDialog)
        assert notified[-1] == "no signal for 2: a kernel thread: signals do nothing to it"
