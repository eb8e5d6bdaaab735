"""How the engine fixtures fail: a JVM that dies while starting is reported with its own output.

A fixture check: this checks the test servers (the search engines the fixtures start), not the
product; it never imports mlops_tui. Select or skip these with `-m fixture_check`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from search_engine.engine import OPENSEARCH, EngineError, build, start_engine

pytestmark = pytest.mark.fixture_check


def test_a_jvm_that_dies_while_starting_is_reported_with_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    java = tmp_path / "java"
    java.write_text("#!/bin/sh\necho 'Error: could not reserve enough space for object heap' >&2\nexit 3\n")
    java.chmod(0o755)
    monkeypatch.setenv("MLOPS_TUI_TEST_JAVA", str(java))

    with pytest.raises(EngineError) as raised:
        start_engine(OPENSEARCH, tmp_path / "home", timeout=30)

    message = str(raised.value)
    assert message.startswith("opensearch exited with 3 while starting:")
    assert "could not reserve enough space for object heap" in message


def test_no_java_at_all_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    build(OPENSEARCH)  # with Maven on PATH; afterwards the build is current and Maven is not run
    monkeypatch.delenv("MLOPS_TUI_TEST_JAVA", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineError, match=r"^no `java` on PATH \(the engines need Java 17 or newer\)$"):
        start_engine(OPENSEARCH, tmp_path / "home", timeout=30)
