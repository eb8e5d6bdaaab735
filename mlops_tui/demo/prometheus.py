"""A Prometheus server for the demo: scrapes the demo's exporter so the ML serving dashboard has data.

Started only when a `prometheus` binary is on PATH: on a free loopback port, with its TSDB and
config in a temporary folder that `stop()` removes. Nothing is printed: without the binary the
demo simply has no remote source.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from mlops_tui import paths

SOURCE_NAME = "demo"
DASHBOARD_FILE = ("dashboards", "ml-serving.yaml")


class DemoPrometheusError(Exception):
    """Prometheus could not be started; str() is one line saying why."""


def find_prometheus() -> str | None:
    """The `prometheus` binary on PATH, if any."""
    return shutil.which("prometheus")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: Prometheus gets SIGTERM if the demo is killed before it can stop it."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class DemoPrometheus:
    """One Prometheus process scraping `targets` (host:port) every `scrape_interval`."""

    def __init__(self, binary: str, targets: list[str], scrape_interval: str = "1s",
                 ready_timeout: float = 30.0) -> None:
        self.binary = binary
        self.targets = list(targets)
        self.scrape_interval = scrape_interval
        self.ready_timeout = ready_timeout
        self.workdir: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("Prometheus is not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path | None:
        return self.workdir / "prometheus.log" if self.workdir else None

    def _config(self) -> str:
        return yaml.safe_dump({
            "global": {"scrape_interval": self.scrape_interval, "evaluation_interval": self.scrape_interval},
            "scrape_configs": [{"job_name": "ml-serving", "scrape_timeout": self.scrape_interval,
                                "static_configs": [{"targets": self.targets}]}],
        }, sort_keys=False)

    def start(self) -> DemoPrometheus:
        """Start and wait until /-/ready answers; on failure everything is cleaned up and DemoPrometheusError raised."""
        if self.process is not None:
            return self
        self.workdir = Path(tempfile.mkdtemp(prefix="mlops-tui-demo-prometheus-"))
        try:
            config = self.workdir / "prometheus.yml"
            config.write_text(self._config(), encoding="utf-8")
            for _ in range(3):  # another program may take the free port between the check and the bind
                self.port = _free_port()
                self._spawn(config)
                if self._wait_ready():
                    return self
                self._terminate()
                if "address already in use" not in self._log_tail().lower():
                    break
            raise DemoPrometheusError(f"prometheus did not start: {self._log_tail() or 'no output'}")
        except OSError as exc:
            self.stop()
            raise DemoPrometheusError(f"prometheus did not start: {exc.strerror or exc}") from None
        except BaseException:
            self.stop()
            raise

    def _spawn(self, config: Path) -> None:
        assert self.workdir is not None and self.log_file is not None
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                [self.binary, f"--config.file={config}", f"--storage.tsdb.path={self.workdir / 'data'}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--storage.tsdb.retention.time=1d",
                 "--log.level=warn"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
                start_new_session=True,  # keys like Ctrl+C in the demo's terminal are not meant for it
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        return False

    def _log_tail(self) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace") if self.log_file else ""
        except OSError:
            return ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1][:300] if lines else ""

    def _terminate(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def stop(self) -> None:
        """Stop the process and remove the temporary folder; safe to call twice."""
        self._terminate()
        workdir, self.workdir = self.workdir, None
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)

    def __enter__(self) -> DemoPrometheus:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def start_demo_prometheus(target: str, binary: str | None = None) -> DemoPrometheus | None:
    """Prometheus scraping `target` (host:port), or None when no binary is on PATH."""
    binary = binary or find_prometheus()
    if binary is None:
        return None
    return DemoPrometheus(binary, [target]).start()


def serving_dashboards(source: str = SOURCE_NAME) -> list[dict[str, Any]]:
    """The dashboards of configs/dashboards/ml-serving.yaml, their panels pointed at `source`."""
    path = paths.package_data("configs").joinpath(*DASHBOARD_FILE)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("metrics"), dict):
        data = data["metrics"]  # a whole settings file
    if isinstance(data, dict) and "dashboards" in data:
        data = data["dashboards"]
    dashboards = data if isinstance(data, list) else [data]
    for dashboard in dashboards:
        for panel in dashboard.get("panels", []):
            panel["source"] = source
    return dashboards


def _dotlist_value(value: Any) -> str:
    """value as a dotlist value: JSON is YAML, and OmegaConf must not read ${...} in queries."""

    def escape(node: Any) -> Any:
        if isinstance(node, str):
            return node.replace("${", "\\${")
        if isinstance(node, list):
            return [escape(v) for v in node]
        if isinstance(node, dict):
            return {k: escape(v) for k, v in node.items()}
        return node

    return json.dumps(escape(value), ensure_ascii=False)


def remote_overrides(url: str, source: str = SOURCE_NAME) -> list[str]:
    """Settings overrides: the demo's Prometheus as the only remote source, and the ML serving dashboard."""
    return [
        f"metrics.prometheus={_dotlist_value([{'name': source, 'url': url}])}",
        f"metrics.dashboards={_dotlist_value(serving_dashboards(source))}",
        "metrics.time_range=15m",  # the demo's Prometheus starts empty: a short range fills the charts
        "metrics.remote_refresh=5",
    ]
