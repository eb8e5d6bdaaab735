"""Alerts pane: every rule's alerts, evaluated, recorded and notified by the same cycle as `alerts watch`.

A thread worker runs `AlertService.cycle` every alerts.interval: it evaluates the rules, records the changes
in the history file and sends notifications while this app holds the notifier role (a running
`mlops-tui alerts watch` on the same history file may hold it instead: the pane then only shows). Views (v):
Alerts (firing and pending first, with since when, value, summary; the reason of an error or no data) and
History (the last 24 h of changes and notifications). Keys act on the selected alert: a acknowledges it
(no repeated messages until it resolves), s silences (a duration and matchers, by rule or by labels),
u lifts the silences that match it, m opens the chart of its metric rule around its moment (Remote
metrics for a Prometheus or InfluxDB rule, the Local view for this machine's series), d a drift rule's two
samples in the Drift pane, l the Logs pane over the same window (a log-count rule's records matching its search,
in its cluster's view for a rule over a cluster; for other rules every record of the window).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Input

from mlops_tui.messages import AlertsFiring, OpenDrift, ShowTimeWindow, SourceStatusChanged
from mlops_tui.settings.alerts import AlertsSettings
from mlops_tui.sources.alerts.board import Row, board, firing
from mlops_tui.sources.base import SourceStatus
from mlops_tui.sources.timespec import parse_duration
from mlops_tui.widgets.alerts.backends import BackendsTable
from mlops_tui.widgets.alerts.history import HistoryTable
from mlops_tui.widgets.pane import Pane, SourceNote, focus_now
from mlops_tui.widgets.rowdetail import RowDetail
from mlops_tui.widgets.text import literal
from mlops_tui.widgets.viewtabs import ViewTabs

DEADLINE = 5.0
"""Seconds one evaluation waits for a rule's query."""


class AlertsPane(Pane):
    """Alert rules over metrics, logs and drift scores, with their alerts and their history."""

    READS_OTHER_SECTIONS = True
    source_name = "alerts"
    DEFAULT_CSS = """
    AlertsPane > DataTable { height: 1fr; }
    AlertsPane > #alerts-silence { dock: bottom; }
    AlertsPane > #alerts-detail { dock: bottom; }
    """
    BINDINGS = [
        Binding("a", "acknowledge", "Ack", id="alerts.ack"),
        Binding("s", "silence", "Silence", id="alerts.silence"),
        Binding("u", "unsilence", "Unsilence", id="alerts.unsilence"),
        Binding("m", "metric", "Chart", id="alerts.metric"),
        Binding("l", "logs", "Logs", id="alerts.logs"),
        Binding("d", "drift", "Drift", id="alerts.drift"),
        Binding("v", "switch_view", "Next view", id="alerts.view"),
    ]
    FOOTER_FIRST = ("alerts.logs", "alerts.ack", "alerts.view", "alerts.silence", "alerts.metric", "alerts.drift",
                    "alerts.unsilence")
    """At 80 columns: from an alert to its logs first, then acknowledging it (widgets/footer.py)."""
    VIEWS = {"alerts-now": "Alerts", "alerts-history": "History 24h", "alerts-backends": "Backends"}

    @dataclass
    class Evaluated(Message):
        views: list
        at: float
        holder: str
        failed: list[str]
        """The notifications of this cycle that did not go out, as the history says them."""
        sent: int = 0

    def __init__(self, settings: AlertsSettings, all_settings=None, **options) -> None:
        super().__init__(id="alerts-pane")
        self.settings = settings
        self.all_settings = all_settings
        self.service = None
        self.rows: list[Row] = []
        self.views: list = []
        self.failed: list[str] = []
        self._stop = threading.Event()

    def compose(self) -> ComposeResult:
        yield ViewTabs(self.VIEWS, active="alerts-now", hint="v switches", id="alerts-views")
        yield SourceNote(id="alerts-note")
        table: DataTable = DataTable(cursor_type="row", id="alerts-table")
        table.add_columns("State", "Severity", "Rule", "Value", "Since", "Detail")
        yield table
        history = HistoryTable(id="alerts-history")
        history.display = False
        yield history
        backends = BackendsTable(id="alerts-backends")
        backends.display = False
        yield backends
        yield RowDetail(id="alerts-detail")
        box = Input(id="alerts-silence", placeholder='DURATION MATCHERS, e.g. 2h alertname="api errors" team=ml')
        box.display = False
        yield box

    def on_mount(self) -> None:
        if not self.settings.rules or self.all_settings is None:
            status = SourceStatus.absent("alerts", "no alert rules: add alerts.rules to the settings (see configs/mlops-tui.yaml)")
            self.query_one(SourceNote).show(status)
            self.post_message(SourceStatusChanged(status))
            return
        self.evaluate()
        self.set_interval(parse_duration(self.settings.interval), self.evaluate)

    def focus_default(self) -> None:
        focus_now(self.query_one({"alerts-now": "#alerts-table"}.get(self.active_view, f"#{self.active_view}")))

    @property
    def active_view(self) -> str:
        return self.query_one("#alerts-views", ViewTabs).active

    # -- evaluation -----------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="alerts", exit_on_error=False, name="alerts.evaluate")
    def evaluate(self) -> None:
        from mlops_tui.sources.alerts.board import notification_line
        from mlops_tui.sources.alerts.service import AlertService

        if self.service is None:
            self.service = AlertService(self.all_settings, deadline=DEADLINE, sleep=self._stop.wait,
                                        require_history=False)
        cycle = self.service.cycle()
        failed = [notification_line(note) for note in cycle.notes if not note.ok]
        self.post_message(self.Evaluated(cycle.views, cycle.at, cycle.holder, failed,
                                         sum(1 for note in cycle.notes if note.ok)))
        if self.active_view == "alerts-history":
            self.load_history()
        elif self.active_view == "alerts-backends":
            self.load_backends()

    def on_alerts_pane_evaluated(self, message: Evaluated) -> None:
        service = self.service
        if message.failed:
            self.failed = message.failed
        elif message.sent:
            self.failed = []  # messages go out again
        self.views = views = message.views
        self.show_rows(board(views, message.at, service.silenced_by, service.is_acked))
        fire = firing(views, service.silenced_by)
        self.post_message(AlertsFiring(fire.count, fire.severity))
        states = [view.state for view in views]
        counts = ", ".join(f"{states.count(s)} {s}" for s in ("firing", "pending", "error", "no data") if s in states)
        text = f"{len(states)} rule(s): {counts or 'none firing'}"
        if fire.silenced:
            text += f" ({fire.silenced} silenced)"
        if service.problem:
            notifier = service.problem
        elif message.holder == service.me:
            notifier = "this app records and notifies"
        else:
            notifier = f"{message.holder} records and notifies (this app shows)"
        broken = [v for v in views if v.state == "error"]
        if broken or self.failed or service.problem:
            reasons = [f"cannot evaluate {broken[0].rule.name} ({broken[0].reason})"
                       + (f" and {len(broken) - 1} more" if len(broken) > 1 else "")] if broken else []
            reasons += [f"last failure: {self.failed[-1]}"] if self.failed else []
            status = SourceStatus.failing("alerts", "; ".join([*reasons, text, notifier]))
        else:
            status = SourceStatus.ok("alerts", f"{text}; {notifier}")
        self.query_one(SourceNote).show(status)
        self.post_message(SourceStatusChanged(status))

    def show_rows(self, rows: list[Row]) -> None:
        table = self.query_one("#alerts-table", DataTable)
        selected = self.selected()
        self.rows = rows
        table.clear()
        for index, row in enumerate(rows):
            state = " ".join(part for part in (row.state, "ack" if "ack" in row.marks else "",
                                               "silenced" if "silenced" in row.marks else "") if part)
            detail = f"[{row.marks.replace('ack', '').strip()}] {row.detail}" if "silenced" in row.marks else row.detail
            style = "bold" if row.state in ("firing", "error") else ""
            table.add_row(literal(state, style), literal(row.severity), literal(row.rule), literal(row.value),
                          literal(row.since), literal(detail), key=str(index))
        if selected is not None:
            for index, row in enumerate(rows):
                if (row.rule_index, row.labels) == (selected.rule_index, selected.labels):
                    table.move_cursor(row=index, animate=False)
                    break
        self.refresh_bindings()
        self.show_detail()

    def show_detail(self) -> None:
        """The selected row of the view shown, in full under the table (its detail column is cut at 80)."""
        self.query_one(RowDetail).show(self.query_one(
            {"alerts-now": "#alerts-table"}.get(self.active_view, f"#{self.active_view}"), DataTable))

    def selected(self) -> Row | None:
        table = self.query_one("#alerts-table", DataTable)
        if not self.rows or table.cursor_row is None or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def rerender(self) -> None:
        if self.service is not None:
            self.post_message(self.Evaluated(self.views, time.time(), self.service.holder or "", []))

    # -- views ------------------------------------------------------------------------------------------------
    def action_switch_view(self) -> None:
        views = list(self.VIEWS)
        self.show_view(views[(views.index(self.active_view) + 1) % len(views)])

    def on_view_tabs_picked(self, event: ViewTabs.Picked) -> None:
        event.stop()  # the app's row of pane names is a ViewTabs too
        self.show_view(event.view)

    def show_view(self, view: str) -> None:
        self.query_one("#alerts-views", ViewTabs).active = view
        self.query_one("#alerts-table").display = view == "alerts-now"
        self.query_one("#alerts-history").display = view == "alerts-history"
        self.query_one("#alerts-backends").display = view == "alerts-backends"
        if view == "alerts-history":
            self.load_history()
        elif view == "alerts-backends":
            self.load_backends()
        self.focus_default()
        self.refresh_bindings()
        self.show_detail()

    @work(thread=True, exclusive=True, group="alerts.history", exit_on_error=False, name="alerts.history")
    def load_history(self) -> None:
        service = self.service
        if service is None or service.history is None:
            return
        since = time.time() - 24 * 3600
        changes, notes = service.history.changes(since, limit=1000), service.history.notifications(since, limit=1000)
        self.query_one(HistoryTable).post_message(HistoryTable.Loaded(changes, notes))

    @work(thread=True, exclusive=True, group="alerts.backends", exit_on_error=False, name="alerts.backends")
    def load_backends(self) -> None:
        from mlops_tui.sources.alerts.backends import read_backends

        prometheus = self.all_settings.metrics.prometheus if self.all_settings is not None else []
        items, problems = read_backends(prometheus, self.settings.alertmanagers)
        self.query_one(BackendsTable).post_message(BackendsTable.Loaded(items, problems,
                                                                        bool(prometheus or self.settings.alertmanagers)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys that act on an alert are offered in the Alerts view only; m on a metric rule's row."""
        if action in ("acknowledge", "silence", "unsilence", "metric", "logs", "drift"):
            if not (self.query("#alerts-views") and self.active_view == "alerts-now"):
                return False
            if action in ("metric", "drift"):
                picked = self.window()
                # (a drift rule over time windows has no two files for the Drift pane to open: the CLI's
                # `drift --log-field` / `--metric` compares them)
                return picked is not None and picked[0].kind == action and not picked[0].over_windows
            if action == "logs":
                return self.window() is not None
        return True

    @on(HistoryTable.Loaded)
    @on(BackendsTable.Loaded)
    def _view_loaded(self) -> None:
        self.call_after_refresh(self.show_detail)  # (the table fills its rows first: the message bubbles after)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self.refresh_bindings()  # m acts on metric rules only
        self.show_detail()

    # -- the alert's moment: its chart and its logs ------------------------------------------------------------
    def window(self):
        """(rule, start, end) of the selected row: from its alert's start (a quiet rule: now) less the rule's
        window for a log rule (the records it counted), less max(for, 15m) for the others, to now."""
        row = self.selected()
        if row is None or not 0 <= row.rule_index < len(self.views):
            return None
        rule = self.views[row.rule_index].rule
        now = time.time()
        at = row.active_at if row.active_at is not None else now
        lead = rule.seconds("window") if rule.kind == "log" else max(rule.seconds("for"), 900.0)
        return rule, at - lead, now

    def action_metric(self) -> None:
        picked = self.window()
        if picked is None or picked[0].kind != "metric":
            return
        rule, start, end = picked
        where = "local" if rule.source == "local" else "remote"
        self.post_message(ShowTimeWindow(where, start, end, rule.expr, rule.source, rule.name))

    def action_drift(self) -> None:
        """A drift rule's two samples in the Drift pane: every column, the rule's own among them."""
        picked = self.window()
        if picked is None or picked[0].kind != "drift":
            return
        rule = picked[0]
        self.post_message(OpenDrift(rule.reference, rule.current, None))

    def action_logs(self) -> None:
        picked = self.window()
        if picked is None:
            return
        rule, start, end = picked
        log_rule = rule.kind == "log"
        self.post_message(ShowTimeWindow("logs", start, end, rule.expr if log_rule else "",
                                         rule.source if log_rule else "", rule.name))

    # -- acknowledge and silence ------------------------------------------------------------------------------
    def _history(self, doing: str):
        service = self.service
        if service is None:
            self.notify(f"cannot {doing} yet: the first evaluation has not finished", severity="warning")
            return None
        if service.history is None:
            self.notify(f"cannot {doing}: {service.problem}", severity="error")
            return None
        return service.history

    def action_acknowledge(self) -> None:
        row = self.selected()
        if row is None or not row.is_alert:
            self.notify("select an alert to acknowledge (a firing or pending one)", severity="warning")
            return
        if self._history("acknowledge") is not None:
            self._acknowledge(row)

    @work(thread=True, group="alerts.write", exit_on_error=False, name="alerts.acknowledge")
    def _acknowledge(self, row: Row) -> None:
        service = self.service
        service.history.acknowledge(row.rule, row.labels, row.active_at, service.me)
        service.acked = service.history.acks()
        self.app.call_from_thread(self.notify, f"acknowledged {row.rule}: no repeated messages until it resolves")
        self.rerender()

    def action_silence(self) -> None:
        row = self.selected()
        if row is None:
            self.notify("no rule to silence", severity="warning")
            return
        box = self.query_one("#alerts-silence", Input)
        name = row.rule.replace("\\", "\\\\").replace('"', '\\"')
        box.value = f'1h alertname="{name}"'
        box.display = True
        focus_now(box)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from mlops_tui.sources.alerts.silences import SilenceError, parse_silence

        event.stop()
        try:
            seconds, matchers = parse_silence(event.value)
        except SilenceError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        if self._history("silence") is None:
            return
        self._close_box()
        self._silence(seconds, matchers)

    def key_escape(self) -> None:
        if self.query_one("#alerts-silence", Input).display:
            self._close_box()

    def _close_box(self) -> None:
        box = self.query_one("#alerts-silence", Input)
        box.display = False
        self.focus_default()

    @work(thread=True, group="alerts.write", exit_on_error=False, name="alerts.silence")
    def _silence(self, seconds: float, matchers) -> None:
        from mlops_tui.sources.alerts.board import clock

        service = self.service
        until = time.time() + seconds
        service.history.add_silence(matchers, until, service.me)
        service.silences = service.history.silences()
        text = ", ".join(map(str, matchers))
        self.app.call_from_thread(self.notify, f"silenced {text} until {clock(until)}")
        self.rerender()

    def action_unsilence(self) -> None:
        row = self.selected()
        if row is None or not row.is_alert or "silenced" not in row.marks:
            self.notify("the selected alert is not silenced", severity="warning")
            return
        if self._history("lift a silence") is not None:
            self._unsilence(row)

    @work(thread=True, group="alerts.write", exit_on_error=False, name="alerts.unsilence")
    def _unsilence(self, row: Row) -> None:
        from mlops_tui.sources.alerts.silences import alert_labels

        service = self.service
        labels = alert_labels(row.rule, row.severity, row.labels)
        lifted = [s for s in service.silences if s.matches(labels)]
        for silence in lifted:
            service.history.expire_silence(silence.id)
        service.silences = service.history.silences()
        self.app.call_from_thread(self.notify, f"lifted {len(lifted)} silence(s): "
                                               + "; ".join(s.text for s in lifted))
        self.rerender()

    def on_unmount(self) -> None:
        self._stop.set()
        if self.service is not None:
            self.service.close()
