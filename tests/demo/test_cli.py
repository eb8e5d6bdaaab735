"""`mlops-tui demo --prepare DIR` and the overrides that point the app at the sandbox."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from demo.tools import NOW, run

from mlops_tui.demo.sandbox import SandboxError, demo_overrides, prepare
from mlops_tui.settings import load_settings


def mlops_tui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlops_tui", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_prepare_prints_the_path_and_exits_0(tmp_path: Path) -> None:
    target = tmp_path / "new" / "sandbox"
    result = mlops_tui("demo", "--prepare", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{target.resolve()}\n"
    assert run(target, "git", "rev-parse", "--abbrev-ref", "HEAD").stdout.strip() == "main"
    assert (target / "dvc.lock").is_file() and (target / "models" / "churn.pkl").is_file()


def test_prepare_into_an_empty_existing_folder(tmp_path: Path) -> None:
    result = mlops_tui("demo", "--prepare", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".git").is_dir()


def test_non_empty_folder_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    result = mlops_tui("demo", "--prepare", str(tmp_path))
    assert result.returncode == 3
    assert result.stderr.strip() == f"mlops-tui: cannot build the demo sandbox: {tmp_path} is not empty; give a new or empty folder"
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # nothing written


def test_missing_git_is_reported_not_raised(tmp_path: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {**os.environ, "PATH": str(empty_bin)}
    result = mlops_tui("demo", "--prepare", str(tmp_path / "sb"), env=env)
    assert result.returncode == 3
    assert "cannot build the demo sandbox: git is not installed or not on PATH" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "sb").exists()  # a failed build leaves nothing behind


def test_a_failed_build_empties_an_existing_folder_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    target = tmp_path / "empty"
    target.mkdir()
    with pytest.raises(SandboxError, match="^git is not installed or not on PATH"):
        prepare(target)
    assert target.is_dir() and list(target.iterdir()) == []


def test_prepare_refuses_a_file_and_an_unwritable_place(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(SandboxError, match="exists and is not a folder"):
        prepare(a_file)
    with pytest.raises(SandboxError, match="Not a directory") as caught:
        prepare(a_file / "sub")
    assert "\n" not in str(caught.value)


def test_overrides_point_every_source_at_the_sandbox(tmp_path: Path) -> None:
    root = prepare(tmp_path / "it's a ${demo}, with spaces", now=NOW)
    overrides = demo_overrides(root)
    settings, _ = load_settings(None, overrides, environ={}, cwd=tmp_path)
    assert settings.models.repo == str(root)
    assert settings.logs.files == [f"{root}/logs/*.log", f"{root}/logs/*.jsonl"]
    assert settings.configs.paths == [f"{root}/configs"]
    assert settings.configs.compare == [f"{root}/configs/ml/versions/train_v1.yaml",
                                        f"{root}/configs/ml/versions/train_v2.yaml"]
    assert settings.configs.model == "train_schema:TrainConfig"
    assert settings.configs.model_path == f"{root}/configs/ml/schema"
    for pattern in settings.logs.files:
        assert list(Path(pattern).parent.glob(Path(pattern).name)), pattern
    old, new = (Path(p).read_text() for p in settings.configs.compare)
    assert "resnet50" in old and "vit_b16" in new


def test_overrides_compare_the_pipeline_config_when_the_ml_examples_are_absent(tmp_path: Path) -> None:
    root = prepare(tmp_path / "sb", now=NOW)
    shutil.rmtree(root / "configs" / "ml")
    settings, _ = load_settings(None, demo_overrides(root), environ={}, cwd=tmp_path)
    assert settings.configs.compare == [f"{root}/configs/prod/train.yaml", f"{root}/configs/train.yaml"]
    assert settings.configs.model is None
    old, new = (Path(p).read_text() for p in settings.configs.compare)
    assert "learning_rate: 0.05" in old and "learning_rate: 0.02" in new


def test_the_demo_configs_validate_and_diff_through_the_cli(sandbox: Path) -> None:
    overrides = demo_overrides(sandbox)
    valid = mlops_tui(*overrides, "config", "validate", f"{sandbox}/configs/ml/versions/train_v2.yaml")
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout.strip() == "valid against train_schema:TrainConfig"
    diff = mlops_tui(*overrides, "config", "diff", f"{sandbox}/configs/prod/train.yaml", f"{sandbox}/configs/train.yaml")
    assert "model.learning_rate: 0.05 -> 0.02" in diff.stdout


def test_config_check_accepts_the_overrides(tmp_path: Path) -> None:
    root = prepare(tmp_path / "sb", now=NOW)
    result = mlops_tui(*demo_overrides(root), "config", "check")
    assert result.returncode == 0, result.stderr
    assert f"repo: {root}" in result.stdout


CLOSED_READER_COMMANDS = [
    ("--help",), ("--version",), ("alerts", "check"), ("alerts", "history"), ("config", "check"), ("config", "schema"),
    ("config", "merge", "configs/train.yaml", "--resolve"), ("drift", "data/raw/customers-2026-11.csv",
    "outputs/serving/customers-live.csv"), ("logs", "patterns"), ("metrics", "--once"), ("metrics", "--watch",
    "--interval", "0.2"), ("models", "list", "--json"), ("models", "history", "churn"), ("models", "diff", "HEAD~1", "HEAD"),
]


@pytest.mark.parametrize("command", CLOSED_READER_COMMANDS, ids=" ".join)
def test_every_command_ends_quietly_with_141_when_its_reader_has_gone(sandbox: Path, command) -> None:
    """`mlops-tui ... | head` where head has already left: a real pipe closed before the first line. Each
    command ends as grep does under a shell: exit 141, nothing on stderr (no traceback, no "Exception
    ignored" from the interpreter's last flush). The root's --help/--version used to end with click's 1."""
    env = {**os.environ, "NO_COLOR": "1", "XDG_STATE_HOME": str(sandbox / ".state")}
    process = subprocess.Popen([sys.executable, "-m", "mlops_tui", *command], cwd=sandbox, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    _, stderr = process.communicate(timeout=120)
    assert (process.returncode, stderr.decode()) == (141, "")
