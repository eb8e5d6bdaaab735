"""A stand-in for the `pynvml` module (nvidia-ml-py): the test machines have no NVIDIA GPU or driver.

It answers the NVML calls GpuReader makes with fixed boards, and can be told to fail any call the way the
real library does (raising NVMLError), so the degrade-one-value paths are exercised.
"""

from __future__ import annotations

from types import SimpleNamespace


class NVMLError(Exception):
    """Raised like pynvml.NVMLError, with the library's message."""


class FakeNvml:
    NVML_TEMPERATURE_GPU = 0
    NVMLError = NVMLError

    def __init__(self, boards: list[dict] | None = None, fail: dict[tuple[str, int], str] | None = None,
                 init_error: str | None = None) -> None:
        self.boards = boards if boards is not None else [
            {"name": "NVIDIA A100-SXM4-80GB", "util": 87, "used": 40 << 30, "total": 80 << 30, "temp": 61,
             "power_mw": 245_000, "limit_mw": 400_000, "procs": [(4242, 30 << 30)]},
            {"name": b"Tesla T4", "util": 3, "used": 1 << 30, "total": 16 << 30, "temp": 40,
             "power_mw": 27_500, "limit_mw": 70_000, "procs": [(4343, None)]},
        ]
        self.fail = fail or {}
        self.init_error = init_error
        self.calls: list[str] = []
        self.shut_down = False

    def _call(self, name: str, index: int | None = None):
        self.calls.append(name)
        if (name, index) in self.fail:
            raise NVMLError(self.fail[(name, index)])

    def nvmlInit(self) -> None:
        self._call("nvmlInit")
        if self.init_error:
            raise NVMLError(self.init_error)

    def nvmlShutdown(self) -> None:
        self.shut_down = True

    def nvmlDeviceGetCount(self) -> int:
        self._call("nvmlDeviceGetCount")
        return len(self.boards)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        self._call("nvmlDeviceGetHandleByIndex", index)
        return index

    def nvmlDeviceGetName(self, handle: int):
        self._call("nvmlDeviceGetName", handle)
        return self.boards[handle]["name"]

    def nvmlDeviceGetUtilizationRates(self, handle: int):
        self._call("nvmlDeviceGetUtilizationRates", handle)
        return SimpleNamespace(gpu=self.boards[handle]["util"], memory=0)

    def nvmlDeviceGetMemoryInfo(self, handle: int):
        self._call("nvmlDeviceGetMemoryInfo", handle)
        board = self.boards[handle]
        return SimpleNamespace(used=board["used"], total=board["total"], free=board["total"] - board["used"])

    def nvmlDeviceGetTemperature(self, handle: int, sensor: int) -> int:
        self._call("nvmlDeviceGetTemperature", handle)
        assert sensor == self.NVML_TEMPERATURE_GPU
        return self.boards[handle]["temp"]

    def nvmlDeviceGetPowerUsage(self, handle: int) -> int:
        self._call("nvmlDeviceGetPowerUsage", handle)
        return self.boards[handle]["power_mw"]

    def nvmlDeviceGetEnforcedPowerLimit(self, handle: int) -> int:
        self._call("nvmlDeviceGetEnforcedPowerLimit", handle)
        return self.boards[handle]["limit_mw"]

    def nvmlDeviceGetComputeRunningProcesses(self, handle: int):
        self._call("nvmlDeviceGetComputeRunningProcesses", handle)
        return [SimpleNamespace(pid=pid, usedGpuMemory=used) for pid, used in self.boards[handle]["procs"]]
