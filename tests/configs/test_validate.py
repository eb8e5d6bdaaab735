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


# -- structured configs (dataclasses, as Hydra projects register them): OmegaConf is the oracle -------------

STRUCTURED = """
from dataclasses import dataclass, field
from typing import Optional
from omegaconf import MISSING


@dataclass
class Trainer:
    max_epochs: int = 10
    precision: str = "32"
    devices: int = 1


@dataclass
class Cfg:
    seed: int = MISSING
    name: str = "x"
    trainer: Trainer = field(default_factory=Trainer)
    tags: list[str] = field(default_factory=list)
    lr: Optional[float] = None
    api_token: str = ""
"""

STRUCTURED_CASES = {
    "valid": ({"seed": 1, "trainer": {"max_epochs": "5"}, "tags": ["a"], "lr": 0.1}, {}),
    "wrong_types": ({"seed": "one", "trainer": {"max_epochs": "ten", "devices": 2}},
                    {"seed": "Value 'one' of type 'str' could not be converted to Integer",
                     "trainer.max_epochs": "Value 'ten' of type 'str' could not be converted to Integer"}),
    "unknown_keys": ({"seed": 1, "extra": 1, "trainer": {"surprise": True}}, {"extra": "not in the schema", "trainer.surprise": "not in the schema"}),
    "missing": ({"name": "a"}, {"seed": "missing value (???): the schema requires it"}),
    "list_items": ({"seed": 1, "tags": "not-a-list"}, {"tags": None}),
}


@pytest.mark.parametrize("case", sorted(STRUCTURED_CASES))
def test_structured_config_validation_agrees_with_omegaconf(tmp_path: Path, case: str) -> None:
    import importlib
    import sys

    from omegaconf import OmegaConf

    (tmp_path / f"sc_{case}.py").write_text(STRUCTURED)
    validator = make_validator(f"sc_{case}:Cfg", str(tmp_path))
    data, expected = STRUCTURED_CASES[case]
    errors = {v.key: v.message for v in validator.check(data)}
    assert set(errors) == set(expected)
    for key, message in expected.items():
        if message is not None:
            assert errors[key] == message
    sys.path.insert(0, str(tmp_path))
    try:
        cls = importlib.import_module(f"sc_{case}").Cfg
    finally:
        sys.path.remove(str(tmp_path))
    try:
        OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(cls), data))
    except Exception as exc:  # noqa: BLE001 - OmegaConf's first error, whichever it is
        key = getattr(exc, "full_key", None) or getattr(exc, "key", None)
        assert errors and (key is None or str(key) in errors), (key, errors)
    else:
        assert not errors


def test_structured_config_masks_secrets_and_cli_reports_all(tmp_path: Path) -> None:
    from support.cli import run_cli

    (tmp_path / "sc_cli.py").write_text(STRUCTURED)
    (tmp_path / "c.yaml").write_text("seed: 1\ntrainer:\n  max_epochs: ten\napi_token: [hunter2hunter2]\nextra: 1\n")
    done = run_cli(["config", "validate", "c.yaml", "--model", "sc_cli:Cfg", "--model-path", "."], cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[-1] == "3 errors against sc_cli:Cfg"
    assert "hunter2" not in done.stdout
    assert "trainer.max_epochs: Value 'ten' of type 'str' could not be converted to Integer" in done.stdout
