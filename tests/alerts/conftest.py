"""Each alerts test gets its own XDG state folder, so the history file it reads holds only what it wrote."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_history(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

from search_engine.fixtures import opensearch  # noqa: E402,F401  (pytest fixture: log rules over a cluster)
