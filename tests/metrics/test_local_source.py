"""LocalMetricSource and `mlops-tui metrics` against this machine, checked with psutil at the same moment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time

import psutil
import pytest
from click.testing import CliRunner
from support.waits import wait_for

from mlops_tui.cli import cli as cli_root
from mlops_tui.sources.metrics import local as local_metrics
from mlops_tui.sources.metrics.local import LocalMetricSource, LocalSnapshot
from mlops_tui.sources.metrics.recorded import RecordedMetricSource

MiB = 1 << 20


def _check_against_psutil(data: dict, cpu_before: list, cpu_after: list) -> None:
    """Values of one snapshot (as JSON) against psutil read just after it, with tolerances that can fail."""
    vm, swap = psutil.virtual_memory(), psutil.swap_memory()
    assert data["memory"]["total"] == vm.total
    assert abs(data["memory"]["used"] - (vm.total - vm.available)) < 256 * MiB
    assert abs(data["memory"]["percent"] - vm.percent) < 2.0
    assert data["swap"]["total"] == swap.total
    assert abs(data["swap"]["used"] - swap.used) < 256 * MiB

    assert len(data["cpu"]["per_core"]) == psutil.cpu_count()
    # psutil's own per-core percentages over a window that brackets the source's one
    for core, ours in enumerate(data["cpu"]["per_core"]):
        theirs = _busy_percent(cpu_before[core], cpu_after[core])
        assert ours is not None and abs(ours - theirs) <= 15.0, (core, ours, theirs)
    cores = [v for v in data["cpu"]["per_core"]]
    assert abs(data["cpu"]["total"] - sum(cores) / len(cores)) <= 3.0
    assert [round(v, 1) for v in data["cpu"]["load"]] == pytest.approx([round(v, 1) for v in os.getloadavg()], abs=0.3)

    expected_mounts = {p.mountpoint for p in psutil.disk_partitions(all=False)
                       if p.fstype not in {"squashfs", "tmpfs", "devtmpfs", "overlay", "proc", "sysfs", "nsfs"}}
    assert {fs["mountpoint"] for fs in data["filesystems"]} == expected_mounts
    for fs in data["filesystems"]:
        usage = psutil.disk_usage(fs["mountpoint"])
        assert fs["total"] == usage.total
        assert abs(fs["used"] - usage.used) < max(256 * MiB, usage.total // 100)

    assert abs(data["process_count"] - len(psutil.pids())) <= 25
    assert data["uptime"] == pytest.approx(psutil.time.time() - psutil.boot_time(), abs=5)
    assert data["processes"], "the process table is empty"
    checked = exited = kernel_workers = 0
    for row in data["processes"]:
        try:
            proc = psutil.Process(row["pid"])
            name, user, rss = proc.name(), proc.username(), proc.memory_info().rss
        except psutil.NoSuchProcess:
            exited += 1  # exited since: nothing to compare
            continue
        if name.startswith("kworker/"):
            kernel_workers += 1  # kernel workers rename themselves as they take work
            continue
        assert row["name"] == name and row["user"] == user
        assert abs(row["rss"] - rss) < max(64 * MiB, rss // 2), row
        checked += 1
    # A machine may have any number of kernel workers; of the other rows, most must still exist
    assert checked >= 1 and exited <= (len(data["processes"]) - kernel_workers) // 2, (checked, exited, kernel_workers)


def _busy_percent(before, after) -> float:
    def split(t):
        total = sum(t) - t.guest - t.guest_nice
        return total - t.idle - t.iowait, total
    busy0, total0 = split(before)
    busy1, total1 = split(after)
    return 100.0 * (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0


def test_once_json_agrees_with_psutil_at_the_same_moment():
    runner = CliRunner()
    before = psutil.cpu_times(percpu=True)
    net_before = psutil.net_io_counters(pernic=True)
    result = runner.invoke(cli_root, ["metrics", "--once", "--json"])
    after = psutil.cpu_times(percpu=True)
    net_after = psutil.net_io_counters(pernic=True)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    _check_against_psutil(data, before, after)
    assert 0.4 <= data["window"] <= 2.0
    for nic in data["network"]:
        received = net_after[nic["interface"]].bytes_recv - net_before[nic["interface"]].bytes_recv
        assert nic["rx"] * data["window"] <= received + 4096
    assert data["gpu"]["available"] is False and "nvidia-ml-py" in data["gpu"]["note"]


def test_once_json_as_a_user_runs_it(cli):
    """The real entry point in a fresh interpreter: exit code 0, one JSON document, values of this machine."""
    result = cli("metrics", "--once", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["memory"]["total"] == psutil.virtual_memory().total
    assert len(data["cpu"]["per_core"]) == psutil.cpu_count()
    assert 0.0 <= data["cpu"]["total"] <= 100.0
    # Kernel threads are hidden as on the pane: counted, not listed
    assert data["process_matched"] + data["kernel_threads"] == data["process_count"]
    assert len(data["processes"]) == min(50, data["process_matched"])
    assert not any(row["kernel"] for row in data["processes"])
    kthreadd = [p for p in psutil.process_iter(["ppid"]) if p.pid == 2 or p.info["ppid"] == 2]
    assert abs(data["kernel_threads"] - len(kthreadd)) <= 10  # kernel workers come and go
    assert data["process_view"] == {"sort": "cpu", "filter_text": "", "user": None, "show_kernel": False,
                                    "tree": False}


def test_source_agrees_with_psutil_under_load():
    """A busy process makes the CPU values non-trivial; the source must see it like psutil does."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        watched = psutil.Process(spinner.pid)
        source = LocalMetricSource(top=500, warmup=0.6)
        source.sample()
        before, spun_before, start = psutil.cpu_times(percpu=True), watched.cpu_times(), time.monotonic()
        # until the spinner has had half a second of CPU (ten times the 10 ms the counters tick in), however
        # busy the machine is
        wait_for(lambda: sum(watched.cpu_times()[:2]) - sum(spun_before[:2]) >= 0.5, describe=watched.cpu_times)
        snap = source.sample()
        after, spun_after, end = psutil.cpu_times(percpu=True), watched.cpu_times(), time.monotonic()
    finally:
        spinner.kill()
        spinner.wait()
    _check_against_psutil(snap.to_dict(), before, after)
    spun = (spun_after.user + spun_after.system - spun_before.user - spun_before.system) / (end - start) * 100
    busy = next(r for r in snap.processes if r.pid == spinner.pid)
    assert spun > 20.0  # the spinner did run: the comparison below means something
    assert abs(busy.cpu - spun) <= 15.0, (busy.cpu, spun)


def test_text_form_without_flags(cli):
    result = cli("metrics")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("cpu ") and "load" in lines[0]
    assert any(line.startswith("memory ") and " of " in line for line in lines)
    assert any(line.startswith("fs       /  ") for line in lines)
    assert any(line.split()[:2] == ["PID", "USER"] for line in lines)


def test_watch_prints_one_line_per_interval_and_replays(cli, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "mlops_tui", "metrics", "--watch", "--json", "--interval", "0.3"],
                            stdout=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    snaps = [json.loads(line) for line in lines]
    assert [s["time"] for s in snaps] == sorted(s["time"] for s in snaps)
    gaps = [b["time"] - a["time"] for a, b in zip(snaps, snaps[1:])]
    assert all(0.2 <= gap <= 1.0 for gap in gaps), gaps
    recording = tmp_path / "rec.jsonl"
    recording.write_text("".join(lines))
    replay = RecordedMetricSource.from_file(recording)
    replayed = [replay.sample() for _ in range(3)]
    assert replay.sample() is None
    assert [r.cpu.total for r in replayed] == [s["cpu"]["total"] for s in snaps]
    assert replayed[1].memory.used == snaps[1]["memory"]["used"]
    assert replayed[2].processes[0].pid == snaps[2]["processes"][0]["pid"]


@pytest.mark.parametrize("args, message", [
    (["--once", "--watch"], "--once and --watch exclude each other"),
    (["--interval", "0"], "--interval must be a positive number of seconds"),
])
def test_bad_arguments_exit_2(cli, args, message):
    result = cli("metrics", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_pinned_process_that_exits_degrades_only_its_row(sleeper):
    proc = sleeper()
    source = LocalMetricSource(top=5, warmup=0.2)
    source.pin(proc.pid)
    alive = source.sample()
    (row,) = alive.pinned
    assert (row.pid, row.name, row.gone) == (proc.pid, "sleep", False)
    assert row.command == "sleep 60" and row.rss > 0 and row.open_files is not None
    proc.kill()
    proc.wait()
    after = source.sample()
    (row,) = after.pinned
    assert row.gone and row.errors == {"process": "process exited"}
    assert row.cpu is None and row.rss is None
    assert after.cpu.total is not None and after.memory.total == psutil.virtual_memory().total
    assert all(r.pid != proc.pid for r in after.processes)


def test_processes_exiting_during_sampling_never_break_a_snapshot():
    """Hundreds of real processes start and exit while the source samples."""
    stop = threading.Event()

    def churn():
        while not stop.is_set():
            subprocess.run(["true"])

    threads = [threading.Thread(target=churn, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        source = LocalMetricSource(top=500, warmup=0.05)
        snaps = [source.sample() for _ in range(25)]
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    for snap in snaps:
        assert snap.cpu.total is not None and snap.memory.total and snap.process_count > 0
        assert all(row.pid > 0 for row in snap.processes)
        assert "processes" not in snap.errors


def test_mount_table_is_read_again_after_its_interval_and_a_failed_read_is_retried(monkeypatch):
    """Filesystem usage is read on every sample; the mount table every MOUNTS_EVERY seconds. A mount table
    that cannot be read degrades the filesystems alone, and is read again at the next sample."""
    reads: list[bool] = []
    real = psutil.disk_partitions
    failing = False

    def disk_partitions(all: bool = False):
        reads.append(failing)
        if failing:
            raise PermissionError(13, "Permission denied", "/proc/self/mounts")
        return real(all)

    monkeypatch.setattr(psutil, "disk_partitions", disk_partitions)
    monkeypatch.setattr(local_metrics, "MOUNTS_EVERY", 0.3)
    source = LocalMetricSource(top=5, warmup=0.01)
    first, second = source.sample(), source.sample()
    assert len(reads) == 1
    assert [fs.mountpoint for fs in first.filesystems] == [fs.mountpoint for fs in second.filesystems] != []
    failing = True

    def after_the_mounts_are_read_again() -> LocalSnapshot | None:
        snap = source.sample()
        return snap if len(reads) == 2 else None

    broken = wait_for(after_the_mounts_are_read_again, describe=lambda: reads)  # 0.3 s after the first read
    assert reads == [False, True]
    assert broken.filesystems == [] and broken.errors["filesystems"].startswith("PermissionError")
    assert broken.cpu.total is not None and broken.memory.total and broken.processes
    failing = False
    healed = source.sample()
    assert reads == [False, True, False] and "filesystems" not in healed.errors
    assert [fs.mountpoint for fs in healed.filesystems] == [fs.mountpoint for fs in first.filesystems]


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root to start a sampler as another user")
def test_access_denied_degrades_only_that_value():
    """A sampler running as `nobody` pins a root process: open files are denied, the rest is read."""
    script = textwrap.dedent(f"""
        import json
        from mlops_tui.sources.metrics.local import LocalMetricSource
        source = LocalMetricSource(top=500, warmup=0.2)
        source.pin({os.getpid()})
        snap = source.sample()
        print(json.dumps({{"pinned": snap.to_dict()["pinned"], "memory": snap.memory.total,
                          "rows": [r.__dict__ for r in snap.processes if r.pid == {os.getpid()}]}}))
    """)
    result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                             sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    (row,) = data["pinned"]
    assert row["open_files"] is None and row["errors"]["open_files"] == "access denied"
    assert row["name"] == psutil.Process().name() and row["user"] == "root" and not row["gone"]
    assert row["rss"] is not None and row["threads"] is not None
    assert data["memory"] == psutil.virtual_memory().total
    (listed,) = data["rows"]
    assert listed["rss"] is not None


def test_recorded_source_applies_sort_filter_and_pins():
    from mlops_tui.sources.metrics.recorded import synthetic_snapshots

    source = RecordedMetricSource(synthetic_snapshots(2, cores=4, processes=30), top=5)
    source.sort, source.filter_text = "rss", "triton"
    source.pin(1001)
    source.pin(99999)
    snap = source.sample()
    assert [r.name for r in snap.processes] == ["tritonserver"] * 4
    rss = [r.rss for r in snap.processes]
    assert rss == sorted(rss, reverse=True)
    assert [(p.pid, p.gone) for p in snap.pinned] == [(1001, False), (99999, True)]
    assert isinstance(LocalSnapshot.from_dict(json.loads(json.dumps(snap.to_dict()))), LocalSnapshot)


def test_proc_reader_and_psutil_reader_agree():
    """The /proc/PID/stat reader and the psutil.process_iter one (used where /proc is absent) see the same."""
    source = LocalMetricSource(top=50, warmup=0.1)
    source.sample()
    fast = {r.pid: r for r in source._scan_proc(1.0, {})}
    slow = {r.pid: r for r in source._scan_psutil(1.0, {})}
    common = set(fast) & set(slow)
    assert len(common) >= 0.9 * max(len(fast), len(slow))
    for pid in common:
        a, b = fast[pid], slow[pid]
        if a.name.startswith("kworker/"):
            continue  # kernel workers rename themselves as they take work
        assert a.user == b.user, pid
        assert b.name.startswith(a.name), pid  # the kernel's name is cut at 15 characters
        assert a.threads == b.threads or abs(a.threads - b.threads) <= 2, pid
        assert abs(a.rss - b.rss) <= max(8 * MiB, b.rss // 4), pid


def test_first_at_once_gives_levels_at_once_and_rates_with_the_next_sample():
    """The pane's source: its first sample does not wait; memory, disks, load and the process list are
    there, every rate is None (not a made-up 0); the next sample has the rates over the time between."""
    source = LocalMetricSource(top=500, warmup=5.0, first_at_once=True)
    started = time.monotonic()
    first = source.sample()
    took = time.monotonic() - started
    assert took < 2.5, took  # the 5 s priming wait is not taken
    assert first.window == 0
    assert first.cpu.total is None and first.cpu.iowait is None
    assert first.cpu.per_core == [None] * psutil.cpu_count() and len(first.cpu.load) == 3
    assert first.disk_read is None and first.disk_write is None
    assert all(n.rx is None and n.tx is None for n in first.network)
    assert first.memory.total == psutil.virtual_memory().total and first.filesystems
    assert first.process_count and first.process_count > 10 and first.uptime > 0
    assert all(row.cpu is None for row in first.processes)
    assert os.getpid() in {row.pid for row in first.processes}  # listed while their CPU is unknown
    primed, first_cores = time.monotonic(), psutil.cpu_times(percpu=True)
    # until every core's counters have moved (they tick every 10 ms): then each core has a rate
    wait_for(lambda: all(sum(now) > sum(before) for now, before in zip(psutil.cpu_times(percpu=True), first_cores)))
    asked = time.monotonic()
    second = source.sample()
    assert asked - primed <= second.window <= time.monotonic() - started  # the time between the two samples
    assert second.cpu.total is not None and all(core is not None for core in second.cpu.per_core)
    assert second.disk_read is not None
    assert any(row.cpu is not None for row in second.processes)


def test_secrets_on_a_process_command_line_are_masked_in_samples_and_json():
    argv = [sys.executable, "-c", "import time; time.sleep(60)", "--password=hunter2", "https://bot:pw777@example.invalid/", "sk-live-abcdefghijklmnop1234"]
    proc = subprocess.Popen(argv)
    try:
        source = LocalMetricSource(top=100_000, warmup=0.01)  # every process listed, so every command is read
        (row,) = [r for r in source.sample().processes if r.pid == proc.pid]
        assert "time.sleep(60) --password=" in row.command
        for secret in ("hunter2", "pw777", "sk-live-abcdefghijklmnop1234"):
            assert secret not in row.command
    finally:
        proc.kill()
        proc.wait()
