"""One demo sandbox per session, shared by tests that only read it."""

from __future__ import annotations

from pathlib import Path

import pytest
from demo.tools import NOW

from mlops_tui.demo.sandbox import prepare


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sandbox shared by read-only tests; tests that change the worktree build their own."""
    return prepare(tmp_path_factory.mktemp("demo") / "sandbox", now=NOW)
