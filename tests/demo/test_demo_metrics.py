"""The demo's model-server metrics: exporter fed by the log generator, scraped by Debian's real Prometheus,
read back through PrometheusBackend with the ML serving dashboard's own panel queries."""

from __future__ import annotations

import json
import math
import random
import socket
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from demo.tools import NOW

from mlops_tui.demo import prometheus as demo_prometheus
from mlops_tui.demo.exporter import BUCKETS, MetricsExporter
from mlops_tui.demo.loggen import LogGenerator, make_event
from mlops_tui.demo.prometheus import DemoPrometheus, serving_dashboards, start_demo_prometheus
from mlops_tui.demo.sandbox import demo_overrides
from mlops_tui.settings.loader import load_settings
from mlops_tui.settings.metrics import Dashboard, PrometheusSource
from mlops_tui.sources.metrics.remote.prometheus import PrometheusBackend

pytestmark = pytest.mark.skipif(demo_prometheus.find_prometheus() is None,
                                reason="Debian's prometheus is not installed (scripts/apt-packages.txt)")


def poll(condition, timeout: float = 30.0, every: float = 0.2):
    """condition()'s first truthy value, or AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout}s")
        time.sleep(every)


def refuses_connections(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return True
    return False


def api_requests(logs: Path) -> Counter[tuple[str, str, str]]:
    """(method, route, code) of every request line in api.jsonl."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for line in (logs / "api.jsonl").read_text().splitlines():
        record = json.loads(line)
        counts[(record["http.request.method"], record["url.path"], str(record["http.response.status_code"]))] += 1
    return counts


def finished_runs(logs: Path) -> int:
    path = logs / "trainer.log"
    return sum(" epoch 40/40 " in line for line in path.read_text().splitlines()) if path.exists() else 0


def last_trainer_run_event(seed: int) -> list[str]:
    """The lines of the first 'last epoch' trainer event the generator's own event maker produces."""
    rng = random.Random(seed)
    while True:
        name, lines = make_event(NOW, rng)
        if name == "trainer.log" and " epoch 40/40 " in lines[0]:
            return lines


def test_the_exporter_counts_exactly_what_the_log_generator_writes(tmp_path: Path) -> None:
    with MetricsExporter() as exporter:
        with LogGenerator(tmp_path, interval=0.002, seed=7, on_event=exporter.metrics.record_event) as generator:
            poll(lambda: finished_runs(tmp_path) >= 1 and generator.lines_written > 400, timeout=60, every=0.05)
        assert generator.error is None
        assert exporter.metrics.requests() == dict(api_requests(tmp_path))
        assert exporter.metrics.training_runs() == {"churn": finished_runs(tmp_path)}
        with urllib.request.urlopen(exporter.url, timeout=5) as response:
            assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            text = response.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    total = sum(v for k, v in samples.items() if k.startswith("http_requests_total{"))
    assert total == sum(api_requests(tmp_path).values()) > 0
    assert samples['training_runs_total{model="churn"}'] == finished_runs(tmp_path)
    # Each route's histogram holds exactly the durations its log lines report.
    durations: dict[str, list[float]] = {}
    for line in (tmp_path / "api.jsonl").read_text().splitlines():
        record = json.loads(line)
        durations.setdefault(record["url.path"], []).append(record["event.duration"] / 1e9)
    assert len(durations) >= 3
    for route, seen in durations.items():
        buckets = [samples[f'http_request_duration_seconds_bucket{{route="{route}",le="{b!r}"}}'] for b in BUCKETS]
        assert buckets == [sum(d <= b for d in seen) for b in BUCKETS], route
        assert samples[f'http_request_duration_seconds_bucket{{route="{route}",le="+Inf"}}'] == len(seen)
        assert samples[f'http_request_duration_seconds_count{{route="{route}"}}'] == len(seen)
        assert samples[f'http_request_duration_seconds_sum{{route="{route}"}}'] == pytest.approx(sum(seen))


def test_the_exporter_answers_404_elsewhere_and_stops(tmp_path: Path) -> None:
    exporter = MetricsExporter().start()
    address = exporter.address
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"http://{address}/", timeout=5)
    assert caught.value.code == 404
    exporter.stop()
    assert refuses_connections(address)


@pytest.fixture
def demo_servers(tmp_path: Path) -> Iterator[tuple[MetricsExporter, DemoPrometheus]]:
    """The demo's exporter and Prometheus as `mlops-tui demo` starts them."""
    with MetricsExporter() as exporter:
        prometheus = start_demo_prometheus(exporter.address)
        assert prometheus is not None
        try:
            yield exporter, prometheus
        finally:
            prometheus.stop()


def scraped(backend: PrometheusBackend, instance: str) -> bool:
    """The exporter's target is up and has been scraped at least 3 times (rate() needs two samples)."""
    targets = backend.targets()
    up = [t for t in targets if t["labels"].get("instance") == instance and t["health"] == "up"]
    if not up:
        return False
    count = backend.instant(f'count_over_time(up{{instance="{instance}"}}[1m])')
    return bool(count) and (count[0].last() or 0) >= 3


def panel_values(backend: PrometheusBackend, dashboard: Dashboard, instance: str) -> dict[str, list]:
    """Each panel's range query over the last minute, as the Remote tab runs it: title -> series."""
    end = time.time()
    return {panel.title: backend.range_query(panel.query, end - 60, end, 1.0, variables={"instance": instance})
            for panel in dashboard.panels}


def test_the_ml_serving_dashboard_reads_the_demo_through_real_prometheus(tmp_path: Path, demo_servers) -> None:
    exporter, prometheus = demo_servers
    logs = tmp_path / "logs"
    settings, _ = load_settings(None, demo_prometheus.remote_overrides(prometheus.url), environ={}, cwd=tmp_path)
    assert [(p.name, p.url) for p in settings.metrics.prometheus] == [("demo", prometheus.url)]
    (dashboard,) = settings.metrics.dashboards
    assert dashboard.name == "ML serving"
    assert {p.source for p in dashboard.panels} == {"demo"}
    backend = PrometheusBackend(settings.metrics.prometheus[0])
    try:
        with LogGenerator(logs, interval=0.01, seed=11, on_event=exporter.metrics.record_event):
            poll(lambda: scraped(backend, exporter.address))
            poll(lambda: sum(exporter.metrics.requests().values()) >= 50)
        # One finished training run, through the same call the generator makes for each event.
        exporter.metrics.record_event("trainer.log", last_trainer_run_event(seed=3))
        runs = exporter.metrics.training_runs()["churn"]
        assert runs == finished_runs(logs) + 1 >= 1
        requests = sum(exporter.metrics.requests().values())

        # Prometheus holds exactly what the logs say, once it has scraped after the generator stopped.
        def totals():
            sent = backend.instant("sum(http_requests_total)")
            trained = backend.instant('training_runs_total{model="churn"}')
            values = (sent[0].last() if sent else None, trained[0].last() if trained else None)
            return values if values == (requests, runs) else None

        assert poll(totals) == (requests, runs)
        assert requests == sum(api_requests(logs).values())

        # The dashboard's $instance variable lists the exporter, and every panel has data for it.
        assert backend.variable_values(dashboard.variables["instance"]) == [exporter.address]
        codes = {code for (_, _, code) in exporter.metrics.requests()}

        def every_code_has_a_rate():  # a code first seen in the last scrape needs one more for rate()
            values = panel_values(backend, dashboard, exporter.address)
            rated = {s.labels["code"] for s in values["Request rate"] if s.last() is not None}
            return values if rated == codes else None

        values = poll(every_code_has_a_rate)
        rate = values["Request rate"]
        assert sum(s.last() for s in rate if s.last() is not None) > 0
        (error_rate,) = values["Error rate"]
        assert error_rate.last() is not None and 0 <= error_rate.last() <= 1
        quantiles = []
        for title in ("Latency p50", "Latency p95", "Latency p99"):
            (series,) = values[title]
            assert series.last() is not None and not math.isnan(series.last()), title
            assert 0 < series.last() <= BUCKETS[-1], (title, series.last())
            quantiles.append(series.last())
        assert quantiles == sorted(quantiles)
        (training,) = values["Training runs per hour"]
        assert training.labels["model"] == "churn"
        assert training.last() >= 1  # the counter went up at least once within the hour
    finally:
        backend.close()


def test_prometheus_is_stopped_and_its_folder_removed(tmp_path: Path) -> None:
    with MetricsExporter() as exporter:
        prometheus = start_demo_prometheus(exporter.address)
        assert prometheus is not None
        process, workdir, address = prometheus.process, prometheus.workdir, prometheus.url.removeprefix("http://")
        assert process is not None and process.poll() is None and workdir is not None
        assert (workdir / "data").is_dir()
        prometheus.stop()
        prometheus.stop()  # twice is harmless
    assert process.poll() is not None
    assert not workdir.exists()
    assert refuses_connections(address)


def test_a_failed_start_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    fake = tmp_path / "prometheus"
    fake.write_text("#!/bin/sh\necho 'err: cannot open storage' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(demo_prometheus.DemoPrometheusError, match="cannot open storage"):
        DemoPrometheus(str(fake), ["127.0.0.1:9"]).start()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prometheus"]


def test_without_a_prometheus_binary_the_demo_has_no_remote_source(tmp_path: Path, monkeypatch,
                                                                   sandbox: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert demo_prometheus.find_prometheus() is None
    assert start_demo_prometheus("127.0.0.1:9") is None
    settings, _ = load_settings(None, demo_overrides(sandbox), environ={}, cwd=tmp_path)
    assert settings.metrics.prometheus == [] and settings.metrics.dashboards == []


def test_the_dashboard_comes_from_the_shipped_example(tmp_path: Path) -> None:
    import yaml

    from mlops_tui import paths

    shipped = yaml.safe_load((paths.package_data("configs") / "dashboards" / "ml-serving.yaml").read_text())
    (loaded,) = serving_dashboards("demo")
    (original,) = shipped["metrics"]["dashboards"]
    assert [p["title"] for p in loaded["panels"]] == [p["title"] for p in original["panels"]]
    assert [p["query"] for p in loaded["panels"]] == [p["query"] for p in original["panels"]]
    assert {"Latency p95", "Request rate", "Error rate", "Training runs per hour"} <= {p["title"] for p in loaded["panels"]}


def note_text(app) -> str:
    from mlops_tui.widgets.metrics.remote import RemoteMetricsView
    from mlops_tui.widgets.pane import SourceNote

    return str(app.query_one(RemoteMetricsView).query_one("#remote-note", SourceNote).render())


async def test_the_remote_tab_opens_the_ml_serving_dashboard_on_the_demo(tmp_path: Path, sandbox: Path,
                                                                         demo_servers) -> None:
    from support.app_factory import make_app

    from mlops_tui.widgets.metrics.remote import RemoteMetricsView
    from mlops_tui.widgets.metrics.remote.chart import RemoteChart

    exporter, prometheus = demo_servers
    backend = PrometheusBackend(PrometheusSource(name="demo", url=prometheus.url))
    with LogGenerator(tmp_path / "logs", interval=0.01, seed=5, on_event=exporter.metrics.record_event):
        poll(lambda: scraped(backend, exporter.address))
        backend.close()
        app = make_app(dotlist=demo_overrides(sandbox, prometheus.url), cwd=sandbox,
                       pane_options={"metrics": {"remote": {"autorefresh": False}}})
        async with app.run_test(size=(120, 48)) as pilot:
            await pilot.press("1", "v", "d")
            view = app.query_one(RemoteMetricsView)
            for _ in range(600):  # dashboard, then $instance, then the charts for it (other panes' workers run on)
                await pilot.pause(0.05)
                charts = list(view.query(RemoteChart))
                if view.nav.variables and charts and all(c.loaded and c.series for c in charts):
                    break
            header = str(view.query_one("#remote-header").render())
            assert f"Dashboard ML serving · $instance={exporter.address}" in header
            charts = {c.spec.title: c for c in view.query(RemoteChart)}
            assert list(charts) == ["Latency p50", "Latency p95", "Latency p99", "Request rate", "Error rate",
                                    "Training runs per hour"]
            assert all(not c.stale_reason for c in charts.values()), {t: c.stale_reason for t, c in charts.items()}
            assert 0 < charts["Latency p95"].latest() <= BUCKETS[-1]
            assert charts["Request rate"].latest() > 0
            assert 0 <= charts["Error rate"].latest() <= 1
            assert charts["Training runs per hour"].series[0].labels["model"] == "churn"
            assert "metrics.remote: ok - demo" in note_text(app)


async def test_the_remote_tab_without_prometheus_says_there_is_no_source(sandbox: Path) -> None:
    from support.app_factory import make_app

    app = make_app(dotlist=demo_overrides(sandbox), cwd=sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1", "v")
        await pilot.pause()
        assert "no remote sources" in note_text(app)


def demo_prometheus_processes(tmp: Path) -> list:
    """Prometheus processes whose temporary folder is under `tmp` (the demo's TMPDIR)."""
    import psutil

    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["name"] == "prometheus" and any(str(tmp) in arg for arg in cmdline):
            found.append(process)
    return found


@pytest.mark.slow
def test_mlops_tui_demo_runs_prometheus_while_open_and_stops_it_on_quit(tmp_path: Path) -> None:
    from demo.tools import demo_in_terminal

    terminal, tmp = demo_in_terminal(tmp_path)
    try:
        assert terminal.wait_for(lambda: b"Models" in terminal.output), bytes(terminal.output[-600:])
        (process,) = demo_prometheus_processes(tmp)
        port = next(arg.rsplit(":", 1)[1] for arg in process.cmdline() if arg.startswith("--web.listen-address="))
        backend = PrometheusBackend(PrometheusSource(name="demo", url=f"http://127.0.0.1:{port}"))
        try:  # the demo's log generator feeds the exporter that this Prometheus scrapes
            poll(lambda: backend.instant("sum(http_requests_total)"), timeout=60)
        finally:
            backend.close()
        terminal.send("q")
        assert terminal.wait_for(lambda: terminal.process.poll() is not None, timeout=30)
        assert terminal.process.returncode == 0, bytes(terminal.output[-600:])
        assert not process.is_running()
        assert list(tmp.iterdir()) == []  # sandbox and Prometheus's TSDB are gone
    finally:
        terminal.close()


def test_a_settings_error_after_prometheus_started_still_stops_it(tmp_path: Path) -> None:
    from support.cli import run_cli

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    result = run_cli(["metrics.interval=0", "demo"], env={"TMPDIR": str(tmp)}, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "metrics.interval" in result.stderr and "Traceback" not in result.stderr
    assert demo_prometheus_processes(tmp) == []
    assert list(tmp.iterdir()) == []


def test_prepare_builds_the_sandbox_only(tmp_path: Path) -> None:
    import os

    from support.cli import run_cli

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "prometheus-was-started"
    fake = bin_dir / "prometheus"
    fake.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}"}
    result = run_cli(["demo", "--prepare", str(tmp_path / "sb")], env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str((tmp_path / "sb").resolve())
    assert (tmp_path / "sb" / "logs" / "api.jsonl").is_file()
    assert not marker.exists()
    # The full demo does start it (and says in one line why the Remote tab will be empty when it fails).
    result = run_cli(["metrics.interval=0", "demo"], env={**env, "TMPDIR": str(tmp_path)}, timeout=120)
    assert marker.exists()
    assert "demo: no remote metrics (prometheus did not start: no output)" in result.stderr
    assert result.returncode == 2
