"""Build the demo sandbox and the settings overrides that point the app at it.

The sandbox is a git repository written without dvc or gto installed: the DVC metadata, cache and
GTO tags are produced directly (see dvcfiles.py, history.py), in the formats the real tools read, so
`dvc status`, `dvc params diff` and `gto show` work in it. Only `git` is needed.
"""

from __future__ import annotations

import errno
from datetime import UTC, datetime
from pathlib import Path

from mlops_tui.demo.dvcfiles import Cache
from mlops_tui.demo.gitwrite import GitError, write_repository
from mlops_tui.demo.history import build_history
from mlops_tui.demo.loggen import write_backlog

TRAIN_CONFIG = "configs/train.yaml"
PROD_TRAIN_CONFIG = "configs/prod/train.yaml"


class SandboxError(Exception):
    """The sandbox could not be built; str() is one line saying why."""


def _os_reason(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return f"{where}no space left on device"
    return f"{where}{exc.strerror or exc}"


def _check_target(target: Path) -> None:
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise SandboxError(f"{target} exists and is not a folder")
        if any(target.iterdir()):
            raise SandboxError(f"{target} is not empty; give a new or empty folder")


def prepare(target: Path, *, now: datetime | None = None) -> Path:
    """Build the sandbox in `target` (created if missing, refused if not empty); return its root.

    `now` ends the log backlog (default: the current time); the git history has fixed dates.
    """
    target = Path(target).expanduser()
    try:
        _check_target(target)
        target.mkdir(parents=True, exist_ok=True)
        root = target.resolve()
        history = build_history(Cache(root))
        write_repository(root, history)
        for rel, data in history.workspace.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        write_backlog(root / "logs", end=now or datetime.now(UTC))
    except GitError as exc:
        raise SandboxError(str(exc)) from None
    except OSError as exc:
        raise SandboxError(_os_reason(exc)) from None
    return root


def demo_overrides(root: Path) -> list[str]:
    """Settings dotlist overrides that open the app on the sandbox at `root`."""
    root = Path(root)

    def quoted(path: Path) -> str:
        # Dotlist values are read as YAML: single-quote them so spaces, commas and colons survive.
        return "'" + str(path).replace("'", "''").replace("${", "\\${") + "'"

    logs = [quoted(root / "logs" / "*.log"), quoted(root / "logs" / "*.jsonl")]
    compare = [quoted(root / PROD_TRAIN_CONFIG), quoted(root / TRAIN_CONFIG)]
    return [
        f"models.repo={quoted(root)}",
        f"logs.files=[{','.join(logs)}]",
        f"configs.paths=[{quoted(root / 'configs')}]",
        f"configs.compare=[{','.join(compare)}]",
    ]
