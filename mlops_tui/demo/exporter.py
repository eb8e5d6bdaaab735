"""The demo's model-server metrics, served in Prometheus text format from a thread on 127.0.0.1.

The numbers are derived from the very log events the demo's log generator writes (`record_event`),
so the Remote tab and the Logs pane tell the same story:
- `http_requests_total{method,route,code}`: one per api.jsonl request line;
- `http_request_duration_seconds{route}`: a histogram of those lines' `event.duration`;
- `training_runs_total{model}`: +1 when trainer.log shows the last epoch of a run (`epoch 40/40`).
Only the standard library is used, so the app stays light.
"""

from __future__ import annotations

import json
import math
import re
import threading
from http.server import BaseHTTPRequestHandler

from mlops_tui.demo.serving import LoopbackServer

# Prometheus client libraries' default buckets: the demo's latencies (2 ms to ~2.5 s) fall inside.
BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
TRAINED_MODEL = "churn"
_LAST_EPOCH = re.compile(r"\bepoch (\d+)/(\d+)\b")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: tuple[tuple[str, str], ...]) -> str:
    return "{" + ",".join(f'{k}="{_label_value(v)}"' for k, v in pairs) + "}" if pairs else ""


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(float(value))


class _Histogram:
    def __init__(self) -> None:
        self.counts = [0] * len(BUCKETS)  # per bucket, not cumulative
        self.total = 0
        self.sum = 0.0

    def observe(self, value: float) -> None:
        for i, bound in enumerate(BUCKETS):
            if value <= bound:
                self.counts[i] += 1
                break
        self.total += 1
        self.sum += value


class DemoMetrics:
    """Counters and a histogram of the demo's model servers; safe to update from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str, str], int] = {}
        self._durations: dict[str, _Histogram] = {}
        # Present from the start, so "training runs" reads 0 rather than "no data" before the first run.
        self._training_runs: dict[str, int] = {TRAINED_MODEL: 0}

    # -- updates ----------------------------------------------------------------------------
    def observe_request(self, method: str, route: str, code: int, seconds: float) -> None:
        """One answered HTTP request of the model server."""
        with self._lock:
            key = (method, route, str(code))
            self._requests[key] = self._requests.get(key, 0) + 1
            self._durations.setdefault(route, _Histogram()).observe(max(seconds, 0.0))

    def training_run_finished(self, model: str = TRAINED_MODEL) -> None:
        with self._lock:
            self._training_runs[model] = self._training_runs.get(model, 0) + 1

    def record_event(self, file_name: str, lines: list[str]) -> None:
        """Count one event as the log generator wrote it to `file_name` (api.jsonl, trainer.log...)."""
        if file_name == "api.jsonl":
            for line in lines:
                try:
                    record = json.loads(line)
                    method = str(record["http.request.method"])
                    route = str(record["url.path"])
                    code = int(record["http.response.status_code"])
                    seconds = float(record["event.duration"]) / 1e9
                except (ValueError, KeyError, TypeError):
                    continue
                self.observe_request(method, route, code, seconds)
        elif file_name == "trainer.log" and lines:
            match = _LAST_EPOCH.search(lines[0])
            if match and match.group(1) == match.group(2):
                self.training_run_finished()

    # -- reading ----------------------------------------------------------------------------
    def requests(self) -> dict[tuple[str, str, str], int]:
        """(method, route, code) -> requests so far."""
        with self._lock:
            return dict(self._requests)

    def training_runs(self) -> dict[str, int]:
        with self._lock:
            return dict(self._training_runs)

    def render(self) -> str:
        """The metrics in Prometheus text exposition format 0.0.4."""
        with self._lock:
            out = ["# HELP http_requests_total Requests answered by the model server.",
                   "# TYPE http_requests_total counter"]
            for (method, route, code), count in sorted(self._requests.items()):
                out.append(f"http_requests_total{_labels((('method', method), ('route', route), ('code', code)))}"
                           f" {count}")
            out += ["# HELP http_request_duration_seconds Time to answer a request of the model server.",
                    "# TYPE http_request_duration_seconds histogram"]
            for route, hist in sorted(self._durations.items()):
                cumulative = 0
                for bound, count in zip(BUCKETS, hist.counts, strict=True):
                    cumulative += count
                    labels = _labels((("route", route), ("le", repr(bound))))
                    out.append(f"http_request_duration_seconds_bucket{labels} {cumulative}")
                out.append(f"http_request_duration_seconds_bucket{_labels((('route', route), ('le', '+Inf')))}"
                           f" {hist.total}")
                out.append(f"http_request_duration_seconds_sum{_labels((('route', route),))} {_number(hist.sum)}")
                out.append(f"http_request_duration_seconds_count{_labels((('route', route),))} {hist.total}")
            out += ["# HELP training_runs_total Training runs that went through every epoch.",
                    "# TYPE training_runs_total counter"]
            for model, count in sorted(self._training_runs.items()):
                out.append(f"training_runs_total{_labels((('model', model),))} {count}")
        return "\n".join(out) + "\n"


class _Handler(BaseHTTPRequestHandler):
    metrics: DemoMetrics

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path.split("?", 1)[0] != "/metrics":
            self.send_error(404, "only /metrics is served here")
            return
        body = self.metrics.render().encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silent: the demo's terminal belongs to the app."""


class MetricsExporter(LoopbackServer):
    """Serves `metrics` at http://127.0.0.1:PORT/metrics from a daemon thread while started."""

    name = "mlops-tui-demo-exporter"

    def __init__(self, metrics: DemoMetrics | None = None) -> None:
        super().__init__()
        self.metrics = metrics or DemoMetrics()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return type("MetricsHandler", (_Handler,), {"metrics": self.metrics})

    @property
    def url(self) -> str:
        return f"http://{self.address}/metrics"
