"""Group schemas: a Hydra group file on its own is validated against its group's schema only (never the
top-level model), and a composed entry config checks each group's subtree against its group's schema.
CLI (`config validate --group-schema GROUP=TARGET`, `configs.group_schemas`) and the pane alike."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from support.app_factory import make_app
from support.cli import run_cli
from textual.widgets import Static

from mlops_tui.widgets.configs import ConfigsPane

ROOT = Path(__file__).resolve().parents[2]
ML = ROOT / "configs" / "ml"
TEMPLATE = Path(__file__).resolve().parent / "projects" / "lightning-hydra-template" / "configs"
MODEL = ["--model-path", str(ML / "schema")]
TRAINER_SCHEMA = {"type": "object", "required": ["max_epochs", "accelerator"], "properties": {
    "max_epochs": {"type": "integer", "minimum": 1}, "accelerator": {"enum": ["cpu", "gpu", "mps", "auto"]},
    "devices": {"type": "integer", "minimum": 1}}}


def test_group_file_alone_checked_against_its_group_model_only(tmp_path: Path) -> None:
    done = run_cli(["config", "validate", str(ML / "trainer/default.yaml"), "--model", "train_schema:TrainConfig",
                    "--group-schema", "trainer=train_schema:Trainer", *MODEL])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "valid against train_schema:Trainer (group trainer)"
    shutil.copytree(ML, tmp_path / "ml")
    (tmp_path / "ml/trainer/default.yaml").write_text("max_epochs: 0\nprecision: 16\n")
    bad = run_cli(["config", "validate", "ml/trainer/default.yaml", "--group-schema", "trainer=train_schema:Trainer", *MODEL], cwd=tmp_path)
    assert bad.returncode == 1, bad.stderr
    assert bad.stdout.splitlines() == ["max_epochs: Input should be greater than 0", "precision: Input should be a valid string",
                                       "2 errors against train_schema:Trainer (group trainer)"]


def test_group_file_with_no_schema_for_its_group_is_not_checked_against_the_top_level_model() -> None:
    done = run_cli(["config", "validate", str(ML / "trainer/default.yaml"), "--model", "train_schema:TrainConfig",
                    "--group-schema", "model=train_schema:Model", *MODEL, "--json"])
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["valid"] is None and report["errors"] == []
    assert report["skipped"].startswith("not validated: trainer/default is a group option; train_schema:TrainConfig describes")
    assert report["skipped"].endswith("or give trainer a group schema)")


def test_template_group_options_against_a_json_schema(tmp_path: Path) -> None:
    """Every option of the public template's trainer group, each composed with its own defaults (ddp inherits default)."""
    (tmp_path / "trainer.schema.json").write_text(json.dumps(TRAINER_SCHEMA))
    for option in ("cpu", "gpu", "mps", "ddp", "ddp_sim", "default"):
        done = run_cli(["config", "validate", str(TEMPLATE / f"trainer/{option}.yaml"), "--group-schema", "trainer=trainer.schema.json"], cwd=tmp_path)
        assert done.returncode == 0, (option, done.stdout, done.stderr)
        assert done.stdout.strip() == "valid against trainer.schema.json (group trainer)"
    shutil.copytree(TEMPLATE, tmp_path / "configs")
    (tmp_path / "configs/trainer/ddp.yaml").write_text((TEMPLATE / "trainer/ddp.yaml").read_text().replace("devices: 4", "devices: 0"))
    bad = run_cli(["config", "validate", "configs/trainer/ddp.yaml", "--group-schema", "/trainer=trainer.schema.json"], cwd=tmp_path)
    assert bad.returncode == 1 and bad.stdout.splitlines() == ["devices: 0 is less than the minimum of 1",
                                                             "1 error against trainer.schema.json (group trainer)"]


def test_composed_entry_config_checks_each_groups_subtree(tmp_path: Path) -> None:
    (tmp_path / "trainer.schema.json").write_text(json.dumps(TRAINER_SCHEMA))
    args = ["--group-schema", "trainer=trainer.schema.json"]
    ok = run_cli(["config", "validate", str(TEMPLATE / "train.yaml"), "trainer=ddp", *args], cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.strip() == "valid against trainer.schema.json at trainer", ok.stdout + ok.stderr
    bad = run_cli(["config", "validate", str(TEMPLATE / "train.yaml"), "trainer.max_epochs=0", "trainer.accelerator=tpu", *args], cwd=tmp_path)
    assert bad.returncode == 1, bad.stderr
    assert bad.stdout.splitlines()[:2] == ["trainer.accelerator: 'tpu' is not one of ['cpu', 'gpu', 'mps', 'auto']",
                                           "trainer.max_epochs: 0 is less than the minimum of 1"]
    both = run_cli(["config", "validate", str(ML / "train.yaml"), "~tracking", "optimizer=sgd", "optimizer.weight_decay=-1",
                    "--model", "train_schema:TrainConfig", "--group-schema", "optimizer=train_schema:Optimizer", *MODEL])
    assert both.returncode == 1, both.stderr
    assert both.stdout.splitlines() == ["optimizer.weight_decay: Input should be greater than or equal to 0"] * 2 + [
        "2 errors against train_schema:TrainConfig, train_schema:Optimizer at optimizer"]


def test_bad_group_schema_option_exits_2() -> None:
    for value, words in (("trainer", "expected GROUP=package.module:Class"), ("trainer=nosuch:Cls", "cannot import module 'nosuch'")):
        done = run_cli(["config", "validate", str(ML / "trainer/default.yaml"), "--group-schema", value])
        assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_a_folders_own_group_schema_model_is_not_imported(tmp_path: Path) -> None:
    folder = tmp_path / "clone"
    (folder / "configs/trainer").mkdir(parents=True)
    (folder / "configs/train.yaml").write_text("defaults:\n  - trainer: a\n")
    (folder / "configs/trainer/a.yaml").write_text("lr: 0.1\n")
    (folder / "evilmod.py").write_text("from pathlib import Path\nPath(__file__).with_name('RAN').write_text('x')\n"
                                       "from pydantic import BaseModel\nclass Cfg(BaseModel):\n    lr: float\n")
    (folder / "mlops-tui.yaml").write_text("configs: {group_schemas: {trainer: 'evilmod:Cfg'}, model_path: .}\n")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    done = run_cli(["config", "validate", "configs/trainer/a.yaml"], cwd=folder, env=env)
    assert done.returncode == 2 and "validation model evilmod:Cfg (group trainer) not imported" in done.stderr, done.stderr
    assert not (folder / "RAN").exists()
    asked = run_cli(["config", "validate", "configs/trainer/a.yaml", "--group-schema", "trainer=evilmod:Cfg", "--model-path", "."], cwd=folder, env=env)
    assert asked.returncode == 0 and asked.stdout.strip() == "valid against evilmod:Cfg (group trainer)", asked.stderr
    assert (folder / "RAN").exists()


async def test_pane_validates_a_group_file_against_its_group_schema(tmp_path: Path, wait_pane) -> None:
    shutil.copytree(ML, tmp_path / "ml")
    (tmp_path / "ml/trainer/fast.yaml").write_text("defaults:\n  - default\n  - _self_\nmax_epochs: 0\n")
    app = make_app(dotlist=["configs.paths=[ml]", f"configs.model_path={ML / 'schema'}", "configs.model=train_schema:TrainConfig",
                            "configs.group_schemas={trainer: 'train_schema:Trainer'}"], pane_options={"configs": {"cwd": tmp_path}})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        pane = app.query_one(ConfigsPane)
        pane.open_merge(["ml/trainer/default.yaml"])
        await wait_pane(pilot)
        title = str(app.query_one("#configs-title", Static).render())
        assert "· valid (train_schema:Trainer (group trainer))" in title, title
        pane.open_merge(["ml/trainer/fast.yaml"])
        await wait_pane(pilot)
        title = str(app.query_one("#configs-title", Static).render())
        assert "· 1 validation error (train_schema:Trainer (group trainer))" in title, title
        assert pane.model.problems()[0][1] == "✗ max_epochs: Input should be greater than 0"
