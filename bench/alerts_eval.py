"""500 alert rules over the demo's Prometheus, evaluated every 15 s: our engine's time and CPU per cycle, next
to Prometheus' own evaluation of the same 500 rules (the group's `evaluationTime` in /api/v1/rules, and its
`process_cpu_seconds_total`), in one run.

Starts the demo's metrics exporter (with traffic: a few percent of 5xx) and Debian's prometheus scraping it
every second, with the 500 rules loaded as a rule group evaluated every 15 s. Our side: `AlertEngine.evaluate`
over the same expressions and thresholds (one instant query per rule, 8 at a time, as the pane runs them).
Usage: python bench/alerts_eval.py [--cycles 4] [--rules 500]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import yaml  # noqa: E402

from mlops_tui.demo.exporter import MetricsExporter  # noqa: E402
from mlops_tui.settings import load_settings  # noqa: E402
from mlops_tui.sources.alerts.engine import AlertEngine  # noqa: E402
from support.ports import free_port  # noqa: E402

INTERVAL = 15.0
TEMPLATES = [
    ('sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))', 0.0001),
    ("sum by (route) (rate(http_requests_total[1m]))", 0.01),
    ('sum by (code) (increase(http_requests_total[5m]))', 1.0),
    ("rate(http_requests_total[5m])", 0.001),
    ('histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))', 0.001),
]


def rules(count: int) -> list[tuple[str, str, float]]:
    """(name, expr, threshold): the templates with thresholds spread so that some fire and some do not."""
    out = []
    for i in range(count):
        expr, unit = TEMPLATES[i % len(TEMPLATES)]
        out.append((f"bench_rule_{i}", expr, unit * (i // len(TEMPLATES))))
    return out


def traffic(exporter: MetricsExporter, stop: threading.Event) -> None:
    i = 0
    while not stop.wait(0.01):
        i += 1
        route = ("/v1/predict/churn", "/v1/predict/fraud", "/healthz")[i % 3]
        exporter.metrics.observe_request("POST", route, 500 if i % 33 == 0 else 200, 0.02 + (i % 50) / 1000)


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def prometheus_cpu(url: str) -> float:
    with urllib.request.urlopen(f"{url}/metrics", timeout=30) as response:
        for line in response.read().decode().splitlines():
            if line.startswith("process_cpu_seconds_total "):
                return float(line.split()[1])
    raise RuntimeError("Prometheus did not report process_cpu_seconds_total")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=4)
    parser.add_argument("--rules", type=int, default=500)
    args = parser.parse_args()
    binary = shutil.which("prometheus")
    if binary is None:
        sys.exit("needs Debian's prometheus on PATH")
    chosen = rules(args.rules)
    stop = threading.Event()
    with tempfile.TemporaryDirectory(prefix="bench-alerts-") as tmp, MetricsExporter() as exporter:
        work = Path(tmp)
        threading.Thread(target=traffic, args=(exporter, stop), daemon=True).start()
        (work / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "bench", "interval": "15s", "rules": [
            {"alert": name, "expr": f"({expr}) > {threshold}"} for name, expr, threshold in chosen]}]}))
        (work / "prometheus.yml").write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "15s"},
            "rule_files": [str(work / "rules.yml")],
            "scrape_configs": [{"job_name": "ml-serving", "static_configs": [{"targets": [exporter.address]}]}]}))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = (work / "prometheus.log").open("wb")
        process = subprocess.Popen([binary, f"--config.file={work / 'prometheus.yml'}",
                                    f"--storage.tsdb.path={work / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    get(f"{url}/api/v1/status/buildinfo")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            time.sleep(6)  # several scrapes, so rate() has data
            settings, _ = load_settings(None, [
                f"metrics.prometheus=[{{name: demo, url: '{url}'}}]",
                "alerts.rules=" + json.dumps([{"name": n, "source": "demo", "expr": e, "op": ">", "threshold": t}
                                              for n, e, t in chosen])], environ={}, cwd=work)
            engine = AlertEngine(settings, deadline=INTERVAL)
            ours_wall, ours_cpu, firing = [], [], 0
            prom_cpu_start, started = prometheus_cpu(url), time.monotonic()
            for cycle in range(args.cycles):
                begin = time.monotonic()
                cpu = resource.getrusage(resource.RUSAGE_SELF)
                engine.evaluate()
                after = resource.getrusage(resource.RUSAGE_SELF)
                ours_wall.append(time.monotonic() - begin)
                ours_cpu.append(after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime)
                views = engine.views()
                firing = sum(len(v.firing) + len(v.pending) for v in views)
                errors = [v.reason for v in views if v.state == "error"]
                if errors:
                    print(f"cycle {cycle}: {len(errors)} rules failed, e.g. {errors[0]}", file=sys.stderr)
                time.sleep(max(0.0, INTERVAL - (time.monotonic() - begin)))
            span = time.monotonic() - started
            prom_cpu = prometheus_cpu(url) - prom_cpu_start
            engine.close()
            groups = get(f"{url}/api/v1/rules")["data"]["groups"]
            group = next(g for g in groups if g["name"] == "bench")
            prom_eval = group["evaluationTime"]
            prom_rules = len(group["rules"])
            prom_active = sum(len(r.get("alerts", [])) for r in group["rules"])
        finally:
            stop.set()
            process.terminate()
            process.wait(10)
            log.close()
    ours = statistics.median(ours_wall)
    cpu = statistics.median(ours_cpu)
    prom_cycles = span / INTERVAL
    print(f"rules: {args.rules} (Prometheus loaded {prom_rules}); cycles: {args.cycles} every {INTERVAL:g}s; "
          f"alerts pending or firing: ours {firing}, Prometheus {prom_active}")
    print(f"mlops-tui AlertEngine: {ours * 1000:.0f} ms per cycle (median; all: "
          f"{', '.join(f'{w * 1000:.0f}' for w in ours_wall)} ms), CPU {cpu * 1000:.0f} ms per cycle "
          f"({cpu / INTERVAL * 100:.1f}% of a core at one cycle per 15 s)")
    print(f"Prometheus rule group: {prom_eval * 1000:.1f} ms per evaluation (/api/v1/rules evaluationTime, last), "
          f"process CPU {prom_cpu / prom_cycles * 1000:.0f} ms per 15 s (scraping included)")
    print(f"ratio: our cycle takes {ours / prom_eval:.0f}x Prometheus' own evaluation time (under load)")


if __name__ == "__main__":
    main()
