"""Alerts the backends already know, read-only: Prometheus' `/api/v1/rules` (alerting rules and their state)
and `/api/v1/alerts`, Alertmanager's `/api/v2/alerts` and `/api/v2/silences`. Only GET requests: the app never
creates or expires anything in them (its own silences live in its history file).

Each server is read through `sources/http` (the endpoint's auth and TLS, answers bounded by
limits.http_answer_bytes, retries); a server that cannot be read gives a problem line, not an exception.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from mlops_tui.secrets import mask_value
from mlops_tui.sources.alerts.rules import Labels
from mlops_tui.sources.http import BackendError, EndpointConfigError, RetryPolicy, client_for, fetch, with_retries


@dataclass(frozen=True)
class BackendItem:
    source: str
    """`prometheus NAME` or `alertmanager NAME`."""
    kind: str
    """rule, alert or silence."""
    state: str
    name: str
    since: float | None
    detail: str
    labels: Labels = ()


def _time(text: object) -> float | None:
    if not isinstance(text, str) or not text or text.startswith("0001-"):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _labels(value: object) -> Labels:
    if not isinstance(value, dict):
        return ()
    return tuple(sorted((str(k), str(v)) for k, v in value.items()))


def _get(endpoint, path: str, where: str, params: dict | None = None) -> object:
    client = client_for(endpoint)
    try:
        def call() -> object:
            answer = fetch(client, path, params, where=where)
            if answer.status_code >= 400:
                raise BackendError(f"{where}: HTTP {answer.status_code} {answer.reason_phrase} from {path}",
                                   status=answer.status_code, retryable=answer.status_code >= 500)
            try:
                return json.loads(answer.content)
            except (ValueError, RecursionError):
                raise BackendError(f"{where}: malformed JSON in the answer to {path}") from None

        return with_retries(call, RetryPolicy(retries=endpoint.retries))
    finally:
        client.close()


def _data(body: object, where: str, path: str) -> dict:
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise BackendError(f"{where}: unexpected answer to {path} (no data object)")
    return body["data"]


def _annotations(alert: dict) -> str:
    notes = alert.get("annotations")
    return str(notes.get("summary") or notes.get("description") or "") if isinstance(notes, dict) else ""


def prometheus_items(endpoint) -> list[BackendItem]:
    where = f"prometheus {endpoint.name} ({mask_value('url', endpoint.url)})"
    source = f"prometheus {endpoint.name}"
    items: list[BackendItem] = []
    rules = _data(_get(endpoint, "/api/v1/rules", where, {"type": "alert"}), where, "/api/v1/rules")
    for group in rules.get("groups") or []:
        for rule in (group.get("rules") or []) if isinstance(group, dict) else []:
            if not isinstance(rule, dict) or rule.get("type", "alerting") != "alerting":
                continue
            health = str(rule.get("health", ""))
            detail = f"{rule.get('query', '')}"
            if rule.get("lastError"):
                detail = f"({health}: {rule['lastError']}) {detail}"
            items.append(BackendItem(source, "rule", str(rule.get("state", "?")), str(rule.get("name", "?")),
                                     None, detail))
    alerts = _data(_get(endpoint, "/api/v1/alerts", where), where, "/api/v1/alerts")
    for alert in alerts.get("alerts") or []:
        if not isinstance(alert, dict):
            continue
        labels = _labels(alert.get("labels"))
        shown = " ".join(f"{k}={v}" for k, v in labels if k != "alertname")
        value = alert.get("value", "")
        detail = "  ".join(part for part in (f"value {value}" if value != "" else "", _annotations(alert), shown)
                           if part)
        items.append(BackendItem(source, "alert", str(alert.get("state", "?")), dict(labels).get("alertname", "?"),
                                 _time(alert.get("activeAt")), detail, labels))
    return items


def alertmanager_items(endpoint) -> list[BackendItem]:
    where = f"alertmanager {endpoint.name} ({mask_value('url', endpoint.url)})"
    source = f"alertmanager {endpoint.name}"
    items: list[BackendItem] = []
    alerts = _get(endpoint, "/api/v2/alerts", where)
    if not isinstance(alerts, list):
        raise BackendError(f"{where}: unexpected answer to /api/v2/alerts (not a list)")
    for alert in alerts:
        if not isinstance(alert, dict):
            continue
        labels = _labels(alert.get("labels"))
        status = alert.get("status") if isinstance(alert.get("status"), dict) else {}
        state = str(status.get("state", "?"))
        muted = status.get("silencedBy") or []
        shown = " ".join(f"{k}={v}" for k, v in labels if k != "alertname")
        detail = "  ".join(part for part in (_annotations(alert), shown,
                                             f"silenced by {', '.join(map(str, muted))}" if muted else "") if part)
        items.append(BackendItem(source, "alert", state, dict(labels).get("alertname", "?"),
                                 _time(alert.get("startsAt")), detail, labels))
    silences = _get(endpoint, "/api/v2/silences", where)
    if not isinstance(silences, list):
        raise BackendError(f"{where}: unexpected answer to /api/v2/silences (not a list)")
    for silence in silences:
        if not isinstance(silence, dict):
            continue
        status = silence.get("status") if isinstance(silence.get("status"), dict) else {}
        matchers = ", ".join(_matcher(m) for m in silence.get("matchers") or [] if isinstance(m, dict))
        until = silence.get("endsAt", "")
        detail = "  ".join(part for part in (f"until {until}" if until else "",
                                             f"by {silence.get('createdBy')}" if silence.get("createdBy") else "",
                                             str(silence.get("comment") or "")) if part)
        items.append(BackendItem(source, "silence", str(status.get("state", "?")), matchers or "?",
                                 _time(silence.get("startsAt")), detail))
    return items


def _matcher(m: dict) -> str:
    op = ("=~" if m.get("isRegex") else "=") if m.get("isEqual", True) else ("!~" if m.get("isRegex") else "!=")
    return f'{m.get("name", "?")}{op}"{m.get("value", "")}"'


ORDER = {"firing": 0, "active": 0, "pending": 1, "suppressed": 2, "unprocessed": 2, "inactive": 3, "expired": 4}


def read_backends(prometheus: Iterable, alertmanagers: Iterable) -> tuple[list[BackendItem], list[str]]:
    """Every item of every server, firing first; and one line per server that could not be read."""
    items: list[BackendItem] = []
    problems: list[str] = []
    for kind, reader, endpoints in (("prometheus", prometheus_items, prometheus),
                                    ("alertmanager", alertmanager_items, alertmanagers)):
        for endpoint in endpoints:
            try:
                items += reader(endpoint)
            except (BackendError, EndpointConfigError) as exc:
                text = str(exc)
                where = f"{kind} {endpoint.name} ({mask_value('url', endpoint.url)})"  # which server, and where
                problems.append(text if text.startswith(kind) else f"{where}: {text}")
    items.sort(key=lambda i: (i.kind == "silence", ORDER.get(i.state, 5), i.source, i.name))
    return items, problems
