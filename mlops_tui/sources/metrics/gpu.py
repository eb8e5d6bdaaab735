"""NVIDIA GPUs through NVML (the `pynvml` module of nvidia-ml-py), when it is installed and a driver answers.

Each NVML call that fails (not supported on this board, a process gone) degrades that one value to None.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import psutil


@dataclass
class GpuProcess:
    pid: int
    name: str | None
    memory_used: int | None
    """Bytes of GPU memory, None when the driver does not say."""


@dataclass
class GpuSample:
    index: int
    name: str | None = None
    utilization: float | None = None
    """Percent of time a kernel ran over the last sample period."""
    memory_used: int | None = None
    memory_total: int | None = None
    temperature: float | None = None
    """Degrees Celsius."""
    power: float | None = None
    """Watts drawn."""
    power_limit: float | None = None
    processes: list[GpuProcess] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    """Values that could not be read, and why."""

    @property
    def memory_percent(self) -> float | None:
        if self.memory_used is None or not self.memory_total:
            return None
        return 100.0 * self.memory_used / self.memory_total


@dataclass
class GpuReport:
    """What the GPU section shows: the GPUs, or one line saying why there are none."""

    available: bool
    gpus: list[GpuSample] = field(default_factory=list)
    note: str = ""


def _process_name(pid: int) -> str | None:
    """The name of a process using a GPU, None when it has exited or may not be read."""
    try:
        return psutil.Process(pid).name()
    except psutil.Error:
        return None


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class GpuReader:
    """Reads every GPU once per call to `sample()`; `nvml` is the pynvml module (or a stand-in in tests)."""

    def __init__(self, nvml: Any | None = None, process_name=None) -> None:
        self._nvml = nvml
        self._process_name = process_name or _process_name
        self._note = ""
        self._ready = False
        self._tried = False

    def _init(self) -> None:
        self._tried = True
        if self._nvml is None:
            try:
                self._nvml = importlib.import_module("pynvml")
            except ImportError:
                self._note = "no GPU library: install nvidia-ml-py to see NVIDIA GPUs"
                return
        try:
            self._nvml.nvmlInit()
        except Exception as exc:  # NVMLError_LibraryNotFound, DriverNotLoaded...
            self._note = f"no NVIDIA driver answered: {_text(exc) or type(exc).__name__}"
            return
        self._ready = True

    def sample(self) -> GpuReport:
        if not self._tried:
            self._init()
        if not self._ready:
            return GpuReport(False, note=self._note)
        nvml = self._nvml
        try:
            count = nvml.nvmlDeviceGetCount()
        except Exception as exc:
            return GpuReport(False, note=f"NVML could not count GPUs: {_text(exc)}")
        if count == 0:
            return GpuReport(False, note="NVML found no GPU")
        gpus = [self._device(index) for index in range(count)]
        return GpuReport(True, gpus)

    def _device(self, index: int) -> GpuSample:
        nvml = self._nvml
        gpu = GpuSample(index)
        try:
            handle = nvml.nvmlDeviceGetHandleByIndex(index)
        except Exception as exc:
            gpu.errors["device"] = _text(exc)
            return gpu

        def read(key: str, call):
            try:
                return call()
            except Exception as exc:
                gpu.errors[key] = _text(exc) or type(exc).__name__
                return None

        name = read("name", lambda: nvml.nvmlDeviceGetName(handle))
        gpu.name = _text(name) if name is not None else None
        util = read("utilization", lambda: nvml.nvmlDeviceGetUtilizationRates(handle))
        gpu.utilization = float(util.gpu) if util is not None else None
        memory = read("memory", lambda: nvml.nvmlDeviceGetMemoryInfo(handle))
        if memory is not None:
            gpu.memory_used, gpu.memory_total = int(memory.used), int(memory.total)
        temp = read("temperature", lambda: nvml.nvmlDeviceGetTemperature(handle, nvml.NVML_TEMPERATURE_GPU))
        gpu.temperature = float(temp) if temp is not None else None
        power = read("power", lambda: nvml.nvmlDeviceGetPowerUsage(handle))
        gpu.power = power / 1000.0 if power is not None else None
        limit = read("power_limit", lambda: nvml.nvmlDeviceGetEnforcedPowerLimit(handle))
        gpu.power_limit = limit / 1000.0 if limit is not None else None
        procs = read("processes", lambda: nvml.nvmlDeviceGetComputeRunningProcesses(handle)) or []
        for proc in procs:
            used = getattr(proc, "usedGpuMemory", None)
            gpu.processes.append(GpuProcess(int(proc.pid), self._process_name(int(proc.pid)),
                                            int(used) if used is not None else None))
        return gpu

    def close(self) -> None:
        if self._ready:
            try:
                self._nvml.nvmlShutdown()
            except Exception:  # shutting down a library that is going away: nothing to show anyone
                pass
            self._ready = False
