"""`mlops-tui alerts`: the alert rules from the settings; `alerts check` evaluates them once (for cron and CI)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import click

from mlops_tui.cli.common import EXIT_BACKEND, EXIT_FINDING, EXIT_USAGE, emit_json, fail, state
from mlops_tui.text import sanitize


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
@click.pass_context
def alerts(ctx: click.Context, as_json: bool) -> None:
    """List the alert rules from the settings; `alerts check` evaluates them."""
    if ctx.invoked_subcommand is not None:
        return
    settings = state().settings().alerts
    rules = settings.rules
    if as_json:
        emit_json([rule.model_dump(mode="json", by_alias=True) for rule in rules])
        return
    if not rules:
        click.echo("no alert rules configured (add alerts.rules to the settings)")
    for rule in rules:
        click.echo(sanitize(f"{rule.severity:<8} {rule.name}: {rule.kind} {rule.expr} {rule.op} {rule.threshold:g}"
                            f" for {rule.for_} ({rule.source})"))
    if rules:
        click.echo(f"{len(rules)} rule{'s' if len(rules) != 1 else ''} (`mlops-tui alerts check` evaluates them)")
    for channel in settings.channels:
        click.echo(sanitize(f"channel  {channel.name}: {channel.kind} {_where(channel)}"))


def _where(channel) -> str:
    """Where a channel sends, without its secrets (the token in a webhook URL)."""
    from mlops_tui.sources.alerts.notify import TWILIO, shown_url

    if channel.kind == "email":
        mode = "implicit TLS" if channel.tls else "STARTTLS" if channel.starttls else "plain"
        return f"{channel.host}{f':{channel.port}' if channel.port else ''} ({mode}) to {', '.join(channel.to)}"
    if channel.kind == "sms":
        base = channel.url.get_secret_value() if channel.url else TWILIO
        return f"{shown_url(base)} to {', '.join(channel.to)}"
    return shown_url(channel.url.get_secret_value() if channel.url else "")


@alerts.command()
@click.option("--json", "as_json", is_flag=True, help="Print each rule's state and alerts as JSON.")
@click.option("--deadline", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds to wait for each rule's query.")
def check(as_json: bool, deadline: float) -> None:
    """Evaluate every rule now, replaying its `for` window from sources that have history, so the answer is
    what a running evaluator would say. Exit 1 when an alert is firing, 3 when a rule could not be evaluated
    (and none fires), 0 otherwise."""
    from mlops_tui.sources.alerts.engine import AlertEngine

    engine = AlertEngine(state().settings(), deadline=deadline)
    try:
        engine.catch_up()
        views = engine.views()
    finally:
        engine.close()
    if as_json:
        emit_json([view.to_json() for view in views])
    else:
        for view in views:
            rule = view.rule
            head = f"{view.state:<8} {rule.severity:<8} {rule.name}"
            if view.reason:
                head += f": {view.reason}"
            click.echo(sanitize(head))
            for instance in view.instances:
                if instance.resolved:
                    continue
                labels = ", ".join(f"{k}={v}" for k, v in instance.labels)
                summary = view.summary(instance)
                click.echo(sanitize(f"  {instance.state.value:<8} value {instance.value:g}"
                                    f"{'  ' + labels if labels else ''}{'  ' + summary if summary else ''}"))
        if not views:
            click.echo("no alert rules configured (add alerts.rules to the settings)")
    if any(view.firing for view in views):
        raise SystemExit(EXIT_FINDING)
    if any(view.state == "error" for view in views):
        raise SystemExit(EXIT_BACKEND)


@alerts.command()
@click.option("--since", default="24h", show_default=True, help="Changes since this time (10m, 14:05, 2024-05-01).")
@click.option("--json", "as_json", is_flag=True, help="Print the changes and notifications as JSON.")
def history(since: str, as_json: bool) -> None:
    """State changes and notifications kept in the history file (written by `alerts watch`)."""
    from mlops_tui.sources.alerts.history import AlertHistory, HistoryError, history_file
    from mlops_tui.sources.timespec import parse_time

    try:
        start = parse_time(since).timestamp()
    except ValueError as exc:
        fail(f"--since: {exc}", EXIT_USAGE)
    try:
        store = AlertHistory(history_file(state().settings().alerts.history))
        try:
            changes, notes = store.changes(start), store.notifications(start)
        finally:
            store.close()
    except HistoryError as exc:
        fail(str(exc), EXIT_BACKEND)
    if as_json:
        emit_json({"changes": [c.to_json() for c in changes], "notifications": [asdict(n) for n in notes]})
        return
    events = [(c.at, _change_line(c)) for c in changes] + [(n.at, _notification_line(n)) for n in notes]
    for at, line in sorted(events, key=lambda event: event[0]):
        click.echo(sanitize(f"{_stamp(at)}  {line}"))
    if not events:
        click.echo(f"no alert changes since {_stamp(start)} (history file: {history_file_shown()})")


def _stamp(at: float) -> str:
    return datetime.fromtimestamp(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _change_line(change) -> str:
    from mlops_tui.sources.alerts.board import change_line

    return change_line(change)


def _notification_line(note) -> str:
    from mlops_tui.sources.alerts.board import notification_line

    return notification_line(note)


def history_file_shown() -> str:
    from mlops_tui.sources.alerts.history import history_file

    return str(history_file(state().settings().alerts.history))


@alerts.command(name="test")
@click.argument("channel")
def test_channel(channel: str) -> None:
    """Send a test message to CHANNEL (a name from alerts.channels); exit 3 when it could not be sent."""
    from mlops_tui.sources.alerts.history import AlertHistory, HistoryError, history_file
    from mlops_tui.sources.alerts.notify import deliver, probe_group

    channels = state().settings().alerts.channels
    chosen = next((c for c in channels if c.name == channel), None)
    if chosen is None:
        known = ", ".join(c.name for c in channels) or "none configured (add alerts.channels to the settings)"
        fail(f"no alert channel named {channel!r} (channels: {known})", EXIT_USAGE)
    group = probe_group()
    try:
        store = AlertHistory(history_file(state().settings().alerts.history))
    except HistoryError as exc:
        click.echo(sanitize(f"mlops-tui: {exc} (the outcome is not recorded)"), err=True)
        store = None
    try:
        note = deliver(chosen, group, group.alerts[0].starts_at, store)
    finally:
        if store is not None:
            store.close()
    if not note.ok:
        fail(f"{chosen.name} ({chosen.kind}): not sent after {note.attempts} attempt"
             f"{'s' if note.attempts != 1 else ''}: {note.detail}", EXIT_BACKEND)
    click.echo(sanitize(f"sent a test message to {chosen.name} ({chosen.kind})"))

@alerts.command()
@click.option("--deadline", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds to wait for each rule's query.")
def watch(deadline: float) -> None:
    """Evaluate the rules every alerts.interval, send notifications to alerts.channels and record every change
    in the history, until SIGTERM or Ctrl-C. When another process (the app, another watch) already does so with
    the same history file, this one waits and takes over when that one stops."""
    import signal
    import threading
    import time

    from mlops_tui.sources.alerts.history import HistoryError
    from mlops_tui.sources.alerts.service import AlertService

    settings = state().settings().alerts
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        service = AlertService(state().settings(), deadline=deadline, sleep=stop.wait)
    except HistoryError as exc:
        fail(str(exc), EXIT_BACKEND)
    names = ", ".join(c.name for c in settings.channels) or "no channel (add alerts.channels)"
    click.echo(sanitize(f"watching {len(settings.rules)} rule{'s' if len(settings.rules) != 1 else ''} every "
                        f"{settings.interval}, notifying {names}; SIGTERM or Ctrl-C stops"))
    holder = None
    try:
        while not stop.is_set():
            started = time.monotonic()
            cycle = service.cycle()
            if cycle.holder != holder:
                holder = cycle.holder
                click.echo(sanitize(f"this process ({service.me}) records and notifies" if holder == service.me
                                    else f"{holder} records and notifies; this process waits to take over"))
            if holder == service.me:
                for change in cycle.changes:
                    click.echo(sanitize(f"{_stamp(change.at)}  {_change_line(_as_history(change))}"))
            for note in cycle.notes:
                click.echo(sanitize(f"{_stamp(note.at)}  {_notification_line(note)}"))
            stop.wait(max(0.0, service.engine.interval - (time.monotonic() - started)))
    except HistoryError as exc:
        fail(str(exc), EXIT_BACKEND)
    finally:
        service.close()
    click.echo("stopped")


def _as_history(change):
    from mlops_tui.sources.alerts.history import HistoryChange

    return HistoryChange(change.at, change.rule, change.labels, change.old.value, change.new.value, change.value)
