"""`config diff` of composed against composed: group options, entry configs, override sets, two git
revisions of a whole Hydra project, and a real Hydra run's recorded config against composing it now."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from support.cli import run_cli

TEMPLATE = Path(__file__).resolve().parent / "projects" / "lightning-hydra-template" / "configs"


def changes_of(done) -> dict[str, dict]:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    return {(f"{c['file']}:" if "file" in c else "") + c["path"]: c for c in json.loads(done.stdout)["changes"]}


def test_two_group_options_inheriting_through_defaults() -> None:
    """trainer/cpu and trainer/ddp both start with `defaults: [default]`: inherited keys are no change."""
    changes = changes_of(run_cli(["config", "diff", str(TEMPLATE / "trainer/cpu.yaml"), str(TEMPLATE / "trainer/ddp.yaml"), "--json"]))
    assert changes == {
        "accelerator": {"kind": "changed", "path": "accelerator", "old": "cpu", "new": "gpu"},
        "devices": {"kind": "changed", "path": "devices", "old": 1, "new": 4},
        "strategy": {"kind": "added", "path": "strategy", "new": "ddp"},
        "num_nodes": {"kind": "added", "path": "num_nodes", "new": 1},
        "sync_batchnorm": {"kind": "added", "path": "sync_batchnorm", "new": True},
    }


def test_two_entry_configs_and_two_override_sets() -> None:
    entries = changes_of(run_cli(["config", "diff", str(TEMPLATE / "train.yaml"), str(TEMPLATE / "eval.yaml"), "--json"]))
    assert entries["task_name"]["new"] == "eval" and entries["callbacks"]["kind"] == "removed"
    assert entries["ckpt_path"] == {"kind": "type_changed", "path": "ckpt_path", "old": None, "new": "???"}
    assert "trainer.max_epochs" not in entries and "model.net.lin1_size" not in entries  # both compose the same groups
    overrides = changes_of(run_cli(["config", "diff", f"{TEMPLATE}/train.yaml+trainer=cpu", f"{TEMPLATE}/train.yaml+trainer=ddp+seed=7", "--json"]))
    assert set(overrides) == {"trainer.accelerator", "trainer.devices", "trainer.strategy", "trainer.num_nodes", "trainer.sync_batchnorm", "seed"}


def test_a_whole_project_at_two_git_revisions(tmp_path: Path, run_git) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "main")
    shutil.copytree(TEMPLATE, repo / "configs")
    run_git(repo, "add", ".")
    run_git(repo, "commit", "-q", "-m", "template")
    default = repo / "configs" / "trainer" / "default.yaml"
    default.write_text(default.read_text().replace("max_epochs: 10", "max_epochs: 30"))
    run_git(repo, "commit", "-qam", "longer")
    done = run_cli(["config", "diff", "HEAD~1:configs", "HEAD:configs", "--json"], cwd=repo)
    changes = changes_of(done)
    # the edit shows in the group option itself, in every option inheriting it, and in each entry config composing it
    assert {"trainer/default.yaml:max_epochs", "trainer/ddp.yaml:max_epochs", "trainer/cpu.yaml:max_epochs",
            "train.yaml:trainer.max_epochs", "eval.yaml:trainer.max_epochs"} <= set(changes)
    assert "experiment/example.yaml:trainer.max_epochs" not in changes  # the experiment sets its own 10
    assert changes["train.yaml:trainer.max_epochs"]["old"] == 10 and changes["train.yaml:trainer.max_epochs"]["new"] == 30
    working = changes_of(run_cli(["config", "diff", "HEAD~1:configs", "configs", "--json"], cwd=repo))
    assert set(working) == set(changes)
    # the option that needs a plugin is compared as written, and the diff says so
    assert "HEAD:configs/hparams_search/mnist_optuna.yaml: compared as written: Hydra cannot compose it: " in done.stderr


def test_a_recorded_hydra_run_against_composing_now(tmp_path: Path) -> None:
    """A real @hydra.main run writes .hydra/config.yaml and overrides.yaml; what changed since?"""
    shutil.copytree(TEMPLATE, tmp_path / "configs")
    (tmp_path / "app.py").write_text('import hydra\n\n\n@hydra.main(config_path="configs", config_name="train", version_base="1.3")\n'
                                     "def main(cfg):\n    pass\n\n\nmain()\n")
    subprocess.run([sys.executable, "app.py", "trainer=ddp", "model.optimizer.lr=0.01", "hydra.run.dir=out/run1"], cwd=tmp_path,
                   check=True, capture_output=True, timeout=120)
    assert (tmp_path / "out/run1/.hydra/overrides.yaml").is_file()
    same = run_cli(["config", "diff", "out/run1", "--exit-code"], cwd=tmp_path)
    assert same.returncode == 0, same.stderr + same.stdout
    assert same.stdout.splitlines()[:2] == ["--- out/run1 (recorded run)", f"+++ {tmp_path}/configs/train.yaml now with trainer=ddp model.optimizer.lr=0.01"]
    default = tmp_path / "configs" / "trainer" / "default.yaml"
    default.write_text(default.read_text().replace("max_epochs: 10", "max_epochs: 20"))
    changed = run_cli(["config", "diff", "out/run1", "--exit-code"], cwd=tmp_path)
    assert changed.returncode == 1, changed.stderr
    assert changed.stdout.splitlines()[2:] == ["~ trainer.max_epochs: 10 -> 20", "1 change: 1 changed"]
    moved = changes_of(run_cli(["config", "diff", "out/run1/.hydra", "configs/train.yaml", "--json"], cwd=tmp_path))
    assert list(moved) == ["trainer.max_epochs"]
    alone = run_cli(["config", "diff", "configs/train.yaml"], cwd=tmp_path)
    assert alone.returncode == 2 and "a Hydra run's output folder" in alone.stderr


def test_group_option_is_not_validated_against_the_top_level_model() -> None:
    ml = Path(__file__).resolve().parents[2] / "configs" / "ml"
    args = ["--model", "train_schema:TrainConfig", "--model-path", str(ml / "schema")]
    alone = run_cli(["config", "validate", str(ml / "trainer/default.yaml"), *args])
    assert alone.returncode == 0, alone.stderr
    assert alone.stdout.strip() == ("not validated: trainer/default is a group option; train_schema:TrainConfig describes the composed "
                                    "entry config (validate that, e.g. train.yaml trainer=default, or give trainer a group schema)")
    composed = run_cli(["config", "validate", str(ml / "train.yaml"), "trainer.max_epochs=0", *args])
    assert composed.returncode == 1 and "trainer.max_epochs: Input should be greater than 0" in composed.stdout
