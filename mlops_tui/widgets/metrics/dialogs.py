"""The process table's dialogs: a process's details (Enter), the user filter (u) and the signal to send (k, F9).

Each renders what the data floor (sources/metrics/processes.py) gives it and returns the user's choice with
`dismiss`; none of them reads or signals a process itself.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from mlops_tui.sources.metrics.processes import SIGNALS, ProcessDetails, ProcessSample
from mlops_tui.sources.units import human_bytes, human_cpu_time
from mlops_tui.widgets.text import sanitize

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical, {name} > VerticalScroll {{ width: 96%; max-width: 110; height: auto; max-height: 90%;
    border: round $primary; background: $surface; padding: 0 1; }}
{name} .dialog-title {{ text-style: bold; }}
{name} .dialog-hint {{ color: $text-muted; }}
{name} OptionList {{ height: auto; max-height: 14; }}
"""


def describe(row: ProcessSample) -> str:
    """'1234 python (alice)': how a dialog names a process."""
    return f"{row.pid} {sanitize(row.name or '?', 40)} ({sanitize(row.user or '?', 20)})"


class ProcessDetailsScreen(ModalScreen[None]):
    """The selected process: its whole command line (secrets masked) and what the table has no room for."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="metrics.details.close")]
    DEFAULT_CSS = DIALOG_CSS.format(name="ProcessDetailsScreen")

    def __init__(self, row: ProcessSample, details: ProcessDetails | None, problem: str = "") -> None:
        super().__init__()
        self.row, self.details, self.problem = row, details, problem

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) rows shown; the live details where the process still runs, else the sampled row."""
        row, d = self.row, self.details
        when = d.started if d and d.started else row.started
        rows = [("pid", str(row.pid)),
                ("parent", "-" if (d.ppid if d else row.ppid) is None else
                 f"{d.ppid if d else row.ppid}" + (f" {sanitize(d.parent, 40)}" if d and d.parent else "")),
                ("user", sanitize((d.user if d else None) or row.user or "-", 40)),
                ("state", sanitize(d.status, 20) if d and d.status else ("kernel thread" if row.kernel else "-")),
                ("started", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when)) if when else "-"),
                ("cpu", "-" if row.cpu is None else f"{row.cpu:.1f}% now, "
                 f"{human_cpu_time(d.cpu_time if d and d.cpu_time is not None else row.time)} in all"),
                ("memory", f"rss {human_bytes(d.rss if d and d.rss is not None else row.rss)}"
                 + (f", virtual {human_bytes(d.vms)}" if d and d.vms is not None else "")),
                ("threads", str((d.threads if d else None) or row.threads or "-")),
                ("nice", "-" if not d or d.nice is None else str(d.nice)),
                ("exe", sanitize(d.exe, 400) if d and d.exe else "-"),
                ("cwd", sanitize(d.cwd, 400) if d and d.cwd else "-")]
        if d and d.errors:
            rows.append(("unreadable", sanitize(", ".join(f"{k}: {v}" for k, v in d.errors.items()), 400)))
        return rows

    def command(self) -> str:
        d = self.details
        return sanitize((d.command if d and d.command else None) or self.row.command or self.row.name or "-", 32768)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="details-body"):
            yield Static(Text(f"Process {describe(self.row)}"), classes="dialog-title")
            if self.problem:
                yield Static(Text(sanitize(self.problem, 300)), classes="dialog-hint", id="details-problem")
            yield Static(Text("command line (secrets masked):"), classes="dialog-hint")
            yield Static(Text(self.command()), id="details-command")
            width = max(len(label) for label, _ in self.lines())
            yield Static(Text("\n".join(f"{label.ljust(width)}  {value}" for label, value in self.lines())),
                         id="details-fields")
            yield Static(Text("Esc or Enter closes"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#details-body").focus()


class UserMenu(ModalScreen["str | None | bool"]):
    """Pick whose processes are listed. Dismisses with the user, None for everyone, False when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="metrics.user.cancel")]
    DEFAULT_CSS = DIALOG_CSS.format(name="UserMenu")

    def __init__(self, users: list[tuple[str, int]], current: str | None) -> None:
        super().__init__()
        self.users, self.current = users, current

    def compose(self) -> ComposeResult:
        options = [Option(("● " if self.current is None else "  ") + "every user", id="\x00all")]
        options += [Option(Text(("● " if user == self.current else "  ") + f"{sanitize(user, 40)}  ({count})"),
                           id=user) for user, count in self.users]
        if self.current is not None and self.current not in dict(self.users):
            options.append(Option(Text(f"● {sanitize(self.current, 40)}  (none running now)"), id=self.current))
        with Vertical():
            yield Static(Text("Show the processes of"), classes="dialog-title")
            yield OptionList(*options, id="user-options")
            yield Static(Text("Enter chooses, Esc cancels"), classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index(self.current) if self.current in ids else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(None if event.option.id == "\x00all" else event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(False)


class SignalDialog(ModalScreen["str | None"]):
    """Choose a signal, then confirm it with y; the confirmation names the process. Dismisses with the
    signal's name, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="metrics.signal.cancel"),
        Binding("y", "confirm", "Send", id="metrics.signal.confirm", show=False),
        Binding("n", "back", "Do not send", id="metrics.signal.back", show=False),
    ]
    DEFAULT_CSS = DIALOG_CSS.format(name="SignalDialog") + """
    SignalDialog #signal-confirm { display: none; text-style: bold; color: $warning; }
    SignalDialog.-confirming #signal-confirm { display: block; }
    SignalDialog.-confirming OptionList { display: none; }
    """

    def __init__(self, row: ProcessSample) -> None:
        super().__init__()
        self.row = row
        self.chosen: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Send a signal to {describe(self.row)}"), classes="dialog-title")
            yield Static(Text(sanitize(self.row.command or self.row.name or "-", 300)), classes="dialog-hint")
            yield OptionList(*[Option(f"{name:<8} {what}", id=name) for name, what in SIGNALS], id="signal-options")
            yield Static(id="signal-confirm")
            yield Static(Text("Enter chooses, Esc cancels"), classes="dialog-hint", id="signal-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.chosen = event.option.id
        self.query_one("#signal-confirm", Static).update(
            Text(f"Send {self.chosen} to {describe(self.row)}?  y sends, n goes back, Esc cancels"))
        self.add_class("-confirming")
        self.query_one("#signal-hint", Static).display = False
        self.set_focus(None)  # the screen's y and n answer

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("confirm", "back"):
            return self.chosen is not None
        return True

    def action_confirm(self) -> None:
        if self.chosen is not None:
            self.dismiss(self.chosen)

    def action_back(self) -> None:
        self.chosen = None
        self.remove_class("-confirming")
        self.query_one("#signal-hint", Static).display = True
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
