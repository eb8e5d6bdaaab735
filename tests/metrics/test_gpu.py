"""GPUs through NVML: tested with FakeNvml, a stand-in for pynvml (no GPU on the test machines)."""

from __future__ import annotations

import importlib.util

import pytest

from metrics.fake_nvml import FakeNvml
from mlops_tui.sources.metrics.gpu import GpuReader


def test_reads_every_board_and_its_processes():
    nvml = FakeNvml()
    report = GpuReader(nvml, process_name={4242: "tritonserver"}.get).sample()
    assert report.available
    a100, t4 = report.gpus
    assert (a100.name, a100.utilization, a100.temperature) == ("NVIDIA A100-SXM4-80GB", 87.0, 61.0)
    assert (a100.memory_used, a100.memory_total, a100.memory_percent) == (40 << 30, 80 << 30, 50.0)
    assert (a100.power, a100.power_limit) == (245.0, 400.0)
    assert [(p.pid, p.name, p.memory_used) for p in a100.processes] == [(4242, "tritonserver", 30 << 30)]
    assert t4.name == "Tesla T4"  # old pynvml returns bytes
    assert [(p.pid, p.name, p.memory_used) for p in t4.processes] == [(4343, None, None)]


def test_a_failing_call_degrades_only_that_value():
    nvml = FakeNvml(fail={("nvmlDeviceGetTemperature", 1): "Not Supported",
                          ("nvmlDeviceGetComputeRunningProcesses", 0): "Insufficient Permissions"})
    a100, t4 = GpuReader(nvml).sample().gpus
    assert t4.temperature is None and t4.errors == {"temperature": "Not Supported"}
    assert t4.utilization == 3.0 and t4.memory_used == 1 << 30
    assert a100.temperature == 61.0 and a100.processes == []
    assert a100.errors == {"processes": "Insufficient Permissions"}


def test_driver_missing_is_one_line():
    report = GpuReader(FakeNvml(init_error="Driver Not Loaded")).sample()
    assert not report.available and report.gpus == []
    assert report.note == "no NVIDIA driver answered: Driver Not Loaded"


def test_no_boards():
    report = GpuReader(FakeNvml(boards=[])).sample()
    assert not report.available and report.note == "NVML found no GPU"


@pytest.mark.skipif(importlib.util.find_spec("pynvml") is not None, reason="nvidia-ml-py is installed here")
def test_without_nvidia_ml_py_the_section_says_so():
    report = GpuReader().sample()
    assert not report.available
    assert report.note == "no GPU library: install nvidia-ml-py to see NVIDIA GPUs"


def test_close_shuts_nvml_down_once_started():
    nvml = FakeNvml()
    reader = GpuReader(nvml)
    reader.sample()
    reader.close()
    assert nvml.shut_down
    assert nvml.calls.count("nvmlInit") == 1
