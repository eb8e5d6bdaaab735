"""Snapshots hold no secrets: the real app under Pilot, with secrets in config values, log fields
(password, api_key, a bearer token), a real process's command line and a backend URL's password; every
screen is exported as the SVG a snapshot test stores (`app.export_screenshot()`), and a crash inside the
app leaves its stderr text and crash file. None may carry a secret; each must carry the mask, so a pane
that showed nothing at all could not pass."""

from __future__ import annotations

import html
import io
import re
import subprocess
import sys
import time

import pytest
from hostile.measure import count
from support.app_factory import make_app

from mlops_tui.secrets import MASK
from mlops_tui.widgets.metrics.dialogs import ProcessDetailsScreen
from mlops_tui.widgets.metrics.processes import ProcessTable

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
SECRETS = ("hunter2", "sk-live-abcdef1234567890XYZ", JWT, "pw777", "hunter3", "pw778", "procsecret9",
           "sk-live-procprocproc12345678",
           "hunter4", "pw779", JWT[::-1])
CONFIG = (f"db:\n  password: hunter2\n  url: postgres://app:pw777@db:5432/x\nheader: \"Bearer {JWT}\"\n"
          "lr: 0.1\n")
PROD = CONFIG.replace("hunter2", "hunter4").replace("pw777", "pw779").replace(JWT, JWT[::-1])
LOG = ('{"level":"error","message":"login failed","password":"hunter2","api_key":"sk-live-abcdef1234567890XYZ",'
       '"user":"ada"}\n2023-11-07 10:00:00,000 - app - ERROR - retry with password=hunter3\n')


def screen_text(svg: str) -> str:
    """The SVG's text as a person reads it: tags dropped, entities decoded (a secret split across two
    styled spans is whole again)."""
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def shown(text: str) -> list[str]:
    found = [s for s in SECRETS if s in text]
    count("secrets shown", len(found))
    return found


async def until(pilot, condition, seconds: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not reached: {what}"
        await pilot.pause(0.05)


def pids(table) -> list[int]:
    return [int(table.cell(r, "pid").lstrip("*")) for r in range(table.row_count)]


@pytest.fixture
def secret_process():
    argv = [sys.executable, "-c", "import time; time.sleep(120)", "hostile20probe", "--password=procsecret9",
            "https://bot:pw778@example.invalid/", "sk-live-procprocproc12345678"]
    proc = subprocess.Popen(argv)
    yield proc
    proc.kill()
    proc.wait()


async def test_no_secret_in_any_exported_screen(tmp_path, secret_process, hostile_server):
    (tmp_path / "train.yaml").write_text(CONFIG)
    (tmp_path / "prod.yaml").write_text(PROD)
    (tmp_path / "app.log").write_text(LOG)
    url = hostile_server.url("redirect").replace("http://", "http://bot:pw778@")
    app = make_app([f"logs.files=[{tmp_path / 'app.log'}]", "configs.compare=[train.yaml,prod.yaml]",
                    "metrics.interval=0.3", "metrics.top_processes=500",
                    f"metrics.prometheus=[{{name: p, url: '{url}', timeout: 2, retries: 1}}]"],
                   pane_options={"configs": {"cwd": tmp_path}})
    screens: dict[str, str] = {}
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("1")
        table = app.query_one(ProcessTable)
        await until(pilot, lambda: secret_process.pid in pids(table), what="the process listed")
        table.move_cursor(pids(table).index(secret_process.pid))
        await pilot.pause()
        screens["processes"] = app.export_screenshot()
        await pilot.press("enter")  # the process's whole command line
        await until(pilot, lambda: isinstance(app.screen, ProcessDetailsScreen), what="process details")
        await pilot.pause()
        screens["process details"] = app.export_screenshot()
        await pilot.press("escape", "v")
        await until(pilot, lambda: "metrics.p" in app.query_one("StatusLine").statuses
                    and app.query_one("StatusLine").statuses["metrics.p"].state.value != "loading",
                    what="the remote source answered")
        await pilot.pause(0.3)
        screens["remote"] = app.export_screenshot()
        await pilot.press("3")
        view = app.query_one("LogView")
        await until(pilot, lambda: view.row_count >= 2, what="the log indexed")
        view.focus()
        await pilot.press("home")
        await pilot.pause()
        screens["logs"] = app.export_screenshot()
        await pilot.press("enter")
        await until(pilot, lambda: "api_key" in screen_text(app.export_screenshot()), what="the record's detail")
        screens["log detail"] = app.export_screenshot()
        await pilot.press("escape", "4")
        await until(pilot, lambda: "password" in screen_text(app.export_screenshot()), what="the configs compared")
        screens["configs"] = app.export_screenshot()
        await pilot.press("m")
        await pilot.pause(0.5)
        screens["configs merged"] = app.export_screenshot()
    for name, svg in screens.items():
        (tmp_path / f"{name}.txt").write_text(screen_text(svg))
    leaks = {name: shown(svg) + shown(screen_text(svg)) for name, svg in screens.items()}
    count("inputs and faults tried", len(screens))
    assert not any(leaks.values()), leaks
    unmasked = [name for name, svg in screens.items() if MASK not in screen_text(svg)]
    assert unmasked == [], unmasked


async def test_a_crash_inside_the_app_leaves_no_secret_on_stderr_or_in_the_crash_file(tmp_path, monkeypatch):
    """An unhandled exception in the app: what it leaves on stderr (Textual prints the traceback with the
    locals of each frame) and the crash file must not quote the secret in its message or in a local."""
    from rich.console import Console

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = make_app()
    printed: list = []  # what the app prints on stderr as it exits
    monkeypatch.setattr(app, "_print_error_renderables", lambda: printed.extend(app._exit_renderables))

    def handler_with_a_secret() -> None:
        dsn = "postgres://app:pw777@db:5432/x"
        header = f"Bearer {JWT}"
        raise RuntimeError(f"could not connect to {dsn} with {header} password=hunter2")

    with pytest.raises(RuntimeError):
        async with app.run_test(size=(80, 24)) as pilot:
            app.call_later(handler_with_a_secret)
            await pilot.pause(0.5)
    out = io.StringIO()
    console = Console(file=out, width=200, force_terminal=False, color_system=None)
    for renderable in printed:
        console.print(renderable)
    stderr = out.getvalue()
    crash = (tmp_path / "state" / "mlops-tui" / "crash.log")
    report = crash.read_text() if crash.exists() else ""
    count("inputs and faults tried")
    assert "RuntimeError" in stderr and "could not connect" in stderr, stderr
    assert "handler_with_a_secret" in report and MASK in report and MASK in stderr, (stderr, report)
    assert shown(stderr) == [] and shown(report) == [], (stderr, report)
