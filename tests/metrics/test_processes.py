"""The process list's data floor (sources/metrics/processes.py) against real processes of this machine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import psutil
import pytest
from support.waits import wait_for

from mlops_tui.secrets import MASK
from mlops_tui.sources.metrics.local import LocalMetricSource, NetSample, interfaces_by_traffic
from mlops_tui.sources.metrics.processes import (
    ProcessSample, ProcessView, SignalRefused, mask_command, process_details, select_processes, send_signal,
    signal_refusal)
from mlops_tui.sources.metrics.recorded import synthetic_snapshots
from mlops_tui.sources.units import human_cpu_time


def rows():
    return synthetic_snapshots(1, processes=13, kernel_threads=4)[0].processes


def test_kernel_threads_are_hidden_unless_asked_and_counted():
    listing = select_processes(rows(), ProcessView(), top=50)
    assert listing.kernel_hidden == 4 and listing.matched == 13 and not any(r.kernel for r in listing.rows)
    shown = select_processes(rows(), ProcessView(show_kernel=True), top=50)
    assert shown.kernel_hidden == 0 and shown.matched == 17 and sum(r.kernel for r in shown.rows) == 4


def test_user_filter_sorts_and_the_cut_to_top():
    listing = select_processes(rows(), ProcessView(user="train", sort="time"), top=2)
    assert listing.matched == 3 and len(listing.rows) == 2  # pids 1002, 1006, 1010 belong to train
    every = [r for r in rows() if r.user == "train"]
    assert [r.time for r in listing.rows] == sorted((r.time for r in every), reverse=True)[:2]
    by_pid = select_processes(rows(), ProcessView(sort="pid"), top=50)
    assert [r.pid for r in by_pid.rows] == list(range(1000, 1013))


def test_tree_lists_each_parent_before_its_children_with_branches():
    listing = select_processes(rows(), ProcessView(tree=True, sort="pid"), top=50)
    pids = [r.pid for r in listing.rows]
    # 1000 is the parent of 1001-1003, 1001 of 1004-1006, 1002 of 1007-1009, 1003 of 1010-1012
    assert pids == [1000, 1001, 1004, 1005, 1006, 1002, 1007, 1008, 1009, 1003, 1010, 1011, 1012]
    assert listing.prefixes[:5] == ["", "├─ ", "│  ├─ ", "│  ├─ ", "│  └─ "]
    assert listing.prefixes[9:] == ["└─ ", "   ├─ ", "   ├─ ", "   └─ "]
    filtered = select_processes(rows(), ProcessView(tree=True, sort="pid", filter_text="worker 1"), top=50)
    assert [r.pid for r in filtered.rows] == [1001, 1010, 1011, 1012] and filtered.prefixes[0] == ""  # parent not listed: a root


def test_up_interfaces_busiest_first_and_never_a_down_one():
    network = [NetSample("ifb0", 0.0, 0.0, False), NetSample("ifb1", None, None, False),
               NetSample("eth1", 10.0, 0.0, True), NetSample("eth0", 5000.0, 100.0, True), NetSample("wg0", 0.0, 0.0, None)]
    assert [n.interface for n in interfaces_by_traffic(network)] == ["eth0", "eth1", "wg0"]


def test_this_machines_interfaces_have_their_state():
    snap = LocalMetricSource(top=5, warmup=0.1).sample()
    stats = psutil.net_if_stats()
    for nic in snap.network:
        assert nic.up == stats[nic.interface].isup


def test_secret_flags_are_masked_whether_joined_or_separate():
    shown = mask_command(["python", "serve.py", "--token", "abc123", "--api-key=XYZ", "--port", "8000"])
    assert shown == f"python serve.py --token {MASK} --api-key={MASK} --port 8000"


def test_cpu_time_reads_as_htop_does():
    assert [human_cpu_time(v) for v in (0.0, 7.321, 247.32, 3600.0, 43509.0, None)] == \
        ["0:00.00", "0:07.32", "4:07.32", "1h00:00", "12h05:09", "-"]


@pytest.fixture
def secret_sleeper():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "--password", "hunter2"])
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def test_details_of_a_live_process_mask_its_secrets(secret_sleeper):
    started = psutil.Process(secret_sleeper.pid).create_time()
    details = process_details(secret_sleeper.pid, started)
    assert details.ppid == os.getpid() and details.user == psutil.Process().username()
    assert "hunter2" not in details.command and details.command.endswith(f"--password {MASK}")
    assert details.threads == 1 and details.rss > 0 and details.cwd == os.getcwd()
    with pytest.raises(psutil.NoSuchProcess):  # the pid now belongs to a process started later
        process_details(secret_sleeper.pid, started - 3600)


def test_live_rows_carry_parent_time_and_start(secret_sleeper):
    source = LocalMetricSource(top=500, warmup=0.1)
    snap = source.sample()
    row = next(r for r in snap.processes if r.pid == secret_sleeper.pid)
    assert row.ppid == os.getpid() and not row.kernel and row.time is not None
    assert abs(row.started - psutil.Process(row.pid).create_time()) < 0.05
    assert "hunter2" not in row.command


def test_signal_refusals_name_the_reason():
    assert "init" in signal_refusal(ProcessSample(1, "systemd"))
    assert "mlops-tui itself" in signal_refusal(ProcessSample(os.getpid(), "python"))
    assert "kernel thread" in signal_refusal(ProcessSample(77, "kworker/0:1", kernel=True))
    assert signal_refusal(ProcessSample(4242, "python")) is None
    with pytest.raises(SignalRefused, match="init"):
        send_signal(ProcessSample(1, "init"), "SIGTERM")


def test_a_signal_reaches_the_real_process_only_while_it_is_the_same_one(sleeper):
    proc = sleeper()
    row = ProcessSample(proc.pid, "sleep", started=psutil.Process(proc.pid).create_time())
    with pytest.raises(SignalRefused, match="pid now belongs to another process"):
        send_signal(ProcessSample(proc.pid, "sleep", started=row.started - 100), "SIGTERM")
    assert proc.poll() is None
    assert send_signal(row, "SIGTERM").startswith(f"sent SIGTERM to {proc.pid} (sleep)")
    assert wait_for(lambda: proc.poll() is not None) and proc.returncode == -signal.SIGTERM
    with pytest.raises(SignalRefused, match="has exited"):
        send_signal(row, "SIGTERM")
