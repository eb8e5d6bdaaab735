"""Local resources sampled with psutil into plain dataclasses.

`LocalSampler` is the one way to get a snapshot of local resources: `LocalMetricSource` reads this machine;
`recorded_metrics.RecordedMetricSource` replays snapshots saved as JSON (`mlops-tui metrics --watch --json`).
Any psutil call that fails degrades that one value to None and says why in `errors`; the rest is kept.
"""

from __future__ import annotations

import os
import pwd
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import psutil

from mlops_tui.sources.metrics.gpu import GpuProcess, GpuReader, GpuReport, GpuSample
from mlops_tui.sources.metrics.processes import (
    SORT_KEYS, ProcessSample, ProcessView, is_kernel_thread, mask_command, select_processes, users_by_count)

__all__ = ["SORT_KEYS", "ProcessSample", "ProcessView", "LocalSnapshot", "LocalSampler", "LocalMetricSource",
           "interfaces_by_traffic", "rank_processes"]
_PF_KTHREAD = 0x00200000
"""The flag in /proc/PID/stat marking a kernel thread."""
_PROC_STAT = os.path.exists("/proc/self/stat")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_SKIPPED_FSTYPES = {"squashfs", "tmpfs", "devtmpfs", "overlay", "proc", "sysfs", "nsfs"}
MOUNTS_EVERY = 10.0
"""Seconds between two reads of the mount table. Mounts rarely change and the table costs more to read and
parse than the usage of every filesystem in it; usage is read on each sample."""


@dataclass
class CpuSample:
    total: float | None
    """Percent busy over the sample window, all cores."""
    per_core: list[float | None]
    iowait: float | None = None
    steal: float | None = None
    load: list[float] | None = None
    """1, 5 and 15 minute load averages."""


@dataclass
class MemorySample:
    total: int | None
    used: int | None
    available: int | None
    percent: float | None


@dataclass
class FilesystemSample:
    mountpoint: str
    device: str
    fstype: str
    total: int | None = None
    used: int | None = None
    free: int | None = None
    percent: float | None = None


@dataclass
class NetSample:
    interface: str
    rx: float | None
    """Bytes received per second."""
    tx: float | None
    """Bytes sent per second."""
    up: bool | None = None
    """Whether the interface is up (None: not known)."""


def interfaces_by_traffic(network: Iterable[NetSample]) -> list[NetSample]:
    """The interfaces worth a look first: up ones (or of unknown state), busiest first; down ones left out."""
    up = [n for n in network if n.up is not False]
    return sorted(up, key=lambda n: (-((n.rx or 0.0) + (n.tx or 0.0)), n.interface))


@dataclass
class LocalSnapshot:
    """Local resources at one moment; rates are over the `window` seconds before `time`."""

    time: float
    window: float
    cpu: CpuSample
    memory: MemorySample
    swap: MemorySample
    filesystems: list[FilesystemSample] = field(default_factory=list)
    disk_read: float | None = None
    """Bytes read per second, all disks."""
    disk_write: float | None = None
    network: list[NetSample] = field(default_factory=list)
    process_count: int | None = None
    """Every process and kernel thread of the machine."""
    process_matched: int | None = None
    """Processes the list's view lets through (kernel threads, user, filter), before the cut to `top`."""
    kernel_threads: int | None = None
    """Kernel threads left out of the list (shown with K, or none when shown)."""
    users: list[tuple[str, int]] = field(default_factory=list)
    """(user, processes) of every user running something, most first: the choices of the user filter."""
    process_view: ProcessView | None = None
    """The view the process list was chosen by (sort, filter, user, kernel threads, tree)."""
    uptime: float | None = None
    processes: list[ProcessSample] = field(default_factory=list)
    pinned: list[ProcessSample] = field(default_factory=list)
    gpu: GpuReport = field(default_factory=lambda: GpuReport(False, note="not sampled"))
    errors: dict[str, str] = field(default_factory=dict)
    """Values that could not be read, and why."""

    @property
    def net_rx(self) -> float | None:
        known = [n.rx for n in self.network if n.rx is not None]
        return sum(known) if known else None

    @property
    def net_tx(self) -> float | None:
        known = [n.tx for n in self.network if n.tx is not None]
        return sum(known) if known else None

    def series(self) -> dict[str, float | None]:
        """The values kept as history, by series name."""
        values: dict[str, float | None] = {
            "cpu": self.cpu.total, "iowait": self.cpu.iowait, "memory": self.memory.percent,
            "swap": self.swap.percent, "disk.read": self.disk_read, "disk.write": self.disk_write,
            "net.rx": self.net_rx, "net.tx": self.net_tx,
        }
        for index, core in enumerate(self.cpu.per_core):
            values[f"core{index}"] = core
        for gpu in self.gpu.gpus:
            values[f"gpu{gpu.index}.util"] = gpu.utilization
            values[f"gpu{gpu.index}.memory"] = gpu.memory_percent
        for proc in self.pinned:
            values[f"pid{proc.pid}.cpu"] = proc.cpu
            values[f"pid{proc.pid}.rss"] = proc.rss
            values[f"pid{proc.pid}.threads"] = proc.threads
            values[f"pid{proc.pid}.files"] = proc.open_files
        return values

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["net_rx"], data["net_tx"] = self.net_rx, self.net_tx
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LocalSnapshot:
        gpu = data.get("gpu") or {"available": False, "note": "not recorded"}
        gpus = [GpuSample(**{**g, "processes": [GpuProcess(**p) for p in g.get("processes", [])]})
                for g in gpu.get("gpus", [])]
        return cls(
            time=data["time"], window=data["window"], cpu=CpuSample(**data["cpu"]),
            memory=MemorySample(**data["memory"]), swap=MemorySample(**data["swap"]),
            filesystems=[FilesystemSample(**f) for f in data.get("filesystems", [])],
            disk_read=data.get("disk_read"), disk_write=data.get("disk_write"),
            network=[NetSample(**n) for n in data.get("network", [])],
            process_count=data.get("process_count"), uptime=data.get("uptime"),
            process_matched=data.get("process_matched"), kernel_threads=data.get("kernel_threads"),
            users=[tuple(u) for u in data.get("users", [])],
            process_view=ProcessView(**data["process_view"]) if data.get("process_view") else None,
            processes=[ProcessSample(**p) for p in data.get("processes", [])],
            pinned=[ProcessSample(**p) for p in data.get("pinned", [])],
            gpu=GpuReport(gpu.get("available", False), gpus, gpu.get("note", "")),
            errors=dict(data.get("errors", {})),
        )


def rank_processes(rows: Iterable[ProcessSample], sort: str, filter_text: str, top: int) -> list[ProcessSample]:
    """The `top` rows whose name or command contains filter_text, ordered by sort (kernel threads included)."""
    view = ProcessView(sort=sort, filter_text=filter_text, show_kernel=True)
    return select_processes(rows, view, top).rows


class LocalSampler(ABC):
    """Where snapshots of local resources come from."""

    name = "metrics.local"
    paced = True
    """Whether the caller should wait the sample interval between two samples (a replay need not)."""
    warmup = 0.0
    """Seconds between two counter reads for rates to mean something: how soon to take the sample after one
    without rates (window 0)."""

    def __init__(self, top: int = 50) -> None:
        self.top = top
        self.view = ProcessView()
        """Which processes are listed and how (the pane's keys change it); applied to every sample."""
        self._pinned: dict[int, float | None] = {}
        self._pinned_names: dict[int, str] = {}
        """Last name seen of each pinned process, still shown once it has exited."""
        self._pin_lock = threading.Lock()

    @property
    def sort(self) -> str:
        return self.view.sort

    @sort.setter
    def sort(self, value: str) -> None:
        self.view.sort = value

    @property
    def filter_text(self) -> str:
        return self.view.filter_text

    @filter_text.setter
    def filter_text(self, value: str) -> None:
        self.view.filter_text = value

    def list_processes(self, snap: LocalSnapshot, rows: list[ProcessSample]) -> None:
        """Fill the snapshot's process list (and its counts) from all the rows sampled, by the view."""
        listing = select_processes(rows, self.view, self.top)
        snap.processes, snap.process_matched, snap.kernel_threads = (
            listing.rows, listing.matched, listing.kernel_hidden)
        snap.users = users_by_count(r for r in rows if not r.kernel)
        snap.process_view = replace(self.view)

    def pin(self, pid: int) -> None:
        with self._pin_lock:
            self._pinned.setdefault(pid, self._create_time(pid))

    def unpin(self, pid: int) -> None:
        with self._pin_lock:
            self._pinned.pop(pid, None)

    @property
    def pinned(self) -> list[int]:
        with self._pin_lock:
            return list(self._pinned)

    def _create_time(self, pid: int) -> float | None:
        return None

    @abstractmethod
    def sample(self) -> LocalSnapshot | None:
        """A snapshot; None when a recording has no more."""

    def relist(self) -> LocalSnapshot | None:
        """The last snapshot listed again by the current view, where the source can (a recording keeps every
        row); None where the next sample will (a live source, asked to sample at once)."""
        return None

    def close(self) -> None:
        """Release what the source holds (NVML)."""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, psutil.AccessDenied):
        return "access denied"
    if isinstance(exc, psutil.NoSuchProcess):
        return "process exited"
    if isinstance(exc, psutil.ZombieProcess):
        return "zombie process"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _busy(times: Any) -> tuple[float, float]:
    """(busy, total) seconds of a cpu_times entry, counted as psutil.cpu_percent does."""
    total = sum(times)
    total -= getattr(times, "guest", 0.0) + getattr(times, "guest_nice", 0.0)  # already in user/nice
    idle = times.idle + getattr(times, "iowait", 0.0)
    return total - idle, total


def _percent(part: float, whole: float) -> float:
    return max(0.0, min(100.0, 100.0 * part / whole)) if whole > 0 else 0.0


class LocalMetricSource(LocalSampler):
    """This machine, through psutil. Rates (CPU, disk, network, process CPU) are over the time since the
    previous sample. The first sample primes the counters and waits `warmup` seconds, so that it has rates
    too; with `first_at_once` it returns at once instead, with levels only (memory, swap, load, disks,
    processes by name and size; rates None, window 0), and the next sample, `warmup` seconds later, has them:
    what the pane shows in its first frame, as htop does, while `metrics --once` waits for its one sample."""

    def __init__(self, top: int = 50, warmup: float = 0.5, gpu: GpuReader | None = None,
                 first_at_once: bool = False) -> None:
        super().__init__(top)
        self.warmup = warmup
        self.first_at_once = first_at_once
        self.gpu = gpu if gpu is not None else GpuReader()
        self._prev_time: float | None = None
        self._prev_cpu: list[Any] | None = None
        self._prev_disk: Any = None
        self._prev_net: dict[str, Any] = {}
        self._prev_proc: dict[int, tuple[float, float]] = {}
        self._users: dict[int, str] = {}
        self._commands: dict[tuple[int, float | None], str] = {}
        self._owners: dict[tuple[int, float], int] = {}
        self._boot: float | None = None
        self._mounts: list[tuple[str, str, str]] = []
        self._mounts_read: float | None = None

    def _create_time(self, pid: int) -> float | None:
        try:
            return psutil.Process(pid).create_time()
        except psutil.Error:
            return None

    def _user_of(self, uid: int) -> str:
        if uid not in self._users:
            try:
                self._users[uid] = pwd.getpwuid(uid).pw_name
            except KeyError:
                self._users[uid] = str(uid)
        return self._users[uid]

    def _counters(self) -> tuple[float, list[Any] | None, Any, dict[str, Any], dict[str, str]]:
        errors: dict[str, str] = {}
        now = time.monotonic()
        try:
            cpu = psutil.cpu_times(percpu=True)
        except Exception as exc:
            cpu, errors["cpu"] = None, _reason(exc)
        try:
            disk = psutil.disk_io_counters(perdisk=False)
            if disk is None:
                errors["disk_io"] = "no disk counters (/proc/diskstats missing)"
        except Exception as exc:
            disk, errors["disk_io"] = None, _reason(exc)
        try:
            net = psutil.net_io_counters(pernic=True)
        except Exception as exc:
            net, errors["network"] = {}, _reason(exc)
        return now, cpu, disk, net, errors

    def _interfaces_up(self) -> dict[str, bool]:
        """Whether each interface is up (an ioctl per interface: cheap, but not free)."""
        try:
            return {nic: stats.isup for nic, stats in psutil.net_if_stats().items()}
        except Exception:  # the line then shows interfaces of unknown state
            return {}

    def sample(self) -> LocalSnapshot:
        if self._prev_time is None and not self.first_at_once:
            self._prev_time, self._prev_cpu, self._prev_disk, self._prev_net, _ = self._counters()
            self._processes(self.warmup or 1e-9)
            if self.warmup:
                time.sleep(self.warmup)
        now, cpu_times, disk, net, errors = self._counters()
        # No previous counters (first_at_once): window 0, and every rate below stays None
        window = max(now - self._prev_time, 1e-6) if self._prev_time is not None else 0.0
        snap = LocalSnapshot(time=time.time(), window=window, cpu=self._cpu(cpu_times, errors),
                        memory=self._memory(errors), swap=self._swap(errors), errors=errors)
        if disk is not None and self._prev_disk is not None:
            snap.disk_read = max(0, disk.read_bytes - self._prev_disk.read_bytes) / window
            snap.disk_write = max(0, disk.write_bytes - self._prev_disk.write_bytes) / window
        up = self._interfaces_up() if net else {}
        for nic, counters in net.items():
            if nic == "lo":
                continue
            prev = self._prev_net.get(nic)
            rx = max(0, counters.bytes_recv - prev.bytes_recv) / window if prev else None
            tx = max(0, counters.bytes_sent - prev.bytes_sent) / window if prev else None
            snap.network.append(NetSample(nic, rx, tx, up.get(nic)))
        snap.filesystems = self._filesystems(errors)
        try:
            if self._boot is None:
                self._boot = psutil.boot_time()
            snap.uptime = time.time() - self._boot
        except Exception as exc:
            errors["uptime"] = _reason(exc)
        rows, snap.process_count = self._processes(window or 1e-9, errors)
        self.list_processes(snap, rows)
        for row in snap.processes:
            self._command(row)
        snap.pinned = self._pinned_rows(rows)
        try:
            snap.gpu = self.gpu.sample()
        except Exception as exc:
            snap.gpu = GpuReport(False, note=f"GPU read failed: {_reason(exc)}")
        self._prev_time, self._prev_cpu, self._prev_disk = now, cpu_times, disk
        if net:
            self._prev_net = net
        return snap

    def _cpu(self, times: list[Any] | None, errors: dict[str, str]) -> CpuSample:
        try:
            load = [round(v, 2) for v in os.getloadavg()]
        except OSError as exc:
            load, errors["load"] = None, _reason(exc)
        if times is None or self._prev_cpu is None or len(times) != len(self._prev_cpu):
            return CpuSample(None, [None] * len(times or []), load=load)
        per_core: list[float | None] = []
        busy_sum = total_sum = iowait = steal = 0.0
        for now, before in zip(times, self._prev_cpu):
            busy_now, total_now = _busy(now)
            busy_before, total_before = _busy(before)
            busy, total = max(0.0, busy_now - busy_before), max(0.0, total_now - total_before)
            per_core.append(round(_percent(busy, total), 1) if total > 0 else None)
            busy_sum += busy
            total_sum += total
            iowait += max(0.0, getattr(now, "iowait", 0.0) - getattr(before, "iowait", 0.0))
            steal += max(0.0, getattr(now, "steal", 0.0) - getattr(before, "steal", 0.0))
        return CpuSample(
            round(_percent(busy_sum, total_sum), 1), per_core,
            round(_percent(iowait, total_sum), 1), round(_percent(steal, total_sum), 1), load)

    @staticmethod
    def _memory(errors: dict[str, str]) -> MemorySample:
        try:
            vm = psutil.virtual_memory()
            return MemorySample(vm.total, vm.total - vm.available, vm.available, round(vm.percent, 1))
        except Exception as exc:
            errors["memory"] = _reason(exc)
            return MemorySample(None, None, None, None)

    @staticmethod
    def _swap(errors: dict[str, str]) -> MemorySample:
        try:
            sw = psutil.swap_memory()
            return MemorySample(sw.total, sw.used, sw.free, round(sw.percent, 1))
        except Exception as exc:
            errors["swap"] = _reason(exc)
            return MemorySample(None, None, None, None)

    def _mount_table(self) -> list[tuple[str, str, str]]:
        """(mountpoint, device, fstype) of each filesystem shown, re-read every MOUNTS_EVERY seconds."""
        now = time.monotonic()
        if self._mounts_read is None or now - self._mounts_read >= MOUNTS_EVERY:
            mounts, seen = [], set()
            for part in psutil.disk_partitions(all=False):
                if part.fstype in _SKIPPED_FSTYPES or part.mountpoint in seen:
                    continue
                seen.add(part.mountpoint)
                mounts.append((part.mountpoint, part.device, part.fstype))
            self._mounts, self._mounts_read = mounts, now
        return self._mounts

    def _filesystems(self, errors: dict[str, str]) -> list[FilesystemSample]:
        try:
            mounts = self._mount_table()
        except Exception as exc:  # tried again at the next sample
            errors["filesystems"] = _reason(exc)
            return []
        result = []
        for mountpoint, device, fstype in mounts:
            fs = FilesystemSample(mountpoint, device, fstype)
            try:
                usage = psutil.disk_usage(mountpoint)
                fs.total, fs.used, fs.free, fs.percent = usage.total, usage.used, usage.free, usage.percent
            except Exception as exc:  # a stale NFS mount, a mountpoint we may not stat, one unmounted since
                errors[f"filesystem {mountpoint}"] = _reason(exc)
            result.append(fs)
        return result

    def _processes(self, window: float, errors: dict[str, str] | None = None) -> tuple[list[ProcessSample], int | None]:
        """Every process with name, user, CPU% over the window, RSS and threads. On Linux each process costs
        one read of /proc/PID/stat (the file psutil parses for the same values); elsewhere psutil.process_iter."""
        seen: dict[int, tuple[float, float]] = {}
        try:
            rows = self._scan_proc(window, seen) if _PROC_STAT else self._scan_psutil(window, seen)
        except Exception as exc:  # /proc not mounted, or not readable at all
            if errors is not None:
                errors["processes"] = _reason(exc)
            rows = None
        self._prev_proc = seen
        if len(self._commands) > 2 * self.top + 64:  # forget the commands of processes no longer listed
            self._commands = {k: v for k, v in self._commands.items() if k[0] in seen}
        if rows is None:
            return [], None
        return rows, len(rows)

    def _cpu_percent(self, pid: int, created: float, spent: float, window: float, now: float) -> float | None:
        before = self._prev_proc.get(pid)
        if before is not None and before[0] == created:
            return round(max(0.0, spent - before[1]) / window * 100.0, 1)
        if created >= now - window:
            return round(spent / window * 100.0, 1)  # started inside the window
        return None

    def _scan_proc(self, window: float, seen: dict[int, tuple[float, float]]) -> list[ProcessSample]:
        if self._boot is None:
            self._boot = psutil.boot_time()
        rows: list[ProcessSample] = []
        now = time.time()
        owners = self._owners
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            try:  # os.read, not open(): a buffered file object per process per tick costs a third more
                fd = os.open(f"/proc/{entry}/stat", os.O_RDONLY)
                try:
                    data = os.read(fd, 8192)  # one line of well under 1 KiB (the name is at most 64 bytes)
                finally:
                    os.close(fd)
            except OSError:  # exited since listdir, or hidden from us
                continue
            close = data.rfind(b")")
            fields = data[close + 2:].split()
            name = data[data.find(b"(") + 1:close].decode("utf-8", "replace")
            spent = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
            created = self._boot + int(fields[19]) / _CLOCK_TICKS
            ppid = int(fields[1])
            seen[pid] = (created, spent)
            key = (pid, created)
            uid = owners.get(key)
            if uid is None:
                try:
                    uid = owners[key] = os.stat(f"/proc/{entry}").st_uid
                except OSError:
                    uid = -1
            row = ProcessSample(pid, name, self._user_of(uid) if uid >= 0 else None,
                                self._cpu_percent(pid, created, spent, window, now),
                                int(fields[21]) * _PAGE_SIZE, int(fields[17]), ppid=ppid, time=spent,
                                kernel=bool(int(fields[6]) & _PF_KTHREAD), started=created)
            if uid < 0:
                row.errors["user"] = "process exited"
            rows.append(row)
        if len(owners) > len(seen) + 256:
            self._owners = {k: v for k, v in owners.items() if k[0] in seen}
        return rows

    def _scan_psutil(self, window: float, seen: dict[int, tuple[float, float]]) -> list[ProcessSample]:
        rows: list[ProcessSample] = []
        now = time.time()
        attrs = ["pid", "ppid", "name", "uids", "cpu_times", "memory_info", "num_threads", "create_time"]
        for proc in psutil.process_iter(attrs, ad_value=None):
            info = proc.info
            pid = info["pid"]
            uids = info["uids"]
            row = ProcessSample(pid, info["name"], self._user_of(uids.real) if uids is not None else None,
                                ppid=info["ppid"], started=info["create_time"])
            row.kernel = is_kernel_thread(pid, row.ppid)
            times, created = info["cpu_times"], info["create_time"] or 0.0
            if times is not None:
                spent = row.time = times.user + times.system
                seen[pid] = (created, spent)
                row.cpu = self._cpu_percent(pid, created, spent, window, now)
            memory = info["memory_info"]
            row.rss = memory.rss if memory is not None else None
            row.threads = info["num_threads"]
            for key, attr in (("name", "name"), ("uids", "user"), ("cpu_times", "cpu"), ("memory_info", "rss"),
                              ("num_threads", "threads")):
                if info[key] is None:
                    row.errors[attr] = "access denied"
            rows.append(row)
        return rows

    def _command(self, row: ProcessSample) -> None:
        """The command line, read once per process (a pid with a new start time is a new process)."""
        key = (row.pid, self._prev_proc.get(row.pid, (None,))[0])
        cached = self._commands.get(key)
        if cached is not None:
            row.command = cached
            self._full_name(row, cached.split(" ", 1)[:1])
            return
        try:
            args = psutil.Process(row.pid).cmdline()
            # Masked here, once, so neither the pane nor `metrics --json` shows a --password=... or a token.
            row.command = mask_command(args) if args else f"[{row.name}]"
            self._commands[key] = row.command
            self._full_name(row, args)
        except psutil.Error as exc:
            row.command = row.name
            row.errors["command"] = _reason(exc)

    @staticmethod
    def _full_name(row: ProcessSample, args: list[str]) -> None:
        """The kernel cuts names at 15 characters; take the full one from the command, as psutil does."""
        if row.name and len(row.name) >= 15 and args:
            base = os.path.basename(args[0])
            if base.startswith(row.name):
                row.name = base

    def _pinned_rows(self, rows: list[ProcessSample]) -> list[ProcessSample]:
        with self._pin_lock:
            pinned = dict(self._pinned)
        by_pid = {r.pid: r for r in rows}
        result = []
        for pid, created in pinned.items():
            base = by_pid.get(pid)
            if base is not None and base.name:
                self._pinned_names[pid] = base.name
            row = ProcessSample(pid, name=self._pinned_names.get(pid), **({} if base is None else {
                "user": base.user, "cpu": base.cpu, "rss": base.rss, "threads": base.threads,
                "errors": dict(base.errors), "ppid": base.ppid, "time": base.time, "kernel": base.kernel,
                "started": base.started}))
            try:
                proc = psutil.Process(pid)
                if created is not None and proc.create_time() != created:
                    raise psutil.NoSuchProcess(pid)
            except psutil.Error:
                row.gone, row.cpu, row.rss, row.threads = True, None, None, None
                row.errors["process"] = "process exited"
                result.append(row)
                continue
            for attr, call in (("command", proc.cmdline), ("open_files", proc.open_files)):
                try:
                    value = call()
                    setattr(row, attr, mask_command(value) if attr == "command" else len(value))
                except psutil.NoSuchProcess:
                    row.gone = True
                    row.errors["process"] = "process exited"
                    break
                except Exception as exc:
                    row.errors[attr] = _reason(exc)
            result.append(row)
        return result

    def close(self) -> None:
        self.gpu.close()
