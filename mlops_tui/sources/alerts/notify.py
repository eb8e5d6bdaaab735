"""Notifications: firing and resolved alerts sent to the channels of `alerts.channels`, grouped by rule.

- Shapes: a generic webhook gets Alertmanager's webhook payload (version 4), so receivers written for
  Alertmanager accept it; Slack an incoming-webhook `text`; Discord a webhook `content`; email a plain-text
  message over SMTP (plain, STARTTLS or implicit TLS, with AUTH); SMS one Twilio-shaped form POST per number
  (`/2010-04-01/Accounts/{sid}/Messages.json`, basic auth with the account SID and token).
- Pacing as Alertmanager's: one message per rule (the group) `alerts.group_wait` after it starts firing
  (alerts that start together go in one message), when it gains or loses alerts, again
  after `alerts.repeat_interval` while it fires, and one when its alerts resolve (channels with send_resolved).
- Retries: 429, 5xx, timeouts and refused connections are retried with backoff; a server that says how long
  to wait (a `Retry-After` header, or the `retry_after` of Discord's 429 body) is waited for that long.
- Every attempt's outcome goes to the history. A webhook URL carries its token: messages only ever show its
  scheme and host.
"""

from __future__ import annotations

import email.utils
import hashlib
import smtplib
import socket
import ssl
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from urllib.parse import urlsplit

import httpx

from mlops_tui.secrets import mask_text, mask_value
from mlops_tui.settings.alerts import AlertChannel
from mlops_tui.sources.alerts.history import AlertHistory, Notification
from mlops_tui.sources.alerts.rules import Instance, Labels
from mlops_tui.sources.http import RETRYABLE_STATUS, RetryPolicy, describe_transport_error

TWILIO = "https://api.twilio.com"
RATE_WINDOW = 3600.0
"""The window of a channel's rate_limit, in seconds."""
MAX_WAIT = 30.0
"""Longest wait a server's Retry-After is honoured with; a longer one ends the attempts (recorded)."""
LIMITS = {"discord": 2000, "sms": 1600, "slack": 40000}
"""Characters a message may have on each service; longer texts are cut with an ellipsis."""
SMTP_PORTS = {"tls": 465, "starttls": 587, "plain": 25}
ZERO_TIME = "0001-01-01T00:00:00Z"
"""Alertmanager's endsAt for an alert that has not resolved."""


@dataclass(frozen=True)
class Alert:
    """One alert in a message."""

    labels: Labels
    value: float | None
    """None for an alert known only from the history (sent before a restart)."""
    starts_at: float
    ends_at: float | None = None
    """Set when the alert has resolved."""
    summary: str = ""

    def __post_init__(self) -> None:
        # a notification body is an output like the screen: a summary quoting a log line or a label taken from
        # a field (`password=...`, a bearer token) goes out masked, on every channel and in the history
        object.__setattr__(self, "summary", mask_text(self.summary))
        object.__setattr__(self, "labels", tuple((k, str(mask_value(k, mask_text(str(v))))) for k, v in self.labels))


@dataclass(frozen=True)
class Group:
    """What one message says: a rule's alerts, firing or resolved."""

    rule: str
    severity: str
    status: str
    """firing (some alerts fire; resolved ones of the group may be listed too), resolved, or test."""
    alerts: tuple[Alert, ...]

    @property
    def firing(self) -> list[Alert]:
        return [a for a in self.alerts if a.ends_at is None]


@dataclass(frozen=True)
class Outcome:
    ok: bool
    attempts: int
    detail: str = ""


class RetryableSend(Exception):
    """An attempt failed in a way worth retrying; `wait` is the server's own Retry-After, when it gave one."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


class FinalSend(Exception):
    """An attempt failed in a way a retry will not fix (401, 404, bad credentials)."""


# -- what the messages say ---------------------------------------------------------------------------------------


def _rfc3339(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _labels(alert: Alert, group: Group) -> dict[str, str]:
    return {"alertname": group.rule, "severity": group.severity, **dict(alert.labels)}


def alertmanager_payload(group: Group, receiver: str) -> dict:
    """Alertmanager's webhook body (version 4) for the group."""
    alerts = []
    for alert in group.alerts:
        labels = _labels(alert, group)
        key = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        alerts.append({
            "status": "resolved" if alert.ends_at is not None else "firing",
            "labels": labels,
            "annotations": {"summary": alert.summary} if alert.summary else {},
            "startsAt": _rfc3339(alert.starts_at),
            "endsAt": _rfc3339(alert.ends_at) if alert.ends_at is not None else ZERO_TIME,
            "generatorURL": "",
            "fingerprint": hashlib.sha256(key.encode()).hexdigest()[:16],
        })
    label_sets = [a["labels"] for a in alerts]
    common = {k: v for k, v in label_sets[0].items() if all(s.get(k) == v for s in label_sets)} if alerts else {}
    summaries = {a["annotations"].get("summary") for a in alerts}
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{group.rule}"}}',
        "truncatedAlerts": 0,
        "status": "resolved" if group.status == "resolved" else "firing",
        "receiver": receiver,
        "groupLabels": {"alertname": group.rule},
        "commonLabels": common,
        "commonAnnotations": {"summary": summaries.pop()} if len(summaries) == 1 and None not in summaries else {},
        "externalURL": "",
        "alerts": alerts,
    }


def text_of(group: Group) -> str:
    """The message as plain text: a title line, then one line per alert."""
    if group.status == "test":
        return f"[TEST] mlops-tui on {socket.gethostname()}: this channel works."
    firing = group.firing
    head = f"[FIRING:{len(firing)}] {group.rule} ({group.severity})" if group.status == "firing" \
        else f"[RESOLVED] {group.rule} ({group.severity})"
    lines = [head]
    for alert in group.alerts:
        labels = ", ".join(f"{k}={v}" for k, v in alert.labels)
        state = "resolved" if alert.ends_at is not None else "firing"
        text = alert.summary or (f"value {alert.value:g}" if alert.value is not None else group.rule)
        lines.append(f"- {state}: {text}{f' ({labels})' if labels else ''}")
    return "\n".join(lines)


def _cut(text: str, kind: str) -> str:
    limit = LIMITS.get(kind)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


# -- sending -----------------------------------------------------------------------------------------------------


def shown_url(url: str) -> str:
    """A URL as messages may show it: scheme and host only (the path of a Slack or Discord URL is its token)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(url)"
    rest = "/…" if parts.path.strip("/") or parts.query else ""
    return mask_value("url", f"{parts.scheme}://{host}{port}{rest}")


def _retry_after(response: httpx.Response) -> float | None:
    """The wait a 429/503 asks for: Retry-After in seconds or as an HTTP date, or Discord's JSON retry_after."""
    header = response.headers.get("retry-after")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                return max(0.0, email.utils.parsedate_to_datetime(header).timestamp() - time.time())
            except (TypeError, ValueError):
                pass
    try:
        body = response.json()
    except ValueError:
        return None
    value = body.get("retry_after") if isinstance(body, dict) else None
    return float(value) if isinstance(value, (int, float)) and value >= 0 else None


def _tls_context(channel: AlertChannel) -> ssl.SSLContext:
    try:
        context = ssl.create_default_context(cafile=channel.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise FinalSend(f"ca_file {channel.ca_file}: {getattr(exc, 'strerror', None) or exc}") from None
    if not channel.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _post(channel: AlertChannel, url: str, **request) -> None:
    """One HTTP attempt; a RetryableSend or FinalSend saying why it failed, with the URL's secret left out."""
    verify: bool | ssl.SSLContext = _tls_context(channel) if channel.ca_file else channel.verify_tls
    where = shown_url(url)
    try:
        with httpx.Client(timeout=httpx.Timeout(channel.timeout), verify=verify) as client:
            response = client.post(url, **request)
    except httpx.TransportError as exc:
        raise RetryableSend(mask_text(describe_transport_error(exc)).replace(url, where)) from None
    if response.status_code < 300:
        return
    reason = f"HTTP {response.status_code} {response.reason_phrase} from {where}"
    if response.status_code in RETRYABLE_STATUS or response.status_code >= 500:
        raise RetryableSend(reason, _retry_after(response))
    raise FinalSend(reason)


def _send_http(channel: AlertChannel, group: Group) -> None:
    url = channel.url.get_secret_value() if channel.url else ""
    if channel.kind == "webhook":
        _post(channel, url, json=alertmanager_payload(group, channel.name))
    elif channel.kind == "slack":
        _post(channel, url, json={"text": _cut(text_of(group), "slack")})
    elif channel.kind == "discord":
        _post(channel, url, json={"content": _cut(text_of(group), "discord")})
    else:
        _send_sms(channel, group)


def _send_sms(channel: AlertChannel, group: Group) -> None:
    base = (channel.url.get_secret_value() if channel.url else TWILIO).rstrip("/")
    sid = channel.username or ""
    token = channel.password.get_secret_value() if channel.password else ""
    url = f"{base}/2010-04-01/Accounts/{sid}/Messages.json"
    body = _cut(text_of(group), "sms")
    for number in channel.to:
        _post(channel, url, data={"To": number, "From": channel.from_, "Body": body}, auth=(sid, token))


def _send_email(channel: AlertChannel, group: Group) -> None:
    message = EmailMessage()
    message["From"] = channel.from_
    message["To"] = ", ".join(channel.to)
    message["Subject"] = text_of(group).splitlines()[0]
    message["Date"] = email.utils.formatdate(localtime=True)
    message.set_content(text_of(group))
    mode = "tls" if channel.tls else "starttls" if channel.starttls else "plain"
    port = channel.port or SMTP_PORTS[mode]
    where = f"{channel.host}:{port}"
    try:
        if mode == "tls":
            server: smtplib.SMTP = smtplib.SMTP_SSL(channel.host, port, timeout=channel.timeout,
                                                    context=_tls_context(channel))
        else:
            server = smtplib.SMTP(channel.host, port, timeout=channel.timeout)
        with server:
            if mode == "starttls":
                server.starttls(context=_tls_context(channel))
            if channel.username:
                password = channel.password.get_secret_value() if channel.password else ""
                server.login(channel.username, password)
            server.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise FinalSend(f"{where} refused the login: {exc.smtp_code} {_smtp_text(exc.smtp_error)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        hint = " (servers often offer AUTH only over TLS: set starttls or tls)" if mode == "plain" else ""
        raise FinalSend(f"{where}: {exc}{hint}") from None
    except smtplib.SMTPResponseException as exc:
        reason = f"{where} answered {exc.smtp_code} {_smtp_text(exc.smtp_error)}"
        if 400 <= exc.smtp_code < 500:
            raise RetryableSend(reason) from None
        raise FinalSend(reason) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise FinalSend(f"{where} refused the recipients {', '.join(exc.recipients)}") from None
    except ssl.SSLError as exc:
        raise FinalSend(f"{where}: TLS failed: {exc.reason or exc}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise RetryableSend(f"{where}: {mask_text(str(exc)) or type(exc).__name__}") from None


def _smtp_text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def send(channel: AlertChannel, group: Group, sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """Send group to channel, retrying what a retry can fix; never raises."""
    delays = RetryPolicy(retries=channel.retries, base=0.5, cap=8.0).delays()
    attempt = 0
    while True:
        attempt += 1
        try:
            if channel.kind == "email":
                _send_email(channel, group)
            else:
                _send_http(channel, group)
            return Outcome(True, attempt)
        except FinalSend as exc:
            return Outcome(False, attempt, str(exc))
        except RetryableSend as exc:
            if attempt > len(delays):
                return Outcome(False, attempt, str(exc))
            wait = delays[attempt - 1] if exc.wait is None else exc.wait
            if wait > MAX_WAIT:
                return Outcome(False, attempt, f"{exc} (asked to wait {wait:g}s, more than {MAX_WAIT:g}s)")
            sleep(wait)


def probe_group() -> Group:
    return Group("mlops-tui test", "info", "test", (Alert((), 0.0, time.time(), summary="test message"),))


# -- pacing ------------------------------------------------------------------------------------------------------


def _alert(instance: Instance, summary: str, resolved_at: float | None = None) -> Alert:
    ends = instance.resolved_at if instance.resolved else resolved_at
    return Alert(instance.labels, instance.value, instance.fired_at or instance.active_at, ends, summary)


@dataclass
class _Sent:
    alerts: dict[Labels, Alert]
    at: float


@dataclass
class Notifier:
    """Decides, after each evaluation, which rule groups to send, sends them to every channel and records
    each outcome in the history."""

    channels: Sequence[AlertChannel]
    repeat_interval: float
    history: AlertHistory | None = None
    sleep: Callable[[float], None] = time.sleep
    group_wait: float = 0.0
    """Seconds a group that starts firing waits before its first message (Alertmanager's group_wait)."""
    _sent: dict[str, _Sent] = field(default_factory=dict, init=False)
    _first_seen: dict[str, float] = field(default_factory=dict, init=False)
    _recent: dict[str, deque[float]] = field(default_factory=dict, init=False)
    """Times of the messages of the last hour, by channel (for rate_limit)."""

    def handle(self, views: Iterable, at: float, deliver: bool = True,
               muted: Callable[[object, Instance], bool] | None = None,
               acked: Callable[[object, Instance], bool] | None = None) -> list[Notification]:
        """`views` are the engine's RuleViews after an evaluation at `at`. With deliver=False (another process
        holds the notifier role) nothing is sent but what was due counts as sent, so that taking the role over
        later does not send again what the other process already sent. `muted(view, instance)`: a silence
        matches the alert: it is left out of every message (neither firing nor resolved). `acked`: someone
        acknowledged it: a group whose firing alerts are all acknowledged is not repeated."""
        notes: list[Notification] = []
        for view in views:
            rule = view.rule
            silent = {i.labels for i in view.instances if muted is not None and muted(view, i)}
            live = [i for i in view.firing if i.labels not in silent]
            firing = {i.labels: _alert(i, view.summary(i)) for i in live}
            last = self._sent.get(rule.name)
            if not firing:
                self._first_seen.pop(rule.name, None)
                if last is not None and silent and not set(last.alerts) - silent:
                    continue  # everything sent is silenced now: say nothing, not "resolved"
            elif last is None and at - self._first_seen.setdefault(rule.name, at) < self.group_wait:
                continue  # a new group waits, so that alerts starting together go out in one message
            if firing:
                gone = {} if last is None else {labels: self._resolved(view, alert, at)
                                                 for labels, alert in last.alerts.items()
                                                 if labels not in firing and labels not in silent}
                repeat = at - last.at >= self.repeat_interval if last is not None else False
                if repeat and acked is not None and all(acked(view, i) for i in live):
                    repeat = False  # acknowledged: someone is on it
                due = last is None or bool(set(firing) - set(last.alerts)) or bool(gone) or repeat
                if due:
                    group = Group(rule.name, rule.severity, "firing", (*firing.values(), *gone.values()))
                    notes += self._deliver(group, at) if deliver else []
                    self._sent[rule.name] = _Sent(firing, at)
            elif last is not None:
                resolved = tuple(self._resolved(view, alert, at) for labels, alert in last.alerts.items()
                                 if labels not in silent)
                notes += self._deliver(Group(rule.name, rule.severity, "resolved", resolved), at) if deliver else []
                del self._sent[rule.name]
        return notes

    def restore(self, notes: Iterable[Notification]) -> None:
        """Pick up where a previous run left off (notes from the history, oldest first): a group whose last message
        said firing counts as sent then, so a restart sends only what changed or what is due again."""
        for note in notes:
            if note.status == "resolved":
                self._sent.pop(note.rule, None)
            elif note.status == "firing" and note.ok and note.firing:
                self._sent[note.rule] = _Sent({labels: Alert(labels, None, note.at) for labels in note.firing},
                                              note.at)

    @staticmethod
    def _resolved(view, alert: Alert, at: float) -> Alert:
        for instance in view.instances:
            if instance.labels == alert.labels and instance.resolved:
                return _alert(instance, view.summary(instance))
        return Alert(alert.labels, alert.value, alert.starts_at, at, alert.summary)

    def _deliver(self, group: Group, at: float) -> list[Notification]:
        notes = []
        for channel in self.channels:
            shown = group
            if not channel.send_resolved:
                if group.status == "resolved":
                    continue
                shown = Group(group.rule, group.severity, group.status, tuple(group.firing))
            recent = self._recent.setdefault(channel.name, deque())
            while recent and recent[0] <= at - RATE_WINDOW:
                recent.popleft()
            if channel.rate_limit and len(recent) >= channel.rate_limit:
                notes.append(self._refused(channel, shown, at))
                continue
            recent.append(at)
            notes.append(deliver(channel, shown, at, self.history, self.sleep))
        return notes

    def _refused(self, channel: AlertChannel, group: Group, at: float) -> Notification:
        note = Notification(at, channel.name, group.rule, group.status, len(group.alerts), False, 0,
                            f"the channel's rate limit of {channel.rate_limit} an hour is reached")
        if self.history is not None:
            self.history.record_notification(note)
        return note


def deliver(channel: AlertChannel, group: Group, at: float, history: AlertHistory | None,
            sleep: Callable[[float], None] = time.sleep) -> Notification:
    """Send and record the outcome in the history."""
    outcome = send(channel, group, sleep)
    alerts = len(group.firing) if group.status == "firing" else len(group.alerts)
    note = Notification(at, channel.name, group.rule, group.status, alerts, outcome.ok, outcome.attempts,
                        outcome.detail, tuple(a.labels for a in group.firing) if group.status == "firing" else ())
    if history is not None:
        history.record_notification(note)
    return note
