"""Validation against a Pydantic model imported from a folder, and against a JSON Schema file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_tui.secrets import MASK
from mlops_tui.sources.configs import ConfigError, make_validator, merge_stack


def test_pydantic_model_from_configured_path(ml: Path, tmp_path: Path) -> None:
    validator = make_validator("train_schema:TrainConfig", str(ml / "schema"))
    assert validator.check(merge_stack([str(ml / "versions/train_v1.yaml")]).tree()) == []
    (tmp_path / "bad.yaml").write_text("experiment: x\nseed: one\nmodel: {name: m, dropout: 1.5}\noptimizer: {name: o, lr: 0.1, weight_decay: 0}\n"
                                       "data: {root: r, train: t, batch_size: 0}\ntrainer: {max_epochs: 1, precision: '32'}\nsurprise: 1\n")
    errors = {v.key: v.message for v in validator.check(merge_stack([str(tmp_path / "bad.yaml")]).tree())}
    assert set(errors) == {"seed", "model.dropout", "data.batch_size", "surprise"}
    assert "less than 1" in errors["model.dropout"]
    assert errors["surprise"] == "Extra inputs are not permitted"


def test_json_schema_errors_by_key_path(ml: Path, tmp_path: Path) -> None:
    validator = make_validator(schema_file=str(ml / "schema/serving.schema.json"))
    (tmp_path / "bad.yaml").write_text("service: {replicas: 0, port: http, stage: dev}\nthresholds: {churn: 2}\n")
    merged = merge_stack([str(ml / "env/base.yaml"), str(ml / "env/prod.yaml"), str(tmp_path / "bad.yaml")])
    errors = {v.key: v.message for v in validator.check(merged.tree())}
    assert errors["service.replicas"] == "0 is less than the minimum of 1"
    assert errors["service.port"] == "'http' is not of type 'integer'"
    assert "staging" in errors["service.stage"]
    assert errors["thresholds.churn"] == "2 is greater than the maximum of 1"


def test_secret_values_never_in_messages(ml: Path) -> None:
    validator = make_validator(schema_file=str(ml / "schema/serving.schema.json"))
    merged = merge_stack([str(ml / "env/base.yaml"), str(ml / "env/prod.yaml")], ["database.password=short"])
    (violation,) = validator.check(merged.tree(reveal=True))
    assert violation.key == "database.password" and "short" not in violation.message and MASK in violation.message


@pytest.mark.parametrize(
    ("target", "path", "words"),
    [
        ("nosuch.module:Cls", None, "cannot import module 'nosuch.module'"),
        ("train_schema:Nope", "SCHEMA", "has no 'Nope'"),
        ("train_schema", "SCHEMA", "expected package.module:ClassName"),
        ("train_schema:Field", "SCHEMA", "is not a Pydantic model class"),
        ("train_schema:TrainConfig", "/nonexistent/dir", "is not a folder"),
    ],
)
def test_unimportable_model(ml: Path, target, path, words) -> None:
    with pytest.raises(ConfigError, match=words):
        make_validator(target, str(ml / "schema") if path == "SCHEMA" else path)


def test_model_raising_on_import(tmp_path: Path) -> None:
    (tmp_path / "boom_mod.py").write_text("raise RuntimeError('no GPU here')\n")
    with pytest.raises(ConfigError, match="importing 'boom_mod' raised RuntimeError: no GPU here"):
        make_validator("boom_mod:X", str(tmp_path))


def test_invalid_schema_file(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text('{"type": "objekt"}')
    with pytest.raises(ConfigError, match="invalid JSON Schema"):
        make_validator(schema_file=str(tmp_path / "s.json"))
    (tmp_path / "t.json").write_text('{"type": ')
    with pytest.raises(ConfigError, match="invalid JSON"):
        make_validator(schema_file=str(tmp_path / "t.json"))
