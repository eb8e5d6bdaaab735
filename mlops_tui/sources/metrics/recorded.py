"""Recorded local resources: replay of `mlops-tui metrics --watch --json`, and made-up machines for tests
and benches (many cores, many processes, GPUs) that this machine is not."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mlops_tui.sources.metrics.gpu import GpuProcess, GpuReport, GpuSample
from mlops_tui.sources.metrics.local import (
    CpuSample, FilesystemSample, MemorySample, LocalSampler, NetSample, ProcessSample, LocalSnapshot)


class RecordedMetricSource(LocalSampler):
    """Replays snapshots (from `mlops-tui metrics --watch --json`, or built in memory) one per sample.

    The process table's sort, filter and pins apply to the recorded rows as they would to live ones.
    """

    name = "metrics.recorded"
    paced = False

    def __init__(self, snapshots: Iterable[LocalSnapshot | dict[str, Any]], top: int = 50, loop: bool = False) -> None:
        super().__init__(top)
        self.snapshots = [s if isinstance(s, LocalSnapshot) else LocalSnapshot.from_dict(s) for s in snapshots]
        self.loop = loop
        self._next = 0

    @classmethod
    def from_file(cls, path: str | Path, **kwargs: Any) -> RecordedMetricSource:
        """One JSON snapshot per line, or one JSON list of snapshots."""
        text = Path(path).read_text(encoding="utf-8")
        stripped = text.lstrip()
        if stripped.startswith("["):
            items = json.loads(stripped)
        else:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        return cls(items, **kwargs)

    def _create_time(self, pid: int) -> float | None:
        return None

    def sample(self) -> LocalSnapshot | None:
        if self._next >= len(self.snapshots):
            if not self.loop or not self.snapshots:
                return None
            self._next = 0
        recorded = self.snapshots[self._next]
        self._next += 1
        return self._listed(recorded)

    def relist(self) -> LocalSnapshot | None:
        return self._listed(self.snapshots[self._next - 1]) if self._next else None

    def _listed(self, recorded: LocalSnapshot) -> LocalSnapshot:
        rows = recorded.processes
        by_pid = {r.pid: r for r in rows}
        pinned = []
        for pid in self.pinned:
            row = by_pid.get(pid)
            if row is None:
                row = ProcessSample(pid, gone=True, errors={"process": "process exited"})
            pinned.append(row)
        snap = LocalSnapshot(**{**recorded.__dict__, "pinned": pinned})
        self.list_processes(snap, rows)
        return snap


def synthetic_snapshots(count: int, cores: int = 8, processes: int = 40, seed: int = 1,
                        start: float = 1_700_000_000.0, gpus: int = 0, kernel_threads: int = 0) -> list[LocalSnapshot]:
    """A made-up but deterministic recording (same seed, same values) for snapshots, tests and benches
    of machines this one is not: many cores, many processes, GPUs. Process 1000 is the parent of the next
    three, each of those of the next three, and so on (a tree); `kernel_threads` kworkers (pids 2, 3...) too."""
    import random

    rng = random.Random(seed)
    gib = 1 << 30
    users = ["root", "mlserve", "train", "postgres"]
    names = ["python", "tritonserver", "gunicorn", "postgres", "node_exporter", "sshd", "bash", "dvc"]
    base = [ProcessSample(1000 + i, names[i % len(names)], users[i % len(users)], threads=1 + i % 17,
                          command=f"/usr/bin/{names[i % len(names)]} --worker {i}",
                          ppid=1000 + (i - 1) // 3 if i else 1, started=start - 3600 + i) for i in range(processes)]
    kernel = [ProcessSample(2 + i, "kthreadd" if i == 0 else f"kworker/{i}:0", "root", 0.0, 0, 1, f"[kworker/{i}:0]",
                            ppid=0 if i == 0 else 2, time=float(i), kernel=True, started=start - 86400)
              for i in range(kernel_threads)]
    result = []
    for n in range(count):
        wave = 50 + 45 * ((n % 20) - 10) / 10
        per_core = [round(min(100.0, max(0.0, wave + rng.uniform(-40, 40))), 1) for _ in range(cores)]
        total = round(sum(per_core) / cores, 1)
        used = int((0.55 + 0.4 * (n % 10) / 10) * 64 * gib)
        procs = [ProcessSample(p.pid, p.name, p.user, round(rng.uniform(0, 100) if p.pid % 7 else 0.0, 1),
                               (p.pid % 97 + 1) * 37 * (1 << 20), p.threads, p.command, ppid=p.ppid,
                               time=round((p.pid % 13) * 61.5 + n * (p.pid % 5) * 0.25, 2), started=p.started)
                 for p in base] + kernel
        gpu = GpuReport(False, note="no GPU library: install nvidia-ml-py to see NVIDIA GPUs")
        if gpus:
            gpu = GpuReport(True, [GpuSample(i, "NVIDIA A100-SXM4-80GB", float(60 + 10 * i + n % 30),
                                             int((40 + i) * gib), 80 * gib, 55.0 + i, 250.0, 400.0,
                                             [GpuProcess(1001, "tritonserver", 30 * gib)]) for i in range(gpus)])
        result.append(LocalSnapshot(
            time=start + n, window=1.0,
            cpu=CpuSample(total, per_core, round(rng.uniform(0, 5), 1), 0.0, [3.2, 2.9, 2.5]),
            memory=MemorySample(64 * gib, used, 64 * gib - used, round(100 * used / (64 * gib), 1)),
            swap=MemorySample(8 * gib, gib // 2, 8 * gib - gib // 2, 6.2),
            filesystems=[FilesystemSample("/", "/dev/nvme0n1p2", "ext4", 500 * gib, 430 * gib, 70 * gib, 86.0),
                         FilesystemSample("/data", "/dev/nvme1n1", "xfs", 4000 * gib, 1200 * gib, 2800 * gib, 30.0)],
            disk_read=float(rng.randint(0, 200) << 20), disk_write=float(rng.randint(0, 80) << 20),
            network=[NetSample("eth0", float(rng.randint(0, 900) << 10), float(rng.randint(0, 300) << 10))],
            process_count=processes + kernel_threads, uptime=86400 * 3 + 3600 * 5 + n, processes=procs, gpu=gpu))
    return result
