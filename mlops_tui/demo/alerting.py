"""The demo's alert rules, the settings file `mlops-tui demo --prepare` leaves, and a webhook receiver that
writes what it got to a log file the Logs pane shows.

- `errors in the logs`: a log-count rule on the sandbox's error records. The backlog written by `prepare`
  ends when it was built, so `mlops-tui alerts check` run in the folder within the next twenty minutes or so
  finds it firing with no server running; in the running demo, the live logs keep it firing.
- `api error rate`: the share of 5xx answers of the demo's model server, over the demo's Prometheus (the
  ML serving dashboard's error-rate panel, without its `$instance`), when Prometheus runs.
- `AlertReceiver`: an HTTP server on 127.0.0.1 taking Alertmanager-shaped webhook posts (what the webhook
  channel sends); each alert becomes one INFO line of `logs/alert-receiver.log`, so the Logs pane shows
  that the notifications went out (INFO: the receiver's lines never count as errors for the log rule).
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import yaml

from mlops_tui.demo.serving import LoopbackServer

RECEIVER_LOG = "alert-receiver.log"
HISTORY = ".mlops-tui/alerts.sqlite"
"""The demo's alert history, inside the sandbox (git ignores it): never the user's own history file, whose
notifier role the demo must not take from a real `alerts watch`."""
MAX_BODY = 1 << 20

LOG_RULE: dict[str, Any] = {
    "name": "errors in the logs", "kind": "log", "source": "files", "expr": "level>=error",
    "threshold": 5, "window": "1h", "for": "1m", "severity": "critical",
    "summary": "{{ $value }} error records in the last hour", "labels": {"team": "ml-platform"},
}
ERROR_RATE_QUERY = 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'


def error_rate_rule(source: str) -> dict[str, Any]:
    return {"name": "api error rate", "kind": "metric", "source": source, "expr": ERROR_RATE_QUERY, "op": ">",
            "threshold": 0.01, "for": "30s", "hysteresis": 0.002, "severity": "warning",
            "summary": "{{ $value }} of API requests fail with 5xx (budget 0.01)", "labels": {"team": "serving"}}


def alert_settings(history: str, prometheus_source: str | None = None, receiver_url: str | None = None) -> dict:
    """The demo's `alerts:` section."""
    rules = [LOG_RULE] + ([error_rate_rule(prometheus_source)] if prometheus_source else [])
    section: dict[str, Any] = {"interval": "15s", "history": history, "rules": rules}
    if receiver_url is not None:
        section["channels"] = [{"kind": "webhook", "name": "demo-receiver", "url": receiver_url, "retries": 1}]
    return section


SETTINGS_HEADER = """\
# mlops-tui settings for this demo sandbox, written by `mlops-tui demo --prepare`.
# In this folder: `mlops-tui` opens the app on it, `mlops-tui alerts check` evaluates its alert rule
# (firing while the last hour of logs/ holds more than 5 error records), `mlops-tui alerts history` reads
# what was recorded. Add alerts.channels to be notified (see `mlops-tui alerts --help`).
"""


def write_settings(root: Path) -> Path:
    """`mlops-tui.yaml` in the sandbox, paths relative to it; git is told to ignore it and the history."""
    settings = {
        "models": {"repo": "."},
        "logs": {"files": ["logs/*.log", "logs/*.jsonl"]},
        "configs": {"paths": ["configs"]},
        "alerts": alert_settings(HISTORY),
    }
    path = root / "mlops-tui.yaml"
    path.write_text(SETTINGS_HEADER + yaml.safe_dump(settings, sort_keys=False, allow_unicode=True), encoding="utf-8")
    exclude = root / ".git" / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    with exclude.open("a", encoding="utf-8") as handle:
        handle.write("/mlops-tui.yaml\n/.mlops-tui/\n")
    return path


def _line(level: str, message: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
    return f"{stamp} {level:<8} alert-receiver [{os.getpid()}] {message}"


def received_lines(payload: Any) -> list[str]:
    """One line per alert of an Alertmanager webhook body; a warning line for anything else."""
    if not isinstance(payload, dict) or not isinstance(payload.get("alerts"), list):
        return [_line("WARNING", "received a post that is not an Alertmanager webhook body")]
    lines = []
    receiver = str(payload.get("receiver", ""))
    for alert in payload["alerts"]:
        if not isinstance(alert, dict):
            continue
        labels = alert.get("labels") if isinstance(alert.get("labels"), dict) else {}
        summary = (alert.get("annotations") or {}).get("summary", "") if isinstance(alert.get("annotations"), dict) else ""
        extra = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k not in ("alertname", "severity"))
        lines.append(_line("INFO", " ".join(part for part in (
            f"received {alert.get('status', '?')} alert {labels.get('alertname', '?')!r}",
            f"severity={labels.get('severity', '?')}", f"({extra})" if extra else "",
            f"for {receiver}:" if receiver else "", str(summary)) if part)))
    return lines


class AlertReceiver(LoopbackServer):
    """A webhook receiver on a free loopback port, appending what it receives to `log_file`."""

    name = "mlops-tui-demo-alert-receiver"

    def __init__(self, log_file: Path) -> None:
        super().__init__()
        self.log_file = Path(log_file)
        self._lock = threading.Lock()
        self.received = 0

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    self.send_error(413, "body too large")
                    return
                try:
                    payload = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    payload = None
                receiver.record(received_lines(payload))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def record(self, lines: list[str]) -> None:
        with self._lock:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            with self.log_file.open("a", encoding="utf-8") as handle:
                handle.write("".join(line + "\n" for line in lines))
            self.received += 1

    @property
    def url(self) -> str:
        return f"http://{self.address}/alerts"
