"""What every subcommand shares: loading settings, printing JSON, exit codes."""

from __future__ import annotations

import errno
import json
import os
import select
import sys
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:  # pydantic and OmegaConf are imported when settings are first loaded, not with the CLI
    from mlops_tui.settings import Settings

EXIT_OK = 0
EXIT_FINDING = 1  # the command worked and found something: a difference, a validation error
EXIT_USAGE = 2  # bad arguments or bad settings
EXIT_BACKEND = 3  # a source could not be read: server down, repository missing, file unreadable
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in mlops-tui, never the user's input
EXIT_STDOUT_CLOSED = 141  # what a shell reports for grep killed by SIGPIPE (128 + 13): `| head` stopped reading


class CliState:
    """Options of the root command, handed to every subcommand."""

    def __init__(self, config: str | None = None, dotlist: list[str] | None = None, theme: str | None = None) -> None:
        self.config = config
        self.dotlist = dotlist or []
        self.theme = theme
        self._settings: Settings | None = None
        self.config_file: Path | None = None
        self.start_dir = Path.cwd()  # where ./mlops-tui.yaml and a relative --config are looked for

    def load(self) -> Settings:
        """The merged settings, loaded once; raises SettingsError when they are invalid."""
        if self._settings is None:
            from mlops_tui.settings import load_settings

            dotlist = list(self.dotlist)
            if self.theme:
                dotlist.append(f"ui.theme={self.theme}")
            self._settings, self.config_file = load_settings(self.config, dotlist, cwd=self.start_dir)
            from mlops_tui.sources import limits

            limits.configure(self._settings.limits)
        return self._settings

    def settings(self) -> Settings:
        """The merged settings; exits with code 2 and a clear message when they are invalid."""
        from mlops_tui.settings import SettingsError

        try:
            return self.load()
        except SettingsError as exc:
            fail(settings_message(exc), EXIT_USAGE)


def settings_message(error: Exception) -> str:
    return f"invalid settings:\n{error}"


def state() -> CliState:
    return click.get_current_context().find_object(CliState)


def fail(message: str, code: int = EXIT_BACKEND) -> NoReturn:
    """Print a one-screen error on stderr and exit with code."""
    from mlops_tui.text import sanitize

    click.echo(f"mlops-tui: {sanitize(message)}", err=True)  # messages quote file names, keys, revisions
    sys.exit(code)


def stdout_closed(error: BaseException) -> bool:
    """True when error is EPIPE and stdout is a pipe whose reader has gone (`mlops-tui logs search | head`
    after head's last line). An EPIPE from a socket, with stdout still read, is not this."""
    if not isinstance(error, OSError) or error.errno != errno.EPIPE:
        return False
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    poller = select.poll()
    poller.register(descriptor, select.POLLOUT)
    return any(events & select.POLLERR for _, events in poller.poll(0))


def end_on_closed_stdout() -> NoReturn:
    """End as grep does when its reader has gone: nothing on stderr, exit 141. stdout is pointed at
    /dev/null first, so the interpreter's last flush of what is still buffered cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    sys.exit(EXIT_STDOUT_CLOSED)


def given(**options: str) -> list[str]:
    """The flags, among options (parameter name -> flag as typed), that the user gave on the command line:
    an option whose default is a value (--since 1h, --context-size 5) cannot be told from its use by value."""
    from click.core import ParameterSource

    context = click.get_current_context()
    return [flag for name, flag in options.items()
            if context.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)]


def refuse_unused(flags: list[str], why: str) -> None:
    """Exit 2 naming flags that would change nothing here, rather than ignore them quietly."""
    if flags:
        fail(f"{', '.join(flags)}: {why}", EXIT_USAGE)


def read_failed(label: str, error: OSError) -> NoReturn:
    """A command's OSError while it reads label and prints: a closed stdout ends quietly (the input is not
    to blame), anything else is `cannot read LABEL` with exit code 3."""
    if stdout_closed(error):
        end_on_closed_stdout()
    fail(f"cannot read {label}: {error.strerror or error}", EXIT_BACKEND)


def _default(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def to_json(value: Any, indent: int | None = 2) -> str:
    """JSON text with every character that could act on a terminal written as a \\u escape."""
    from mlops_tui.text import escape_json_text

    return escape_json_text(json.dumps(value, default=_default, indent=indent, ensure_ascii=False))


def emit_json(value: Any, indent: int | None = 2) -> None:
    """Print value as JSON on stdout (dataclasses, pydantic models and datetimes included)."""
    click.echo(to_json(value, indent))
