"""Fixtures of the logs tests: real files on disk, opened through the same sources the pane uses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlops_tui.sources.logs import FileSource


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    return write


@pytest.fixture
def opened() -> Callable[..., FileSource]:
    sources: list[FileSource] = []

    def opened(path: Path, **kwargs) -> FileSource:
        source = FileSource(path, **kwargs)
        while source.refresh() and not source.complete:
            pass
        source.refresh()
        sources.append(source)
        return source

    yield opened
    for source in sources:
        source.close()
