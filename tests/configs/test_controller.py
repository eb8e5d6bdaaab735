"""The Configs pane's model without a screen (sources/configs/controller.ConfigsModel) and the one way to validate
a stack (sources/configs/stack), which the pane and `mlops-tui config validate` both call."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_tui.settings.configs import ConfigsSettings
from mlops_tui.sources.base import SourceState
from mlops_tui.sources.configs.controller import ConfigsModel
from mlops_tui.sources.configs.diff import ListMode
from mlops_tui.sources.configs.stack import ModelRefused, split_items, validate_stack, validation_target

ROOT = Path(__file__).resolve().parents[2]
V1, V2 = "configs/ml/versions/train_v1.yaml", "configs/ml/versions/train_v2.yaml"
PROBE = """
from pathlib import Path
Path(__file__).with_name("IMPORTED").write_text("imported")
from pydantic import BaseModel
class Cfg(BaseModel):
    lr: float
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "a.yaml").write_text("lr: 0.1\n")
    (tmp_path / "cfg" / "b.yaml").write_text("lr: fast\n")
    (tmp_path / "controller_probe_model.py").write_text(PROBE)  # a name no other test imports (modules are cached)
    return tmp_path


def test_a_refused_model_is_never_imported_by_the_pane_or_the_cli(folder: Path) -> None:
    settings = ConfigsSettings(model="controller_probe_model:Cfg", model_path=str(folder))
    settings.distrust_model("mlops-tui.yaml")
    target = validation_target(settings)
    assert target is not None and "not imported" in target.refusal
    shown = validate_stack(["cfg/a.yaml"], [], target, cwd=folder)  # the pane: the merge shows, validation says why not
    assert "not imported" in shown.error and shown.against == "" and shown.merged.tree() == {"lr": 0.1}
    with pytest.raises(ModelRefused, match="not imported"):  # the CLI: refused before any file is read
        validate_stack(["cfg/missing.yaml"], [], target, cwd=folder, strict=True)
    assert not (folder / "IMPORTED").exists()
    explicit = validation_target(settings, model="controller_probe_model:Cfg", model_path=str(folder))
    checked = validate_stack(["cfg/b.yaml"], ["extra=1"], explicit, cwd=folder)
    assert (folder / "IMPORTED").exists()
    assert checked.against == "controller_probe_model:Cfg"
    assert [v.key for v in checked.violations] == ["lr"]


def test_the_pane_reads_relative_schema_paths_from_its_folder(folder: Path) -> None:
    (folder / "schema.json").write_text('{"type": "object", "properties": {"lr": {"type": "number"}}}')
    model = ConfigsModel(ConfigsSettings(schema_file="schema.json", overrides=["lr=2"]), cwd=folder)
    check = model.merge(["cfg/b.yaml"], resolve_env=False)
    assert check.error == "" and check.violations == [] and check.overrides == ["lr=2"]
    status = model.show_check(check)
    assert model.check_title() == "merged cfg/b.yaml + 1 override(s): 1 keys · valid (schema.json) · resolved"
    assert status.state is SourceState.OK and status.reason == "merged 1 file: 1 keys, 0 validation errors"
    model.settings = ConfigsSettings(schema_file="nosuch.json")
    failed = model.merge(["cfg/a.yaml"], resolve_env=False)
    assert "nosuch.json" in failed.error and failed.merged.tree() == {"lr": 0.1}
    assert model.show_check(failed).state is SourceState.FAILING
    assert model.problems()[0] == ((), f"validation not run: {failed.error}")


def test_items_split_into_files_and_overrides(folder: Path) -> None:
    (folder / "x=1").write_text("a: 1\n")  # a file whose name looks like an override stays a file
    assert split_items(["cfg/a.yaml", "x=1", "model=vit", "trainer.max_epochs=3"], folder) == (
        ["cfg/a.yaml", "x=1"], ["model=vit", "trainer.max_epochs=3"])


def test_file_list_stack_and_compare_base(folder: Path) -> None:
    model = ConfigsModel(ConfigsSettings(paths=["cfg"]), cwd=folder)
    status = model.show_files(model.list_files())
    assert model.files == ["cfg/a.yaml", "cfg/b.yaml"] and status.reason == "2 config files"
    assert model.file_label("cfg/a.yaml") == "   a.yaml"
    assert model.mark_base("cfg/a.yaml") is None
    assert model.base_text() == "compare base: cfg/a.yaml — highlight another file and press c or enter"
    assert model.mark_base("cfg/b.yaml") == ("cfg/a.yaml", "cfg/b.yaml") and model.pair_with("cfg/b.yaml") == ("cfg/a.yaml", "cfg/b.yaml")
    assert model.pair_with("cfg/a.yaml") is None
    assert model.toggle_stack("cfg/b.yaml") == "stack: cfg/b.yaml — m: show merged"
    model.toggle_stack("cfg/a.yaml")
    assert model.file_label("cfg/a.yaml") == "2+◆ a.yaml" and model.merge_specs(None) == ["cfg/b.yaml", "cfg/a.yaml"]
    assert model.mark_base("cfg/a.yaml") is None and model.base_text() == "compare base cleared"
    model.toggle_stack("cfg/a.yaml")
    model.toggle_stack("cfg/b.yaml")
    assert model.merge_specs("cfg/a.yaml") == ["cfg/a.yaml"] and model.merge_specs(None) == []
    model.reported = True
    assert model.show_files([]) is None  # a diff or merge already says what the pane shows


def test_diff_walk_find_and_list_modes() -> None:
    model = ConfigsModel(ConfigsSettings(list_key="name"), cwd=ROOT)
    assert model.list_mode is ListMode.KEY and model.cycle_list_mode() is None and model.list_mode is ListMode.POSITION
    model.list_mode = ListMode.KEY
    assert model.walk(1) is None
    model.show_diff(model.compare(V1, V2, model.list_mode))
    assert model.diff_title() == f"{V1} → {V2}: 12 changes: 2 added, 9 changed, 1 type changed · lists by key (name)"
    assert model.walk_text(model.walk(1)) == "change 1/12: model.name (changed)"
    assert model.walk_text(model.walk(-2)) == "change 11/12: callbacks[name=model_checkpoint].save_top_k (changed)"
    assert model.walk_text(model.find_change("PATIENCE")) == "change 10/12: callbacks[name=early_stopping].patience (changed)"
    assert model.find_change("no.such.key") is None and model.change_index == 9
    assert model.cycle_list_mode() == (V1, V2) and model.list_mode is ListMode.POSITION
    assert model.cycle_list_mode() == (V1, V2) and model.mode_text() == "lists by set"


def test_a_newer_run_makes_older_results_stale() -> None:
    model = ConfigsModel(ConfigsSettings())
    first = model.begin()
    second = model.begin()
    assert not model.current(first) and model.current(second)


def test_hydra_stack_title_group_option_not_validated_and_uncomposed() -> None:
    """The pane's model on Hydra files: the title counts the defaults composed, a group option alone is not
    validated against the top-level model (the same sentence as `config validate`), u merges as written."""
    model = ConfigsModel(ConfigsSettings(model="train_schema:TrainConfig", model_path="configs/ml/schema"), cwd=ROOT)
    assert model.uncomposed_specs("configs/ml/env/base.yaml") == ["configs/ml/env/base.yaml"]
    option = model.merge(["configs/ml/trainer/default.yaml"], resolve_env=False)
    assert option.violations == [] and option.against == "" and option.error == ""
    assert model.show_check(option).state is SourceState.OK
    assert model.check_title() == (
        "merged configs/ml/trainer/default.yaml: 6 keys · composed by Hydra from 1 defaults (t) · not validated: "
        "trainer/default is a group option; train_schema:TrainConfig describes the composed entry config "
        "(validate that, e.g. train.yaml trainer=default, or give trainer a group schema) · resolved")
    model.ask_merge(["configs/ml/train.yaml"])
    model.show_check(model.merge(["configs/ml/train.yaml"], resolve_env=False))
    assert model.check_title().startswith("merged configs/ml/train.yaml: 41 keys · composed by Hydra from 4 defaults (t) · valid (train_schema:TrainConfig)")  # tracking: is in the model now
    written = model.merge(model.uncomposed_specs(None), resolve_env=False, compose=False)
    model.show_check(written)
    assert written.merged.composition is None and model.check_title().startswith("uncomposed configs/ml/train.yaml: 27 keys · 4 validation errors")  # defaults, and model, optimizer, trainer missing
    assert model.toggle_env() == (["configs/ml/train.yaml"], False)  # e keeps showing it as written
