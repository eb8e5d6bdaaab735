"""The collector paused while the command starts: resumed by a subcommand before its work, by the app once its
panes are built, and never turned on for a caller that had turned it off."""

from __future__ import annotations

import gc

import pytest
from support.app_factory import make_app

from mlops_tui import __main__ as entry
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
