"""Build the demo sandbox and the settings overrides that point the app at it.

The sandbox is a git repository written without dvc or gto installed: the DVC metadata, cache and
GTO tags are produced directly (see dvcfiles.py, history.py), in the formats the real tools read, so
`dvc status`, `dvc params diff` and `gto show` work in it. Only `git` is needed.
"""

from __future__ import annotations

import errno
import shutil
from datetime import UTC, datetime
from pathlib import Path

from mlops_tui.demo.alerting import write_settings
from mlops_tui.demo.dvcfiles import Cache
from mlops_tui.demo.gitwrite import GitError, write_repository
from mlops_tui.demo.history import build_history
from mlops_tui.demo.loggen import write_backlog

TRAIN_CONFIG = "configs/train.yaml"
PROD_TRAIN_CONFIG = "configs/prod/train.yaml"
ML_VERSIONS = ("configs/ml/versions/train_v1.yaml", "configs/ml/versions/train_v2.yaml")
ML_SCHEMA = ("configs/ml/schema", "train_schema:TrainConfig")


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


def _clean(target: Path, created: bool) -> None:
    """Remove what a failed build left: the folder if we made it, else its new contents."""
    if not target.is_dir():
        return
    if created:
        shutil.rmtree(target, ignore_errors=True)
        return
    for child in target.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def prepare(target: Path, *, now: datetime | None = None) -> Path:
    """Build the sandbox in `target` (created if missing, refused if not empty); return its root.

    `now` ends the log backlog (default: the current time); the git history has fixed dates.
    """
    target = Path(target).expanduser()
    try:
        _check_target(target)
    except OSError as exc:
        raise SandboxError(_os_reason(exc)) from None
    created = not target.exists()
    try:
        target.mkdir(parents=True, exist_ok=True)
        root = target.resolve()
        history = build_history(Cache(root))
        write_repository(root, history)
        for rel, data in history.workspace.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        write_backlog(root / "logs", end=now or datetime.now(UTC))
        write_settings(root)
        _write_live_sample(root)
    except GitError as exc:
        _clean(target, created)
        raise SandboxError(str(exc)) from None
    except OSError as exc:
        _clean(target, created)
        raise SandboxError(_os_reason(exc)) from None
    return root


def _write_live_sample(root: Path) -> None:
    """The Drift pane's current sample beside the DVC-tracked training data it is compared with."""
    from mlops_tui.demo.content import LIVE_REFERENCE, LIVE_SAMPLE, live_sample

    reference = root / LIVE_REFERENCE
    if reference.is_file():
        (root / LIVE_SAMPLE).parent.mkdir(parents=True, exist_ok=True)
        (root / LIVE_SAMPLE).write_bytes(live_sample(reference.read_bytes()))


def demo_overrides(root: Path, prometheus_url: str | None = None, receiver_url: str | None = None) -> list[str]:
    """Settings dotlist overrides that open the app on the sandbox at `root`.

    With `prometheus_url` (the demo's own Prometheus), the Remote tab gets it as source `demo` and
    the ML serving dashboard of configs/dashboards/ml-serving.yaml. The alert rules of demo/alerting.py
    (the error-rate rule with Prometheus only), notifying `receiver_url` when given.
    """
    root = Path(root)

    def quoted(path: Path) -> str:
        # Dotlist values are read as YAML: single-quote them so spaces, commas and colons survive.
        return "'" + str(path).replace("'", "''").replace("${", "\\${") + "'"

    logs = [quoted(root / "logs" / "*.log"), quoted(root / "logs" / "*.jsonl")]
    overrides = [
        f"models.repo={quoted(root)}",
        f"logs.files=[{','.join(logs)}]",
        f"configs.paths=[{quoted(root / 'configs')}]",
    ]
    if all((root / rel).is_file() for rel in ML_VERSIONS):
        # The example Hydra configs: two versions made to show the diff, and a schema to validate merges.
        compare = [quoted(root / rel) for rel in ML_VERSIONS]
        if (root / ML_SCHEMA[0] / "train_schema.py").is_file():
            overrides += [f"configs.model_path={quoted(root / ML_SCHEMA[0])}", f"configs.model={ML_SCHEMA[1]}"]
    else:
        # The pipeline's own training config: prod's version against the staging candidate.
        compare = [quoted(root / PROD_TRAIN_CONFIG), quoted(root / TRAIN_CONFIG)]
    remote: list[str] = []
    if prometheus_url is not None:
        from mlops_tui.demo.prometheus import remote_overrides

        remote = remote_overrides(prometheus_url)
    from mlops_tui.demo.alerting import HISTORY, alert_settings
    from mlops_tui.demo.content import LIVE_COLUMNS, LIVE_REFERENCE, LIVE_SAMPLE
    from mlops_tui.demo.prometheus import SOURCE_NAME, _dotlist_value

    alerts = alert_settings(str(root / HISTORY), SOURCE_NAME if prometheus_url else None, receiver_url)
    drift: list[str] = []
    if (root / LIVE_SAMPLE).is_file():
        drift = [f"drift.reference={quoted(root / LIVE_REFERENCE)}", f"drift.current={quoted(root / LIVE_SAMPLE)}",
                 f"drift.columns=[{','.join(LIVE_COLUMNS)}]"]
    return [*overrides[:3], f"configs.compare=[{','.join(compare)}]", *overrides[3:], *remote, *drift,
            f"alerts={_dotlist_value(alerts)}"]
