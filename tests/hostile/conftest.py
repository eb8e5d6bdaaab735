"""The hostile-input suite (issue 20): one module per class of fault, each driving the real CLI (exit code,
stderr, peak RSS) and, where it matters, the real app under Pilot. The figures are printed at the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hostile.measure import FIGURES
from hostile.stand_in import StandInHostileServer
from search_engine.fixtures import elasticsearch, elasticsearch9, opensearch, opensearch3  # noqa: F401  (pytest fixtures)

from mlops_tui.sources import limits

ORDER = ("inputs and faults tried", "crashes", "hangs past the deadline", "runs over the memory bound",
         "escapes that took effect", "secrets shown", "writes to repositories or backends")


def pytest_terminal_summary(terminalreporter) -> None:
    if FIGURES:
        terminalreporter.section("hostile inputs: figures (issue 20)")
        for name in ORDER:
            terminalreporter.write_line(f"{name}: {FIGURES.get(name, 0)}")


@pytest.fixture(scope="session")
def hostile_server() -> Iterator[StandInHostileServer]:
    server = StandInHostileServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def repo(tmp_path_factory):
    """A real git + DVC + GTO repository (the models suite's builder: two models, tags, stages, a DVC
    cache), with configs and logs in it. Returns the Builder (root, env)."""
    from models.modelrepos import build_registry_repo

    base = tmp_path_factory.mktemp("hostile-repo")
    built = build_registry_repo(base / "repo", base / "home")
    built.write("configs/train.yaml", "model: {name: resnet50, lr: 0.1}\nepochs: 10\n")
    built.write("configs/prod.yaml", "model: {lr: 0.01}\n")
    built.write("logs/app.log", "2023-11-07 10:00:00,000 - app - ERROR - boom password=hunter2\n")
    built.commit("configs and logs")
    return built


@pytest.fixture(autouse=True)
def _default_limits() -> Iterator[None]:
    """Each test starts with the default limits in force in this process and leaves them so."""
    from mlops_tui.settings.limits import LimitsSettings

    previous = limits.configure(LimitsSettings())
    yield
    limits.configure(previous)
