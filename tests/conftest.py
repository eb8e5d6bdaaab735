"""Suite-wide settings: no user config, no analytics, a fixed home for XDG paths."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.getbasetemp() / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local/state"))
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
    for name in list(os.environ):
        if name.startswith("MLOPS_TUI_") and not name.startswith("MLOPS_TUI_TEST_"):
            monkeypatch.delenv(name)
