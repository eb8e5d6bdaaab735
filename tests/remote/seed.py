"""Exact, known data for the remote-metrics tests: OpenMetrics for promtool and Telegraf line protocol."""

from __future__ import annotations

from dataclasses import dataclass

STEP = 15  # seconds between Prometheus samples
SAMPLES = 41  # 10 minutes of samples, so a [5m] window at the last sample holds exactly 21 of them

# Per host: counter slopes per second and gauge values. Expected fleet values follow from them.
PROM_HOSTS = {
    "web-1:9100": {"idle": 0.75, "io": 0.10, "rx": 1000.0, "tx": 500.0, "avail": 2e9, "fs_avail": 40e9,
                   "load1": 1.5, "up": 1},
    "web-2:9100": {"idle": 0.50, "io": 0.20, "rx": 3000.0, "tx": 250.0, "avail": 6e9, "fs_avail": 90e9,
                   "load1": 0.25, "up": 0},
}
PROM_EXPECTED = {
    "web-1:9100": {"cpu": 25.0, "mem": 75.0, "disk": 60.0, "disk_busy": 10.0, "net_rx": 1000.0, "net_tx": 500.0,
                   "load1": 1.5},
    "web-2:9100": {"cpu": 50.0, "mem": 25.0, "disk": 10.0, "disk_busy": 20.0, "net_rx": 3000.0, "net_tx": 250.0,
                   "load1": 0.25},
}
# Model server: requests per second by status code, and the latency histogram's per-second bucket rates.
SERVING_RATES = {"200": 10.0, "500": 0.5}
LATENCY_BUCKETS = {"0.1": 5.0, "0.25": 8.0, "0.5": 9.5, "1": 10.0, "+Inf": 10.5}


def openmetrics(last: int) -> str:
    """SAMPLES samples per series, STEP seconds apart, the last one at `last` (epoch seconds)."""
    times = [last - STEP * (SAMPLES - 1 - i) for i in range(SAMPLES)]
    families: dict[str, tuple[str, list[str]]] = {}

    def add(family: str, kind: str, line: str) -> None:
        families.setdefault(family, (kind, []))[1].append(line)

    for host, h in PROM_HOSTS.items():
        base = f'instance="{host}",job="node"'
        for i, t in enumerate(times):
            elapsed = i * STEP
            for cpu in ("0", "1"):
                add("node_cpu_seconds", "counter",
                    f'node_cpu_seconds_total{{{base},cpu="{cpu}",mode="idle"}} {1000 + h["idle"] * elapsed} {t}')
            add("node_disk_io_time_seconds", "counter",
                f'node_disk_io_time_seconds_total{{{base},device="sda"}} {500 + h["io"] * elapsed} {t}')
            add("node_network_receive_bytes", "counter",
                f'node_network_receive_bytes_total{{{base},device="eth0"}} {1e6 + h["rx"] * elapsed} {t}')
            add("node_network_receive_bytes", "counter",
                f'node_network_receive_bytes_total{{{base},device="lo"}} {1e6 + 1e6 * elapsed} {t}')
            add("node_network_transmit_bytes", "counter",
                f'node_network_transmit_bytes_total{{{base},device="eth0"}} {2e6 + h["tx"] * elapsed} {t}')
            add("node_memory_MemTotal_bytes", "gauge", f"node_memory_MemTotal_bytes{{{base}}} 8e9 {t}")
            add("node_memory_MemAvailable_bytes", "gauge", f'node_memory_MemAvailable_bytes{{{base}}} {h["avail"]} {t}')
            for mount, fstype, size, avail in (("/", "ext4", 100e9, h["fs_avail"]), ("/run", "tmpfs", 1e9, 1e6)):
                labels = f'{base},mountpoint="{mount}",fstype="{fstype}",device="sda1"'
                add("node_filesystem_size_bytes", "gauge", f"node_filesystem_size_bytes{{{labels}}} {size} {t}")
                add("node_filesystem_avail_bytes", "gauge", f"node_filesystem_avail_bytes{{{labels}}} {avail} {t}")
            add("node_load1", "gauge", f'node_load1{{{base}}} {h["load1"]} {t}')
            add("up", "gauge", f'up{{{base}}} {h["up"]} {t}')
    serving = 'instance="model-a:8000",job="serving"'
    for i, t in enumerate(times):
        elapsed = i * STEP
        for code, rate in SERVING_RATES.items():
            add("http_requests", "counter", f'http_requests_total{{{serving},code="{code}"}} {rate * elapsed} {t}')
        for le, rate in LATENCY_BUCKETS.items():
            add("http_request_duration_seconds", "histogram",
                f'http_request_duration_seconds_bucket{{{serving},le="{le}"}} {rate * elapsed} {t}')
        add("http_request_duration_seconds", "histogram",
            f"http_request_duration_seconds_count{{{serving}}} {LATENCY_BUCKETS['+Inf'] * elapsed} {t}")
        add("http_request_duration_seconds", "histogram",
            f"http_request_duration_seconds_sum{{{serving}}} {2.0 * elapsed} {t}")
        add("training_runs", "counter", f'training_runs_total{{job="trainer",model="ranker"}} {i // 8} {t}')
    out = []
    for family, (kind, lines) in families.items():
        out.append(f"# TYPE {family} {kind}")
        out.extend(lines)
    out.append("# EOF")
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class InfluxHost:
    idle: float
    mem: float
    disks: dict[str, float]
    io_ms_per_s: float
    rx: float
    tx: float
    load1: float


INFLUX_STEP = 10
INFLUX_POINTS = 31
INFLUX_HOSTS = {
    "gpu-1": InfluxHost(70.0, 42.5, {"/": 55.0, "/data": 80.0}, 50.0, 2000.0, 1000.0, 2.5),
    "gpu-2": InfluxHost(10.0, 91.25, {"/": 30.0}, 400.0, 500.0, 125.0, 7.75),
    "old-1": InfluxHost(99.0, 12.0, {"/": 20.0}, 0.0, 0.0, 0.0, 0.0),
}
INFLUX_EXPECTED = {
    "gpu-1": {"cpu": 30.0, "mem": 42.5, "disk": 80.0, "disk_busy": 5.0, "net_rx": 2000.0, "net_tx": 1000.0,
              "load1": 2.5},
    "gpu-2": {"cpu": 90.0, "mem": 91.25, "disk": 30.0, "disk_busy": 40.0, "net_rx": 500.0, "net_tx": 125.0,
              "load1": 7.75},
}
OLD_HOST_AGE = 1800  # old-1 stopped reporting this many seconds before the others' last point


def telegraf_lines(last: int) -> list[str]:
    """Telegraf-shaped points (cpu, mem, disk, diskio, net, system) every INFLUX_STEP s up to `last`."""
    lines = []
    for host, h in INFLUX_HOSTS.items():
        end = last - OLD_HOST_AGE if host == "old-1" else last
        for i in range(INFLUX_POINTS):
            t = end - INFLUX_STEP * (INFLUX_POINTS - 1 - i)
            elapsed = i * INFLUX_STEP
            lines.append(f"cpu,cpu=cpu-total,host={host} usage_idle={h.idle},usage_user={100 - h.idle} {t}")
            lines.append(f"cpu,cpu=cpu0,host={host} usage_idle=1 {t}")
            lines.append(f"mem,host={host} used_percent={h.mem},total=8000000000i {t}")
            for path, used in h.disks.items():
                lines.append(f"disk,device=sda1,fstype=ext4,host={host},mode=rw,path={path} used_percent={used} {t}")
            lines.append(f"diskio,host={host},name=sda io_time={int(1000 + h.io_ms_per_s * elapsed)}i {t}")
            lines.append(f"net,host={host},interface=eth0 bytes_recv={int(h.rx * elapsed)}i,"
                         f"bytes_sent={int(h.tx * elapsed)}i {t}")
            lines.append(f"net,host={host},interface=lo bytes_recv={int(1e6 * elapsed)}i,bytes_sent=0i {t}")
            lines.append(f"system,host={host} load1={h.load1},load5=1,n_cpus=8i {t}")
    return lines
