"""Structured configs registered in Hydra's ConfigStore (configs.hydra_modules): composed as Hydra composes them.

Hydra's documented schema pattern: a Python module stores dataclasses with `ConfigStore.instance().store(...)`,
and the YAML files name them in their defaults lists (`- base_train`, `- base_trainer` in the trainer group), so
Hydra checks the types of every value merged into them. The module is the project's code: it is imported only
when the user names it (a settings file they chose, the environment) or trusts the folder, as configs.model.
Hydra's compose() (with the module imported in this process) is the oracle.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from mlops_tui.sources.configs import ConfigError, merge_stack
from mlops_tui.sources.configs.compose import compose_file, hydra_project
from mlops_tui.sources.configs.merge import leaves
from support.cli import run_cli

SCHEMA = """
from dataclasses import dataclass, field
from pathlib import Path

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

Path(__file__).with_name("IMPORTED").write_text("{name} ran")


@dataclass
class TrainerConf:
    max_epochs: int = 10
    accelerator: str = "cpu"
    devices: int = 1


@dataclass
class TrainConf:
    lr: float = 0.1
    batch_size: int = 32
    seed: int = MISSING
    trainer: TrainerConf = field(default_factory=TrainerConf)


cs = ConfigStore.instance()
cs.store(name="{name}_train", node=TrainConf)
cs.store(group="trainer", name="{name}_trainer", node=TrainerConf)
"""


def project(root: Path, name: str, max_epochs: str = "20") -> Path:
    """A project whose entry config and trainer option extend the module's schemas."""
    (root / "conf" / "trainer").mkdir(parents=True)
    (root / f"{name}.py").write_text(SCHEMA.replace("{name}", name))
    (root / "conf" / "train.yaml").write_text(
        f"defaults:\n  - {name}_train\n  - trainer: default\n  - _self_\n\nlr: 0.01\nseed: 7\n")
    (root / "conf" / "trainer" / "default.yaml").write_text(
        f"defaults:\n  - {name}_trainer\n\nmax_epochs: {max_epochs}\n")
    (root / "conf" / "trainer" / "gpu.yaml").write_text(
        f"defaults:\n  - {name}_trainer\n\naccelerator: gpu\ndevices: 2\n")
    return root


def hydra(root: Path, name: str, overrides: list[str]) -> dict:
    sys.path.insert(0, str(root))
    try:
        importlib.import_module(name)
    finally:
        sys.path.remove(str(root))
    with initialize_config_dir(version_base="1.3", config_dir=str(root / "conf")):
        return OmegaConf.to_container(compose("train", overrides), resolve=False)


@pytest.mark.parametrize("overrides", [[], ["trainer=gpu"], ["trainer=gpu", "trainer.max_epochs=3", "lr=0.5"]],
                         ids=lambda o: " ".join(o) or "defaults")
def test_composes_as_hydra_does_with_the_stored_schemas(tmp_path: Path, overrides: list[str]) -> None:
    name = f"store_{len(overrides)}"
    root = project(tmp_path, name)
    with hydra_project(str(root / "conf"), "train", modules=[name], module_path=str(root)):
        mine = merge_stack([str(root / "conf" / "train.yaml")], overrides).tree(resolved=False, reveal=True)
        composition = compose_file(str(root / "conf" / "train.yaml"), overrides)
    theirs = hydra(root, name, overrides)
    assert dict(leaves(mine)) == dict(leaves(theirs))
    assert mine["trainer"]["accelerator"] == ("gpu" if "trainer=gpu" in overrides else "cpu")
    sources = [row.source for row in composition.defaults]
    assert f"structured config {name}_train" in sources and f"structured config trainer/{name}_trainer" in sources


def test_a_key_only_the_schema_sets_is_traced_to_it(tmp_path: Path) -> None:
    root = project(tmp_path, "store_trace")
    with hydra_project(str(root / "conf"), "train", modules=["store_trace"], module_path=str(root)):
        stack = merge_stack([str(root / "conf" / "train.yaml")], [])
    source = {entry.path: entry.source for entry in stack.entries}
    assert source[("batch_size",)] == "structured config store_trace_train"
    assert source[("trainer", "devices")] == "structured config trainer/store_trace_trainer"
    assert source[("trainer", "max_epochs")].endswith("trainer/default.yaml")
    assert source[("lr",)].endswith("train.yaml")


def test_a_value_of_the_wrong_type_is_hydras_error(tmp_path: Path) -> None:
    root = project(tmp_path, "store_typed", max_epochs="many")
    with pytest.raises(Exception) as theirs:  # noqa: PT011 - whatever Hydra raises, its message is the reference
        hydra(root, "store_typed", [])
    with hydra_project(str(root / "conf"), "train", modules=["store_typed"], module_path=str(root)), \
            pytest.raises(ConfigError) as mine:
        merge_stack([str(root / "conf" / "train.yaml")], [])
    assert "Value 'many' of type 'str' could not be converted to Integer" in str(theirs.value)
    assert "Value 'many' of type 'str' could not be converted to Integer" in str(mine.value)
    assert "max_epochs" in str(mine.value)


def test_a_module_that_does_not_import_is_named(tmp_path: Path) -> None:
    root = project(tmp_path, "store_broken")
    with hydra_project(str(root / "conf"), "train", modules=["no_such_schema_module"], module_path=str(root)), \
            pytest.raises(ConfigError, match="cannot import Hydra module 'no_such_schema_module'"):
        merge_stack([str(root / "conf" / "train.yaml")], [])


@pytest.fixture
def cloned(tmp_path: Path) -> Path:
    """A cloned folder whose own mlops-tui.yaml names its schema module."""
    root = project(tmp_path / "clone", "store_cloned")
    (root / "mlops-tui.yaml").write_text(
        "configs: {hydra_config_path: conf, hydra_config_name: train, hydra_modules: [store_cloned], model_path: .}\n")
    (tmp_path / "xdg").mkdir()
    return root


def test_a_folders_own_settings_do_not_import_its_module(cloned: Path) -> None:
    done = run_cli(["config", "merge", "conf/train.yaml"], cwd=cloned, env={"XDG_CONFIG_HOME": str(cloned.parent / "xdg")})
    assert done.returncode == 2, done.stderr
    assert "Could not load 'trainer/store_cloned_trainer'" in done.stderr
    assert "Hydra modules store_cloned not imported" in done.stderr and "trusted-folders" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (cloned / "IMPORTED").exists()


def test_a_trusted_folder_composes_with_its_module(cloned: Path) -> None:
    trusted = cloned.parent / "xdg" / "mlops-tui" / "trusted-folders"
    trusted.parent.mkdir(parents=True)
    trusted.write_text(f"{cloned}\n")
    done = run_cli(["config", "merge", "conf/train.yaml", "trainer=gpu", "--json"], cwd=cloned,
                   env={"XDG_CONFIG_HOME": str(cloned.parent / "xdg")})
    assert done.returncode == 0, done.stderr
    assert (cloned / "IMPORTED").exists()
    assert not (cloned / "__pycache__").exists()  # read-only: importing the module wrote no bytecode into the folder
    printed = json.loads(done.stdout)
    assert printed["config"]["trainer"] == {"max_epochs": 10, "accelerator": "gpu", "devices": 2}
    assert printed["config"]["batch_size"] == 32
    assert printed["sources"][:2] == ["structured config store_cloned_train", "structured config trainer/store_cloned_trainer"]


def test_settings_the_user_names_are_an_explicit_request(cloned: Path) -> None:
    done = run_cli(["config", "merge", "conf/train.yaml", "--provenance"], cwd=cloned,
                   env={"XDG_CONFIG_HOME": str(cloned.parent / "xdg"), "MLOPS_TUI_CONFIGS__HYDRA_MODULES": "[store_cloned]"})
    assert done.returncode == 0, done.stderr
    assert (cloned / "IMPORTED").exists()
    assert "structured config store_cloned_train" in done.stdout


async def test_the_pane_shows_what_the_schema_set(tmp_path: Path, wait_pane) -> None:
    from support.app_factory import make_app

    from mlops_tui.widgets.configs import ConfigsPane
    from mlops_tui.widgets.configs.lines import LinesView

    root = project(tmp_path, "store_pane")
    app = make_app(dotlist=["configs.paths=[conf]", "configs.hydra_modules=[store_pane]", f"configs.model_path={root}",
                            "configs.overrides=[trainer=gpu]"], pane_options={"configs": {"cwd": root}})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        app.query_one(ConfigsPane).open_merge(["conf/train.yaml"])
        await wait_pane(pilot)
        rows = {row.path: row.text for row in app.query_one("#configs-merged", LinesView).rows if row.path}
    assert rows[("batch_size",)] == "batch_size = 32  # structured config store_pane_train"
    assert rows[("trainer", "devices")] == "trainer.devices = 2  # conf/trainer/gpu.yaml (trainer=gpu)"
    assert rows[("trainer", "max_epochs")] == "trainer.max_epochs = 10  # structured config trainer/store_pane_trainer"


# -- Hydra's own schema tutorial (tests/configs/projects/hydra-structured-schema, MIT) -------------------------

TUTORIAL = Path(__file__).resolve().parent / "projects" / "hydra-structured-schema"


@pytest.mark.parametrize("overrides", [[], ["db=postgresql"], ["db=postgresql", "db.timeout=20", "debug=false"]],
                         ids=lambda o: " ".join(o) or "defaults")
def test_hydras_schema_tutorial_composes_as_hydra_does(overrides: list[str]) -> None:
    with hydra_project(str(TUTORIAL / "conf"), "config", modules=["my_app"], module_path=str(TUTORIAL)):
        mine = merge_stack([str(TUTORIAL / "conf" / "config.yaml")], overrides).tree(resolved=False, reveal=True)
    sys.path.insert(0, str(TUTORIAL))
    try:
        importlib.import_module("my_app")
    finally:
        sys.path.remove(str(TUTORIAL))
    with initialize_config_dir(version_base="1.3", config_dir=str(TUTORIAL / "conf")):
        theirs = OmegaConf.to_container(compose("config", overrides), resolve=False)
    assert dict(leaves(mine)) == dict(leaves(theirs))
    assert mine["db"]["driver"] == ("postgresql" if overrides else "mysql")


def test_hydras_schema_tutorial_refuses_a_port_that_is_no_number() -> None:
    done = run_cli(["config", "merge", "conf/config.yaml", "db.port=abc"], cwd=TUTORIAL,
                   env={"MLOPS_TUI_CONFIGS__HYDRA_MODULES": "[my_app]", "MLOPS_TUI_CONFIGS__MODEL_PATH": "."})
    assert done.returncode == 2, done.stderr
    assert "Value 'abc' of type 'str' could not be converted to Integer" in done.stderr
    assert "full_key: db.port" in done.stderr
    assert "Traceback" not in done.stderr and "version_base" not in done.stderr  # the module's own warning is not shown
