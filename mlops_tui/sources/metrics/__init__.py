"""Metrics of this machine and of remote backends.

- `local`: `LocalSampler` (the interface the Local view samples) and `LocalMetricSource` (psutil, this machine),
  with `LocalSnapshot` and its sample rows.
- `recorded`: `RecordedMetricSource`, a LocalSampler replaying recorded snapshots (tests, demo, benches).
- `gpu`: NVML readings for the Local view.
- `ringbuffer`: bounded history of samples.
- `remote`: the remote model (`RemoteSeries`, `HostRow`, `TimeRange`, the `RemoteSource` protocol); its
  backends `prometheus` and `influx`; `factory.open_source` to open a configured one.
"""
