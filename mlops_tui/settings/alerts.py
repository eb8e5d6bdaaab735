"""Alerts: rules over metrics, logs and drift scores, evaluated by sources/alerts (pane and `alerts check`)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from mlops_tui.settings.base import Endpoint, Section
from mlops_tui.sources.timespec import parse_duration


class AlertRule(Section):
    """A condition that raises an alert while it holds, one alert per series (keyed by its labels)."""

    model_config = ConfigDict(extra="forbid", validate_default=True, populate_by_name=True)

    name: str = "rule"
    """Name shown in the Alerts pane and in notifications (Prometheus' `alert:`)."""
    kind: Literal["metric", "log", "drift"] = "metric"
    """What the rule watches: a metric series, the count of matching log records, or a drift score."""
    source: str = "local"
    """Metric rules: `local` (this machine: cpu.total, mem.percent, ...) or the name of a metrics.prometheus
    or metrics.influx entry (expr is then PromQL or InfluxQL). Log rules: `files` (logs.files or ./logs) or the
    name of a logs.opensearch or logs.elasticsearch entry (expr is then KQL, counted by the engine)."""
    expr: str = ""
    """The series (cpu.total, a PromQL or InfluxQL query); for log rules, a search as typed in the Logs pane; for
    drift rules, a column (its test's score: a p-value or a distance) or `dataset` (the share of drifted columns)."""
    op: Literal[">", ">=", "<", "<=", "==", "!="] = ">"
    """Comparison of each series' value against the threshold."""
    threshold: float = 0.0
    """Value the series is compared with (for log rules: matching records in the window)."""
    of: Literal["value", "rate"] = "value"
    """What is compared with the threshold: each series' value, or its rate of change per second since the
    previous evaluation (`rate`: the first evaluation has nothing to compare with and shows `no data`; in PromQL,
    `rate()` or `deriv()` over a range says the same in the query)."""
    no_data: Literal["no data", "firing"] = "no data"
    """When the query returns no series: show `no data`, or take it as the condition holding (`firing`, what
    Prometheus' `absent()` and Grafana's Alerting no-data state do): one alert labelled absent=true, pending
    then firing after `for`, resolved when a series comes back."""
    for_: str = Field(default="0s", alias="for")
    """How long the condition must hold before the alert fires (pending until then), e.g. 5m."""
    keep_firing_for: str = "0s"
    """How long the alert keeps firing after the condition stops holding (as in Prometheus 2.42+)."""
    hysteresis: float = Field(default=0.0, ge=0)
    """Once active, the alert holds until the value is this far back across the threshold (no flapping)."""
    window: str = "5m"
    """Log rules: records counted over this window before each evaluation."""
    reference: str = ""
    """Drift rules: the reference sample (CSV, TSV, JSON lines, gzipped too), relative to the working directory."""
    current: str = ""
    """Drift rules: the current sample compared with the reference, read again when the file changes."""
    log_field: str = ""
    """Drift rules over time windows: this field of the log records (logs.files, else ./logs/*.log; `search`
    narrows them); reference and current are then windows before each evaluation, START..END or a duration
    (`7d1h..7d` against `1h`: the last hour against the same hour a week ago)."""
    metric: str = ""
    """Drift rules over time windows: the values of this PromQL/InfluxQL query from the metrics source `source`,
    reference and current windows as for log_field."""
    search: str = ""
    """Drift rules with log_field: only the records matching this search (the Logs pane's grammar)."""
    test: str = ""
    """Drift rules on a column: its test (ks, wasserstein, psi, jensenshannon, chisquare, z); Evidently's default
    for the column when empty."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Labels added to every alert of this rule (routing, grouping)."""
    summary: str = ""
    """One line shown with the alert; `{{ $value }}` and `{{ $labels.NAME }}` are filled in."""
    severity: Literal["info", "warning", "critical"] = "warning"
    """Severity shown and used for notifications."""

    @field_validator("for_", "keep_firing_for", "window")
    @classmethod
    def _durations(cls, value: str) -> str:
        """Refused at load time, so a bad value is a settings error naming the key."""
        parse_duration(value, allow_zero=True)
        return value

    @model_validator(mode="after")
    def _drift_files(self) -> "AlertRule":
        """Drift rules need both samples, in a format the drift reader knows; other rules take none."""
        files = {"reference": self.reference, "current": self.current}
        own = {"log_field": self.log_field, "metric": self.metric, "search": self.search, "test": self.test}
        if self.kind != "drift":
            given = [key for key, value in {**files, **own}.items() if value]
            if given:
                raise ValueError(f"{', '.join(given)}: only for drift rules (kind: drift)")
            return self
        from mlops_tui.sources.drift.compare import TESTS
        from mlops_tui.sources.drift.read import DriftInputError, format_of
        from mlops_tui.sources.drift.windows import parse_window

        if self.log_field and self.metric:
            raise ValueError("log_field and metric: a drift rule compares one series")
        if self.search and not self.log_field:
            raise ValueError("search: only with log_field")
        windows = self.over_windows
        for key, value in files.items():
            if not value:
                what = "window (START..END or a duration)" if windows else "path"
                raise ValueError(f"drift rules need {key}: the {what} of the {key} sample")
            try:
                parse_window(value) if windows else format_of(value)
            except DriftInputError as exc:
                raise ValueError(f"{key}: {exc}") from None
        if self.test and self.test not in TESTS:
            raise ValueError(f"test: {self.test!r} is not one of {', '.join(TESTS)}")
        if self.test and self.expr in ("", "dataset") and not windows:  # (a window's sample is one column)
            raise ValueError("test: chooses the test of a column; expr names `dataset`, whose score is a share")
        return self

    @property
    def over_windows(self) -> bool:
        """A drift rule over two time windows of a log field or metric series, not over two files."""
        return self.kind == "drift" and bool(self.log_field or self.metric)

    def seconds(self, which: Literal["for", "keep_firing_for", "window"]) -> float:
        """One of the rule's durations in seconds."""
        text = {"for": self.for_, "keep_firing_for": self.keep_firing_for, "window": self.window}[which]
        return parse_duration(text, allow_zero=True)


class AlertChannel(Section):
    """Where notifications go: a webhook (Alertmanager's payload), Slack, Discord, email or SMS (Twilio's API)."""

    model_config = ConfigDict(extra="forbid", validate_default=True, populate_by_name=True)

    kind: Literal["webhook", "slack", "discord", "email", "sms"] = "webhook"
    """webhook (JSON in Alertmanager's webhook shape), slack or discord (incoming webhook), email (SMTP), sms."""
    name: str = "default"
    """Name used by `mlops-tui alerts test NAME` and in the history."""
    url: SecretStr | None = None
    """webhook, slack, discord: the URL to post to (kept secret: such URLs carry their token). sms: the API's
    base URL, https://api.twilio.com unless set (another gateway with Twilio's shape, a local receiver)."""
    host: str = ""
    """email: the SMTP server."""
    port: int | None = Field(default=None, ge=1, le=65535)
    """email: the SMTP port (465 with tls, 587 with starttls, 25 otherwise, unless set)."""
    tls: bool = False
    """email: implicit TLS from the first byte (SMTPS, usually port 465)."""
    starttls: bool = False
    """email: upgrade a plain connection with STARTTLS before logging in (usually port 587)."""
    ca_file: str | None = None
    """email, HTTP kinds: PEM file of a custom certificate authority for TLS."""
    verify_tls: bool = True
    """Verify the server's TLS certificate."""
    username: str | None = None
    """email: the SMTP login. sms: the account SID."""
    password: SecretStr | None = None
    """email: the SMTP password. sms: the auth token (use ${oc.env:VAR} to keep it out of files)."""
    from_: str = Field(default="", alias="from")
    """email: the From address. sms: the sending phone number."""
    to: list[str] = Field(default_factory=list)
    """email: the recipients. sms: the phone numbers."""
    send_resolved: bool = True
    """Also send a message when a group's alerts resolve."""
    rate_limit: int = Field(default=0, ge=0)
    """At most this many messages an hour to this channel (0: no limit); one over it is not sent, and is
    recorded in the history as refused by the limit."""
    timeout: float = Field(default=10.0, gt=0)
    """Seconds before one attempt is abandoned."""
    retries: int = Field(default=3, ge=0)
    """Retries after a failed attempt (429 and 5xx answers, timeouts, refused connections)."""

    @model_validator(mode="after")
    def _complete(self) -> "AlertChannel":
        """A channel missing what its kind needs is refused at load time, naming the key."""
        missing = []
        if self.kind in ("webhook", "slack", "discord") and self.url is None:
            missing.append("url")
        if self.kind == "email":
            missing += [key for key, value in (("host", self.host), ("from", self.from_), ("to", self.to))
                        if not value]
            if self.tls and self.starttls:
                raise ValueError("tls and starttls exclude each other (tls: SMTPS from the start; starttls: upgrade)")
        if self.kind == "sms":
            missing += [key for key, value in (("username", self.username), ("password", self.password),
                                               ("from", self.from_), ("to", self.to)) if not value]
        if missing:
            raise ValueError(f"a {self.kind} channel needs {', '.join(missing)}")
        return self


class AlertmanagerSource(Endpoint):
    """An Alertmanager whose alerts and silences the Alerts pane lists (read-only)."""

    url: str = "http://127.0.0.1:9093"
    """Base URL of Alertmanager's HTTP API (its /api/v2 is read)."""


class AlertsSettings(Section):
    """Alert rules and notifications."""

    rules: list[AlertRule] = Field(default_factory=list)
    """Rules evaluated by the app and by `mlops-tui alerts check`."""
    interval: str = "15s"
    """Time between evaluations of every rule (Prometheus' evaluation_interval)."""
    channels: list[AlertChannel] = Field(default_factory=list)
    """Where `mlops-tui alerts watch` sends firing and resolved alerts, grouped by rule."""
    group_wait: str = "0s"
    """A rule that starts firing waits this long before its first message, so that alerts starting together
    go out in one message (Alertmanager's group_wait)."""
    repeat_interval: str = "4h"
    """A group still firing is sent again after this long (Alertmanager's repeat_interval)."""
    alertmanagers: list[AlertmanagerSource] = Field(default_factory=list)
    """Alertmanagers listed in the pane's Backends view beside Prometheus' own alerts (metrics.prometheus);
    read-only: the app never creates or expires a silence there."""
    history: str = ""
    """The SQLite file of alert history, silences and the notifier role, relative to the working directory;
    empty: alerts.sqlite in the XDG state folder. Processes sharing a file share one notifier."""

    @field_validator("interval", "repeat_interval")
    @classmethod
    def _interval_is_a_duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("group_wait")
    @classmethod
    def _wait_is_a_duration(cls, value: str) -> str:
        parse_duration(value, allow_zero=True)
        return value

    @field_validator("channels")
    @classmethod
    def _unique_names(cls, channels: list[AlertChannel]) -> list[AlertChannel]:
        names = [channel.name for channel in channels]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"channel names must be unique: {', '.join(twice)} used more than once")
        return channels
