"""The process list as the pane and `mlops-tui metrics` show it, in plain Python: which rows (kernel threads,
user, name filter), in which order (a sort column, or the parent/child tree), one process's details, and the
signals a user may send to one.

`LocalSampler` keeps one `ProcessView`; `select_processes` applies it to the rows of a sample, so the pane, a
replayed recording and the CLI list the same rows.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from mlops_tui.secrets import MASK, is_secret_key, mask_text

SORT_KEYS = ("cpu", "rss", "time", "pid", "name")
"""Orders of the process list: CPU%, resident memory, CPU time (TIME+), pid, name."""


@dataclass
class ProcessSample:
    pid: int
    name: str | None = None
    user: str | None = None
    cpu: float | None = None
    """Percent of one core over the window (may exceed 100 for threaded processes)."""
    rss: int | None = None
    threads: int | None = None
    command: str | None = None
    open_files: int | None = None
    """Only read for pinned processes."""
    gone: bool = False
    """The process exited (or its pid was reused) since it was pinned."""
    errors: dict[str, str] = field(default_factory=dict)
    ppid: int | None = None
    time: float | None = None
    """CPU seconds used since it started, user + system (htop's TIME+)."""
    kernel: bool = False
    """A kernel thread (kthreadd's children): no command line, no memory, signals do nothing."""
    started: float | None = None
    """Start time (epoch seconds): with the pid, what tells this process from a later one with its pid."""


@dataclass
class ProcessView:
    """Which processes are listed and how: what the pane's keys change."""

    sort: str = "cpu"
    filter_text: str = ""
    """Case-insensitive part of the name or command line."""
    user: str | None = None
    """Only this user's processes (None: everyone's)."""
    show_kernel: bool = False
    """Kernel threads listed too (htop's K); hidden by default."""
    tree: bool = False
    """Parents followed by their children, each level in the sort order (htop's t)."""


@dataclass
class ProcessListing:
    rows: list[ProcessSample]
    """At most `top` rows, in the view's order."""
    prefixes: list[str]
    """Per row, the tree branch drawn before its command ('' outside the tree view)."""
    matched: int
    """Rows the view lets through before the cut to `top`."""
    kernel_hidden: int
    """Kernel threads left out because the view hides them."""


def _sort_key(sort: str):
    if sort == "pid":
        return lambda r: r.pid
    if sort == "name":
        return lambda r: ((r.name or "").casefold(), r.pid)
    attr = {"rss": "rss", "time": "time"}.get(sort, "cpu")
    return lambda r: (-(getattr(r, attr) or 0), r.pid)


def _tree(rows: list[ProcessSample], sort: str) -> tuple[list[ProcessSample], list[str]]:
    """Rows in tree order: each parent, then its children; a row whose parent is not listed is a root."""
    by_pid = {r.pid: r for r in rows}
    children: dict[int, list[ProcessSample]] = {}
    roots = []
    for row in rows:
        if row.ppid in by_pid and row.ppid != row.pid:
            children.setdefault(row.ppid, []).append(row)
        else:
            roots.append(row)
    key = _sort_key(sort)
    ordered: list[ProcessSample] = []
    prefixes: list[str] = []
    seen: set[int] = set()
    stack = [(row, "", "") for row in sorted(roots, key=key, reverse=True)]
    while stack:  # iterative: a deep chain of processes must not hit the recursion limit
        row, prefix, indent = stack.pop()
        if row.pid in seen:
            continue
        seen.add(row.pid)
        ordered.append(row)
        prefixes.append(prefix)
        kids = sorted(children.get(row.pid, ()), key=key)
        for index in range(len(kids) - 1, -1, -1):
            last = index == len(kids) - 1
            stack.append((kids[index], indent + ("└─ " if last else "├─ "), indent + ("   " if last else "│  ")))
    return ordered, prefixes


def select_processes(rows: Iterable[ProcessSample], view: ProcessView, top: int) -> ProcessListing:
    """The rows the view lists, in its order, cut to `top`."""
    rows = list(rows)
    kernel_hidden = 0
    if not view.show_kernel:
        kept = [r for r in rows if not r.kernel]
        kernel_hidden, rows = len(rows) - len(kept), kept
    if view.user is not None:
        rows = [r for r in rows if r.user == view.user]
    needle = view.filter_text.casefold()
    if needle:
        rows = [r for r in rows if needle in (r.name or "").casefold() or needle in (r.command or "").casefold()]
    if view.tree:
        ordered, prefixes = _tree(rows, view.sort)
    else:
        ordered = sorted(rows, key=_sort_key(view.sort))
        prefixes = [""] * len(ordered)
    return ProcessListing(ordered[:top], prefixes[:top], len(rows), kernel_hidden)


def users_by_count(rows: Iterable[ProcessSample]) -> list[tuple[str, int]]:
    """(user, processes) of every user running something, most processes first."""
    counts: dict[str, int] = {}
    for row in rows:
        if row.user:
            counts[row.user] = counts.get(row.user, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def mask_command(args: list[str]) -> str:
    """A command line with its secrets masked: what mask_text masks (--password=x, URLs, tokens) and the value
    after a secret-named flag given as its own argument (`--token abc`)."""
    shown = list(args)
    for index, arg in enumerate(shown[:-1]):
        if arg.startswith("-") and "=" not in arg and is_secret_key(arg.lstrip("-")):
            shown[index + 1] = MASK
    return mask_text(" ".join(shown))


# -- one process in detail -------------------------------------------------------------------------------
@dataclass
class ProcessDetails:
    pid: int
    name: str | None = None
    user: str | None = None
    ppid: int | None = None
    parent: str | None = None
    status: str | None = None
    started: float | None = None
    cpu_time: float | None = None
    rss: int | None = None
    vms: int | None = None
    threads: int | None = None
    nice: int | None = None
    exe: str | None = None
    cwd: str | None = None
    command: str | None = None
    """The whole command line, secrets masked."""
    kernel: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    """What could not be read, and why (another user's process: access denied)."""


def process_details(pid: int, started: float | None = None) -> ProcessDetails:
    """Everything the details view shows of one process. psutil.NoSuchProcess when it exited (or its pid now
    belongs to a process started later than `started`)."""
    import psutil

    proc = psutil.Process(pid)
    if started is not None and abs(proc.create_time() - started) > 1.0:
        raise psutil.NoSuchProcess(pid, msg="the process exited (its pid is now another's)")
    details = ProcessDetails(pid)
    with proc.oneshot():
        for attr, call in (("name", proc.name), ("user", proc.username), ("ppid", proc.ppid),
                           ("status", proc.status), ("started", proc.create_time), ("threads", proc.num_threads),
                           ("nice", proc.nice), ("exe", proc.exe), ("cwd", proc.cwd)):
            try:
                setattr(details, attr, call())
            except psutil.NoSuchProcess:
                raise
            except psutil.Error as exc:
                details.errors[attr] = "access denied" if isinstance(exc, psutil.AccessDenied) else type(exc).__name__
        try:
            times = proc.cpu_times()
            details.cpu_time = times.user + times.system
        except psutil.AccessDenied:
            details.errors["cpu_time"] = "access denied"
        try:
            memory = proc.memory_info()
            details.rss, details.vms = memory.rss, memory.vms
        except psutil.AccessDenied:
            details.errors["memory"] = "access denied"
        try:
            args = proc.cmdline()
            details.kernel = not args and is_kernel_thread(pid, details.ppid)
            details.command = mask_command(args) if args else f"[{details.name}]"
        except psutil.AccessDenied:
            details.errors["command"] = "access denied"
    if details.ppid:
        try:
            details.parent = psutil.Process(details.ppid).name()
        except psutil.Error:
            pass
    return details


def is_kernel_thread(pid: int, ppid: int | None) -> bool:
    """kthreadd (pid 2 on Linux) and its children are kernel threads."""
    return os.path.exists("/proc/self/stat") and (pid == 2 or ppid == 2)


# -- signals ---------------------------------------------------------------------------------------------
SIGNALS: tuple[tuple[str, str], ...] = (
    ("SIGTERM", "ask it to exit (it may clean up)"),
    ("SIGINT", "interrupt, as Ctrl+C does"),
    ("SIGHUP", "hang up (many servers reload)"),
    ("SIGKILL", "end it at once, no clean-up"),
    ("SIGSTOP", "pause it"),
    ("SIGCONT", "resume a paused process"),
    ("SIGUSR1", "user signal 1 (program-defined)"),
    ("SIGUSR2", "user signal 2 (program-defined)"),
)
"""The signals offered, in the order a menu lists them (SIGTERM, the gentle one, first)."""


class SignalRefused(Exception):
    """The signal was not sent; str() says why."""


def signal_refusal(row: ProcessSample, own_pid: int | None = None) -> str | None:
    """Why no signal is offered for this process, or None when one may be sent."""
    if row.pid == 1:
        return "pid 1 is the init process: ending it ends the machine (or the container)"
    if row.pid == (own_pid if own_pid is not None else os.getpid()):
        return "that is mlops-tui itself: quit with q"
    if row.kernel:
        return "a kernel thread: signals do nothing to it"
    if row.gone:
        return "the process has exited"
    return None


def send_signal(row: ProcessSample, name: str) -> str:
    """Send signal `name` (one of SIGNALS) to the process of row, if it is still the same process.
    Returns what was done; raises SignalRefused saying why it was not."""
    import psutil

    if name not in dict(SIGNALS):
        raise SignalRefused(f"unknown signal {name!r}")
    reason = signal_refusal(row)
    if reason:
        raise SignalRefused(reason)
    label = f"{row.pid} ({row.name or '?'})"
    try:
        proc = psutil.Process(row.pid)
        if row.started is not None and abs(proc.create_time() - row.started) > 1.0:
            raise SignalRefused(f"{label} has exited; its pid now belongs to another process: nothing sent")
        proc.send_signal(getattr(signal, name))
    except psutil.NoSuchProcess:
        raise SignalRefused(f"{label} has exited: nothing sent") from None
    except psutil.AccessDenied:
        raise SignalRefused(f"permission denied: {label} belongs to {row.user or 'another user'}") from None
    return f"sent {name} to {label} at {time.strftime('%H:%M:%S')}"
