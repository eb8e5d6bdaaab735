"""Structural diff by key path on the demo's training configs, directories and git revisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_tui.secrets import MASK
from mlops_tui.sources.configs import ConfigError, DiffOptions, Kind, ListMode, compare, diff


def changes(result) -> dict[str, tuple[str, object, object]]:
    return {c.where: (c.kind.value, c.old, c.new) for c in result.changes}


def test_reordered_keys_are_not_changes() -> None:
    assert not diff({"a": 1, "b": {"x": 1, "y": 2}}, {"b": {"y": 2, "x": 1}, "a": 1}).differ


def test_kinds_added_removed_changed_type_changed() -> None:
    result = diff({"lr": 0.1, "wd": 0.01, "gone": 1, "n": 1, "sub": {"k": 1}}, {"lr": 0.2, "wd": "0.01", "new": True, "n": 1, "sub": [1]})
    assert changes(result) == {
        "lr": ("changed", 0.1, 0.2),
        "wd": ("type_changed", 0.01, "0.01"),
        "gone": ("removed", 1, None),
        "new": ("added", None, True),
        "sub": ("type_changed", {"k": 1}, [1]),
    }
    assert result.summary() == "5 changes: 1 added, 1 removed, 1 changed, 2 type changed"


def test_bool_and_int_are_different_types() -> None:
    assert changes(diff({"x": 1}, {"x": True})) == {"x": ("type_changed", 1, True)}


def test_list_modes(ml: Path) -> None:
    old = {"callbacks": [{"name": "es", "patience": 3}, {"name": "ckpt", "k": 1}], "tags": ["a", "b"]}
    new = {"callbacks": [{"name": "ckpt", "k": 1}, {"name": "es", "patience": 5}], "tags": ["b", "a", "c"]}
    by_position = changes(diff(old, new))
    assert by_position["callbacks[0].name"] == ("changed", "es", "ckpt")
    assert by_position["tags[2]"] == ("added", None, "c")
    as_set = changes(diff(old, new, DiffOptions(ListMode.SET)))
    assert set(as_set) == {"callbacks[0]", "callbacks[1]", "tags[2]"}
    assert as_set["tags[2]"] == ("added", None, "c")
    by_key = changes(diff(old, new, DiffOptions(ListMode.KEY, "name")))
    assert by_key["callbacks[name=es].patience"] == ("changed", 3, 5)
    assert not any(k.startswith("callbacks[name=ckpt]") for k in by_key)
    assert by_key["tags[0]"] == ("changed", "a", "b")  # lists of scalars stay positional


def test_key_mode_falls_back_to_position_for_lists_without_the_key() -> None:
    result = diff({"l": [{"id": 1}, {"id": 1}]}, {"l": [{"id": 1}, {"id": 2}]}, DiffOptions("key", "id"))
    assert changes(result) == {"l[1].id": ("changed", 1, 2)}
    with pytest.raises(ValueError, match="needs a list key"):
        DiffOptions("key")


def test_two_training_config_versions(ml: Path) -> None:
    result = compare(str(ml / "versions/train_v1.yaml"), str(ml / "versions/train_v2.yaml"), DiffOptions("key", "name")).result
    seen = changes(result)
    assert seen["model.name"] == ("changed", "resnet50", "vit_b16")
    assert seen["optimizer.weight_decay"] == ("type_changed", 0.01, "0.05")
    assert seen["callbacks[name=early_stopping].patience"] == ("changed", 3, 5)
    assert seen["callbacks[name=lr_monitor]"][0] == "added"
    assert "experiment" not in seen and "seed" not in seen  # moved keys, same values
    assert result.counts() == {"added": 2, "removed": 0, "changed": 9, "type_changed": 1}


def test_secrets_masked_in_changes() -> None:
    result = diff({"db": {"password": "hunter2", "url": "postgres://u:pw1@h/db"}}, {"db": {"password": "hunter3", "url": "postgres://u:pw2@h/db"}})
    shown = {c.where: c.to_json() for c in result.changes}
    assert shown["db.password"] == {"kind": "changed", "path": "db.password", "old": MASK, "new": MASK}
    assert shown["db.url"]["new"] == f"postgres://u:{MASK}@h/db"
    assert shown["db.password"] != {c.where: c.to_json(reveal=True) for c in result.changes}["db.password"]


def test_directories_of_configs(ml_repo: Path) -> None:
    result = compare("v1:configs/env", "configs/env", cwd=ml_repo).result
    seen = changes(result)
    assert seen["canary.yaml: <root>"][0] == "added"
    assert seen["staging.yaml: service.stage"] == ("changed", "staging", "production")
    assert not any(c.file == "base.yaml" for c in result.changes)


def test_same_file_at_two_revisions(ml_repo: Path) -> None:
    result = compare("v1:configs/train.yaml", "HEAD:configs/train.yaml", cwd=ml_repo).result
    assert changes(result)["trainer.max_epochs"] == ("changed", 20, 30)
    assert not compare("HEAD:configs/train.yaml", "configs/train.yaml", cwd=ml_repo).result.differ


def test_merged_stacks_staging_vs_prod(ml: Path) -> None:
    base = str(ml / "env/base.yaml")
    result = compare(f"{base}+{ml / 'env/staging.yaml'}", f"{base}+{ml / 'env/prod.yaml'}").result
    seen = changes(result)
    assert seen["service.replicas"] == ("changed", 1, 6)
    assert seen["service.model_uri"] == ("changed", "models:/churn-classifier/staging", "models:/churn-classifier/production")
    assert seen["features[3]"][0] == "added"


def test_file_against_directory_is_refused(ml: Path) -> None:
    with pytest.raises(ConfigError, match="directory and the other side is a file"):
        compare(str(ml / "env"), str(ml / "train.yaml"))


def test_kind_values_are_stable() -> None:
    assert [k.value for k in Kind] == ["added", "removed", "changed", "type_changed"]


def test_anchors_and_merge_keys_compare_as_their_values(tmp_path: Path) -> None:
    (tmp_path / "anchored.yaml").write_text("base: &b {lr: 0.1, wd: 0.0}\nstage1:\n  <<: *b\n  lr: 0.2\nstage2: *b\n")
    (tmp_path / "plain.yaml").write_text("stage2: {wd: 0.0, lr: 0.1}\nstage1: {wd: 0.0, lr: 0.2}\nbase: {lr: 0.1, wd: 0.0}\n")
    assert not compare(str(tmp_path / "anchored.yaml"), str(tmp_path / "plain.yaml")).result.differ


def test_formats_compare_across_yaml_json_toml(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text("[server]\nport = 8080\nhosts = ['a', 'b']\n")
    (tmp_path / "b.json").write_text('{"server": {"hosts": ["a", "b"], "port": 8081}}')
    assert changes(compare(str(tmp_path / "a.toml"), str(tmp_path / "b.json")).result) == {"server.port": ("changed", 8080, 8081)}
