"""Real DVC/GTO repositories made once per session with the real `git`, `dvc` and `gto` CLIs."""

from __future__ import annotations

import shutil

import pytest

from models.modelrepos import VENV_BIN, Builder, build_registry_repo


@pytest.fixture(scope="session")
def registry_repo(tmp_path_factory) -> Builder:
    if shutil.which("dvc", path=str(VENV_BIN)) is None or shutil.which("gto", path=str(VENV_BIN)) is None:
        pytest.fail("dvc and gto must be installed in the test environment (pip install -e .[test])")
    base = tmp_path_factory.mktemp("models")
    return build_registry_repo(base / "repo", base / "home")


@pytest.fixture(scope="session")
def plain_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models-home")


@pytest.fixture(scope="session")
def edge_repo(tmp_path_factory) -> Builder:
    from models.modelrepos import build_edge_repo

    base = tmp_path_factory.mktemp("models-edge")
    return build_edge_repo(base / "repo", base / "home")
