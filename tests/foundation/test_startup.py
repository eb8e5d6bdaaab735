"""The collector paused while the command starts: resumed by a subcommand before its work, by the app once its
panes are built, and never turned on for a caller that had turned it off."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
from pathlib import Path

import pytest
from support.app_factory import make_app
from support.cli import run_cli

from mlops_tui import __main__ as entry
from mlops_tui.app import MlopsApp
from mlops_tui.cli.common import CliState
from mlops_tui.cli.run import first_theme
from mlops_tui.settings import SettingsError, load_settings
from mlops_tui.startup import pause_collector, resume_collector


@pytest.fixture(autouse=True)
def collector_on_afterwards():
    yield
    resume_collector()
    gc.enable()


def test_pause_and_resume_leave_a_caller_s_own_setting_alone():
    pause_collector()
    assert not gc.isenabled()
    resume_collector()
    assert gc.isenabled()
    gc.disable()  # turned off by someone else: neither call turns it on
    pause_collector()
    resume_collector()
    assert not gc.isenabled()


def test_a_subcommand_runs_with_the_collector_on(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)  # no ./mlops-tui.yaml and no user config: the built-in defaults
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.setattr("sys.argv", ["mlops-tui", "config", "check"])
    with pytest.raises(SystemExit) as exited:
        entry.main()  # pauses, imports, runs `config check`
    assert exited.value.code in (0, None)
    assert "metrics:" in capsys.readouterr().out
    assert gc.isenabled()


async def test_the_app_resumes_it_once_its_panes_are_built():
    pause_collector()
    app = make_app()
    async with app.run_test(size=(80, 24)):  # returns once every pane is built
        assert app.panes_ready.is_set()
        assert gc.isenabled()


# The app opened from the command line paints its frame, then reads its settings (mlops_tui/app.py)


def _loader(dotlist=(), seen=None, app_ref=None):
    def load():
        if seen is not None:
            app = app_ref[0]
            tabs, reading = app.query_one("#pane-tabs"), app.query_one("#reading-settings")
            # Laid out means painted: the frame is out before the settings are read
            seen.append((tabs.region.height, str(reading.render()), str(tabs.render())))
        return load_settings(None, ["ui.clock=false", *dotlist], environ={}, cwd=Path("/nonexistent-mlops-tui-cwd"))

    return load


async def test_settings_are_read_after_the_first_frame_then_the_panes_are_built():
    seen, app_ref = [], []
    app = MlopsApp(load_settings=_loader(["ui.theme=mlops-light"], seen, app_ref), first_theme="mlops-mono")
    app_ref.append(app)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "mlops-mono"  # --theme's, until the settings say otherwise
        await asyncio.wait_for(app.panes_ready.wait(), 30)
        await pilot.pause()
        assert seen == [(1, "Reading settings…", " 1 Metrics   2 Models   3 Logs   4 Configs   5 Alerts   6 Drift")]
        assert app.theme == "mlops-light" and app.settings.ui.theme == "mlops-light"
        assert not app.query("#reading-settings")
        assert app.focused is not None and app.query_one("#metrics-pane") in app.focused.ancestors_with_self
        await pilot.press("3")
        assert app.active_pane_id == "logs"


async def test_invalid_settings_end_the_app_with_the_error_kept_for_the_command_line():
    app = MlopsApp(load_settings=_loader(["metrics.intreval=2"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert app.return_code == 2
    assert isinstance(app.startup_error, SettingsError)
    assert "metrics.intreval: unknown key (did you mean metrics.interval?)" in str(app.startup_error)


async def test_an_unknown_theme_in_the_settings_is_a_settings_error():
    app = MlopsApp(load_settings=_loader(["ui.theme=solarized"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert app.return_code == 2
    assert "ui.theme: unknown theme 'solarized' (known: mlops-dark, mlops-light, mlops-mono)" == str(app.startup_error)


async def test_a_pane_key_handled_before_the_settings_are_read_reads_them_and_shows_the_pane():
    calls = []

    def load():
        calls.append(1)
        return _loader()()

    app = MlopsApp(load_settings=load)
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_show_pane("configs")  # as a key typed ahead would, before the read after the first frame
        assert app.settings is not None and calls == [1]
        await asyncio.wait_for(app.panes_ready.wait(), 30)
        await pilot.pause()
        assert calls == [1]  # read once
        assert app.active_pane_id == "configs"
        assert app.query_one("#panes").current == "configs"
        assert app.focused is not None and app.query_one("#configs-pane") in app.focused.ancestors_with_self


async def test_a_bug_while_reading_settings_ends_the_app_and_is_kept_for_the_command_line():
    def load():
        raise RuntimeError("bug in a loader")

    app = MlopsApp(load_settings=load)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert not app.is_running and isinstance(app.startup_error, RuntimeError)  # cli.main reports it (exit 70)


def test_the_app_s_settings_error_reaches_the_terminal_after_it_closes(tmp_path):
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "x"), "XDG_STATE_HOME": str(tmp_path / "s")}
    (tmp_path / "mlops-tui.yaml").write_text("ui:\n  theme: mlops-light\n")
    result = run_cli(["--config", "mlops-tui.yaml", "ui.theme=nope"], cwd=tmp_path, env=env)
    assert result.returncode == 2  # the relative --config was found: the file's error is the dotlist's theme
    assert "ui.theme: unknown theme 'nope'" in result.stderr and "Traceback" not in result.stderr


def test_what_runs_before_the_first_frame_imports_no_settings_stack():
    """The app's path up to its first frame (entry, command line, app, themes) leaves pydantic, OmegaConf and
    PyYAML for after it; an import that pulls them in moves about 90 ms back in front of the first frame."""
    code = (
        "import sys\n"
        "import mlops_tui.__main__, mlops_tui.cli, mlops_tui.cli.run, mlops_tui.app\n"
        "from mlops_tui.themes import load_themes\n"
        "load_themes()\n"
        "print(sorted(m for m in ('pydantic', 'omegaconf', 'yaml', 'mlops_tui.settings') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("theme", "dotlist", "environ", "expected"),
    [
        ("mlops-mono", ["ui.theme=mlops-light"], {"MLOPS_TUI_UI__THEME": "mlops-light"}, "mlops-mono"),
        (None, ["ui.theme=mlops-dark", "ui.theme=mlops-light"], {"MLOPS_TUI_UI__THEME": "mlops-mono"}, "mlops-light"),
        (None, ["metrics.interval=2"], {"MLOPS_TUI_UI__THEME": "mlops-mono"}, "mlops-mono"),
        (None, [], {}, None),
    ],
)
def test_the_first_frame_s_theme_follows_the_layers_read_without_parsing(theme, dotlist, environ, expected):
    assert first_theme(CliState(None, dotlist, theme), environ) == expected
