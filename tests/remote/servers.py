"""Start Debian's prometheus, prometheus-node-exporter and influxd on free loopback ports.

Each server runs with its data in a temporary directory and is stopped by the caller (`stop()`).
Used by the test fixtures and by the bench/ scripts.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from support.ports import free_port
from support.waits import wait_for


@dataclass
class Server:
    """A running server process and the base URL it answers on."""

    name: str
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _wait_ready(server: Server, path: str, statuses: tuple[int, ...], timeout: float = 30.0,
                opener: urllib.request.OpenerDirector | None = None) -> None:
    deadline = time.monotonic() + timeout
    open_url = opener.open if opener is not None else urllib.request.urlopen
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited: {server.log.read_text(errors='replace')[-2000:]}")
        try:
            with open_url(server.url + path, timeout=1) as response:
                if response.status in statuses:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"{server.name} not ready after {timeout}s: {server.log.read_text(errors='replace')[-2000:]}")


def _spawn(name: str, args: list[str], workdir: Path, port: int) -> Server:
    log = workdir / f"{name}.log"
    handle = log.open("wb")
    process = subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=workdir)
    handle.close()
    return Server(name, f"http://127.0.0.1:{port}", process, log)


def start_node_exporter(workdir: Path) -> Server:
    port = free_port()
    server = _spawn("node-exporter", [
        shutil.which("prometheus-node-exporter") or "prometheus-node-exporter",
        f"--web.listen-address=127.0.0.1:{port}",
        "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo", "--collector.loadavg",
        "--collector.filesystem", "--collector.netdev", "--collector.diskstats", "--collector.uname",
    ], workdir, port)
    _wait_ready(server, "/metrics", (200,))
    return server


def create_blocks(openmetrics: str, data_dir: Path) -> None:
    """Write exact samples into a TSDB directory with promtool."""
    data_dir.mkdir(parents=True, exist_ok=True)
    source = data_dir.parent / "seed.om"
    source.write_text(openmetrics)
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(source), str(data_dir)],
                   check=True, capture_output=True)


def start_prometheus(workdir: Path, data_dir: Path, scrape: dict[str, list[str]] | None = None,
                     scrape_interval: str = "1s", web_config: Path | None = None,
                     opener: urllib.request.OpenerDirector | None = None) -> Server:
    """Prometheus on a free port; web_config (TLS, basic auth) needs an opener that can pass it."""
    port = free_port()
    lines = ["global:", f"  scrape_interval: {scrape_interval}", f"  evaluation_interval: {scrape_interval}",
             "scrape_configs:"]
    for job, targets in (scrape or {}).items():
        lines += [f"  - job_name: {job}", "    static_configs:", f"      - targets: [{', '.join(targets)}]"]
    if not scrape:
        lines[-1] = "scrape_configs: []"
    config = workdir / "prometheus.yml"
    config.write_text("\n".join(lines) + "\n")
    server = _spawn("prometheus", [
        shutil.which("prometheus") or "prometheus",
        f"--config.file={config}", f"--storage.tsdb.path={data_dir}",
        f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=30d",
        *([f"--web.config.file={web_config}"] if web_config else []),
    ], workdir, port)
    if web_config:
        server.url = server.url.replace("http://", "https://")
    _wait_ready(server, "/-/ready", (200,), opener=opener)
    return server


def start_influxd(workdir: Path) -> Server:
    port, rpc = free_port(), free_port()
    root = workdir / "influx"
    root.mkdir(parents=True, exist_ok=True)
    config = workdir / "influxdb.conf"
    config.write_text(f"""reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{root}/meta"
[data]
  dir = "{root}/data"
  wal-dir = "{root}/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:{port}"
  log-enabled = false
[monitor]
  store-enabled = false
""")
    server = _spawn("influxd", [shutil.which("influxd") or "influxd", "-config", str(config)], workdir, port)
    _wait_ready(server, "/ping", (204,))
    return server


def influx_write(server: Server, database: str, lines: list[str]) -> None:
    """Create database and write line protocol (seconds precision) into it."""
    request = urllib.request.Request(f"{server.url}/query?q=CREATE+DATABASE+{database}", method="POST")
    urllib.request.urlopen(request, timeout=10).close()
    body = "\n".join(lines).encode()
    request = urllib.request.Request(f"{server.url}/write?db={database}&precision=s", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 204, response.read()


def wait_for_targets(prom, count: int, timeout: float = 30.0) -> list[dict]:
    """Poll /api/v1/targets until `count` targets have been scraped at least twice (rate() needs two)."""

    def scraped() -> list[dict] | None:
        targets = prom.targets()
        if len(targets) < count or any(t.get("health") == "unknown" for t in targets):
            return None
        up = [t for t in targets if t["health"] == "up"]
        if up and all(prom.instant(f'count_over_time(up{{instance="{t["labels"]["instance"]}"}}[1m])')[0].last()
                      >= 3 for t in up):
            return targets
        return None

    return wait_for(scraped, timeout, interval=0.2, what="targets scraped twice", describe=prom.targets)
