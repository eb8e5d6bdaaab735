"""The command line: `mlops-tui` opens the app; subcommands print what the panes show.

Settings overrides (`metrics.interval=2`) may stand before the subcommand, like Hydra's dotlist.
"""

from __future__ import annotations

import importlib
import re
import sys

import click

from mlops_tui import __version__
from mlops_tui.cli.common import EXIT_INTERNAL, EXIT_USAGE, CliState, end_on_closed_stdout, fail, stdout_closed
from mlops_tui.startup import resume_collector

_DOTLIST = re.compile(r"^[A-Za-z_][\w-]*(\.[\w-]+)*=")

# Subcommand -> its module, imported when the subcommand runs or --help lists it: `mlops-tui` alone opens the
# app and should not pay for the subcommands' imports (pydantic, OmegaConf, clients) before its first frame.
SUBCOMMANDS = {name: f"mlops_tui.cli.{name}" for name in ("alerts", "config", "demo", "drift", "logs", "metrics", "models")}


class LazyGroup(click.Group):
    """A group whose subcommands (SUBCOMMANDS) are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(SUBCOMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in SUBCOMMANDS:
            self.add_command(getattr(importlib.import_module(SUBCOMMANDS[name]), name), name)
        return super().get_command(ctx, name)

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        """The root's own --help and --version print while the arguments are parsed, before invoke: click
        would end a closed stdout there with exit 1; it ends as every subcommand's does."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except OSError as exc:
            if stdout_closed(exc):
                end_on_closed_stdout()
            raise

    def invoke(self, ctx: click.Context):
        """Every subcommand, with a stdout closed early (`| head`) ending quietly as grep does (exit 141),
        rather than as click does it (exit 1) or as a command's own OSError handling would (exit 3)."""
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if stdout_closed(exc):
                end_on_closed_stdout()
            raise


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Settings overrides such as metrics.interval=2 or logs.files=[app.log] may precede the "
    "subcommand. Exit codes: 0 ok, 1 a finding (models diff or config diff --exit-code found a difference, "
    "config validate found an error, alerts check found an alert firing, drift found the dataset drifted), "
    "2 usage or settings error, 3 a source could not be read, 141 stdout closed before the end (| head), as grep.",
)
@click.version_option(__version__, "-V", "--version", prog_name="mlops-tui")
@click.option("-c", "--config", "config_path", metavar="PATH", help="Settings file (default ./mlops-tui.yaml, else ~/.config/mlops-tui/config.yaml).")
@click.option("--theme", metavar="NAME", help="Theme: mlops-dark, mlops-light, mlops-mono.")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, theme: str | None) -> None:
    """A terminal dashboard for ML systems in production: metrics, models, logs, configs and alerts."""
    ctx.ensure_object(CliState)
    ctx.obj.config, ctx.obj.theme = config_path, theme
    if ctx.invoked_subcommand not in (None, "demo"):  # the app (and the demo's) resumes it once built
        resume_collector()
    if ctx.invoked_subcommand is None:
        from mlops_tui.cli.run import run_app

        run_app(ctx.obj)


def split_dotlist(argv: list[str]) -> tuple[list[str], list[str]]:
    """Take KEY=VALUE overrides that stand before the subcommand out of argv."""
    dotlist: list[str] = []
    rest: list[str] = []
    seen_command = False
    for arg in argv:
        if not seen_command and _DOTLIST.match(arg):
            dotlist.append(arg)
            continue
        if arg in SUBCOMMANDS:
            seen_command = True
        rest.append(arg)
    return dotlist, rest


def main(argv: list[str] | None = None) -> None:
    dotlist, rest = split_dotlist(list(sys.argv[1:] if argv is None else argv))
    try:
        cli.main(args=rest, prog_name="mlops-tui", obj=CliState(None, dotlist, None), standalone_mode=True)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as exc:  # the last line of defence: one line on screen, the traceback in a file
        from mlops_tui.secrets import mask_text

        fail(mask_text(f"internal error: {type(exc).__name__}: {exc} (details in {_write_crash_report()})"), EXIT_INTERNAL)



def _write_crash_report(error: BaseException | None = None) -> str:
    """Append the traceback (of error, else of the exception being handled), secrets masked and no
    frame's locals, to a crash file only its owner can read (it may quote config lines and command lines)."""
    import os
    import traceback

    from mlops_tui.paths import state_dir
    from mlops_tui.secrets import mask_text

    try:
        folder = state_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "crash.log"
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(descriptor, 0o600)  # a file left by an older version was 644
        with os.fdopen(descriptor, "a", encoding="utf-8") as log:
            trace = traceback.format_exception(error) if error is not None else [traceback.format_exc()]
            log.write(mask_text("".join(trace)) + "\n")
        return str(path)
    except OSError as exc:
        return f"nowhere: {exc}"


__all__ = ["cli", "main", "EXIT_USAGE"]
