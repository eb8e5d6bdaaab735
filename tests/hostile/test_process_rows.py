"""A process started with a newline in its arguments is one row of the process table (pane and
`metrics --once`), the newline shown as ␊: it used to start a second, unaligned row that looked like
another process."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hostile.measure import count
from support.app_factory import make_app
from support.cli import run_cli
from support.waits import until

from mlops_tui.widgets.metrics.processes import ProcessTable


@pytest.fixture
def newline_process():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "probe20nl\nforged-row 1 root",
                             "--password=nlsecret4"])
    yield proc
    proc.kill()
    proc.wait()


def test_cli_prints_one_line_per_process(newline_process):
    count("inputs and faults tried")
    result = run_cli(["metrics", "--once"])
    assert result.returncode == 0, result.stderr
    mine = [line for line in result.stdout.splitlines() if "probe20nl" in line or "forged-row" in line]
    assert len(mine) == 1 and f"{newline_process.pid} " in mine[0], mine
    assert "probe20nl\u240aforged-row 1 root" in mine[0] and "nlsecret4" not in result.stdout


async def test_the_pane_draws_one_row_per_process(newline_process):
    count("inputs and faults tried")
    app = make_app(["metrics.interval=0.3", "metrics.top_processes=500"])
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("1")
        table = app.query_one(ProcessTable)

        def row() -> int | None:
            return next((r for r in range(table.row_count)
                         if int(table.cell(r, "pid").lstrip("*")) == newline_process.pid), None)

        await until(pilot, lambda: row() is not None, what="the process listed")
        command = table.cell(row(), "command")
        assert "probe20nl\u240aforged-row 1 root" in command and "\n" not in command, command
        table.move_cursor(row())
        await pilot.pause()
        lines = [table.render_line(y).text for y in range(table.size.height)]
        assert not any(line.lstrip().startswith("forged-row") for line in lines), lines
        assert sum(str(newline_process.pid) in line for line in lines) == 1, lines
