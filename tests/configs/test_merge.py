"""Merging a stack of ML configs and overrides with OmegaConf: provenance, interpolation, env, ???."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from mlops_tui.secrets import MASK
from mlops_tui.sources.configs import ConfigError, merge_stack


def by_key(merged):
    return {e.key: e for e in merged.entries}


def test_provenance_names_the_file_or_override_that_set_each_key(ml: Path) -> None:
    base, prod = str(ml / "env/base.yaml"), str(ml / "env/prod.yaml")
    merged = merge_stack([base, prod], ["service.replicas=9", "thresholds.extra=0.3"])
    keys = by_key(merged)
    assert keys["service.name"].source == base
    assert keys["service.stage"].source == prod
    assert keys["service.replicas"].source == "override service.replicas=9" and keys["service.replicas"].raw == 9
    assert keys["thresholds.extra"].source == "override thresholds.extra=0.3"
    assert keys["features[3].name"].source == prod and keys["features[0].name"].source == prod  # prod's list replaced base's
    assert merged.sources == [base, prod, "override service.replicas=9", "override thresholds.extra=0.3"]


def test_merge_result_equals_omegaconf(ml: Path) -> None:
    files = [ml / "env/base.yaml", ml / "env/staging.yaml"]
    expected = OmegaConf.to_container(OmegaConf.merge(*[OmegaConf.load(f) for f in files]), resolve=False)
    assert merge_stack([str(f) for f in files]).raw == expected


def test_interpolations_raw_and_resolved(ml: Path) -> None:
    keys = by_key(merge_stack([str(ml / "train.yaml")], ["data.root=/data/v8"]))
    train = keys["data.train"]
    assert train.raw == "${data.root}/train" and train.value == "/data/v8/train" and train.interpolated
    assert keys["tracking.run_name"].value == "churn-classifier-1234"
    assert keys["callbacks[1].dirpath"].value == "/data/v8/checkpoints"


def test_env_resolved_only_on_request(ml: Path, monkeypatch) -> None:
    monkeypatch.setenv("SCORER_DB_PASSWORD", "s3cret-from-env")
    files = [str(ml / "env/base.yaml"), str(ml / "env/prod.yaml")]
    closed = by_key(merge_stack(files))["database.password"]
    assert closed.env_pending and closed.value == "${oc.env:SCORER_DB_PASSWORD}"
    opened = by_key(merge_stack(files, resolve_env=True))["database.password"]
    assert not opened.env_pending and opened.value == "s3cret-from-env"
    assert opened.shown_value() == MASK and opened.shown_value(reveal=True) == "s3cret-from-env"


def test_missing_values_flagged(ml: Path) -> None:
    merged = merge_stack([str(ml / "env/base.yaml")])
    stage = by_key(merged)["service.stage"]
    assert stage.missing and stage in merged.problems
    assert "service.stage" not in {e.key for e in merge_stack([str(ml / "env/base.yaml"), str(ml / "env/prod.yaml")]).problems}


def test_later_missing_keeps_earlier_value_and_its_source(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x: 1\n")
    (tmp_path / "b.yaml").write_text("x: ???\n")
    entry = by_key(merge_stack([str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]))["x"]
    assert entry.raw == 1 and entry.source == str(tmp_path / "a.yaml")


def test_interpolation_cycle_and_failing_resolver_are_errors_per_key(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("a: ${b}\nb: ${a}\nc: ${oc.decode:'[unclosed'}\nd: ${no_such_resolver:1}\ne: ${nowhere.key}\nok: 1\n")
    keys = by_key(merge_stack([str(tmp_path / "c.yaml")]))
    assert keys["a"].error.startswith("interpolation cycle")
    assert keys["b"].error.startswith("interpolation cycle")
    assert keys["c"].error and keys["d"].error == "Unsupported interpolation type no_such_resolver"
    assert "nowhere" in keys["e"].error
    assert keys["ok"].error is None and keys["ok"].value == 1


def test_list_merge_modes(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("cb: [es, ckpt]\n")
    (tmp_path / "b.yaml").write_text("cb: [ckpt, lr]\n")
    files = [str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]
    assert merge_stack(files).raw == {"cb": ["ckpt", "lr"]}
    extended = merge_stack(files, list_merge="extend")
    assert extended.raw == {"cb": ["es", "ckpt", "ckpt", "lr"]}
    assert [e.source for e in extended.entries] == [files[0], files[0], files[1], files[1]]
    assert merge_stack(files, list_merge="extend_unique").raw == {"cb": ["es", "ckpt", "lr"]}


def test_bad_overrides_and_non_mapping(tmp_path: Path, ml: Path) -> None:
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        merge_stack([str(ml / "env/base.yaml")], ["just-a-word"])
    with pytest.raises(ConfigError, match="bad override 'a=\\[1,'"):
        merge_stack([str(ml / "env/base.yaml")], ["a=[1,"])
    # A composed file's overrides are Hydra's, and so is the error
    with pytest.raises(ConfigError, match="^bad override 'just-a-word': Error parsing override 'just-a-word'; missing EQUAL"):
        merge_stack([str(ml / "train.yaml")], ["just-a-word"])
    with pytest.raises(ConfigError, match="^bad override 'tracking.token=••••••': not valid") as info:
        merge_stack([str(ml / "train.yaml")], ["tracking.token=[hunter2"])
    assert "hunter2" not in str(info.value)
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="a mapping is needed"):
        merge_stack([str(tmp_path / "list.yaml")])


def test_secret_override_label_is_masked(ml: Path) -> None:
    merged = merge_stack([str(ml / "env/base.yaml")], ["database.password=hunter2"])
    assert merged.sources[-1] == f"override database.password={MASK}"
    assert "hunter2" not in repr(merged.tree())
    assert merged.tree(reveal=True)["database"]["password"] == "hunter2"


def test_hydra_defaults_are_composed_with_provenance(ml: Path) -> None:
    train = str(ml / "train.yaml")
    keys = by_key(merge_stack([train], ["trainer.max_epochs=3"]))
    assert "defaults[0]" not in keys
    assert keys["model.name"].raw == "resnet50" and keys["model.name"].source == str(ml / "model/resnet50.yaml")
    assert keys["optimizer.scheduler.warmup_steps"].source == str(ml / "optimizer/adamw.yaml")
    assert keys["trainer.precision"].source == str(ml / "trainer/default.yaml")
    assert keys["trainer.max_epochs"].raw == 3 and keys["trainer.max_epochs"].source == "override trainer.max_epochs=3"
    assert keys["callbacks[1].dirpath"].value == "/mnt/datasets/churn/v7/checkpoints"
    picked = by_key(merge_stack([train], ["model=vit_b16"]))
    assert picked["model.hidden_dim"].raw == 768 and picked["model.hidden_dim"].source == f"{ml}/model/vit_b16.yaml (model=vit_b16)"
    assert "model.freeze_backbone" not in picked
    kept = by_key(merge_stack([train], compose=False))
    assert kept["defaults[1].model"].raw == "resnet50"


def test_defaults_order_self_and_errors(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "pg.yaml").write_text("port: 5432\nhost: pg\n")
    (tmp_path / "main.yaml").write_text("defaults:\n  - db: pg\n  - _self_\ndb:\n  port: 6432\n")
    (tmp_path / "first.yaml").write_text("defaults:\n  - _self_\n  - db: pg\ndb:\n  port: 6432\n")
    (tmp_path / "bad.yaml").write_text("defaults:\n  - db: nope\n")
    assert merge_stack([str(tmp_path / "main.yaml")]).raw == {"db": {"port": 6432, "host": "pg"}}
    assert merge_stack([str(tmp_path / "first.yaml")]).raw == {"db": {"port": 5432, "host": "pg"}}
    with pytest.raises(ConfigError, match=f"Could not find 'db/nope' \\(no file {tmp_path}/db/nope.yaml\\)") as info:
        merge_stack([str(tmp_path / "bad.yaml")])
    assert info.value.origin == str(tmp_path / "bad.yaml")


def test_composition_at_a_git_revision(ml_repo: Path, run_git) -> None:
    conf = ml_repo / "conf"
    (conf / "model").mkdir(parents=True)
    (conf / "train.yaml").write_text("defaults:\n  - model: small\n  - _self_\nlr: 0.1\n")
    (conf / "model" / "small.yaml").write_text("width: 64\n")
    run_git(ml_repo, "add", "conf")
    run_git(ml_repo, "commit", "-q", "-m", "conf")
    (conf / "model" / "small.yaml").write_text("width: 128\n")
    at_head = merge_stack(["HEAD:conf/train.yaml"], cwd=ml_repo)
    assert at_head.raw == {"model": {"width": 64}, "lr": 0.1}
    assert {e.key: e.source for e in at_head.entries}["model.width"] == "HEAD:conf/model/small.yaml"
    assert merge_stack(["conf/train.yaml"], cwd=ml_repo).raw["model"] == {"width": 128}


def test_failing_env_resolver_is_an_error_only_when_env_is_resolved(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("MLOPS_TUI_UNSET_VAR", raising=False)
    (tmp_path / "e.yaml").write_text("token: ${oc.env:MLOPS_TUI_UNSET_VAR}\nurl: http://x/${token}\n")
    closed = by_key(merge_stack([str(tmp_path / "e.yaml")]))
    assert closed["token"].env_pending and closed["token"].error is None
    assert closed["url"].env_pending and closed["url"].value == "http://x/${oc.env:MLOPS_TUI_UNSET_VAR}"
    opened = by_key(merge_stack([str(tmp_path / "e.yaml")], resolve_env=True))
    assert opened["token"].error == "KeyError raised while resolving interpolation: \"Environment variable 'MLOPS_TUI_UNSET_VAR' not found\""
    assert opened["url"].error is not None


# -- Hydra's override syntax on a stack of plain files: +key=v, ++key=v, ~key, key=v ----------------------------

STACK_OVERRIDES = [
    ["+extra.flag=1", "~service.replicas", "service.port=9090"],
    ["++service.replicas=4", "++brand.new=[a,b]", "~thresholds"],
    ["~database.user", "+database.pool={size:4,timeout:30}", "database.port=1", "++database.host='a b'"],
    ["+service.labels=[x]", "service.labels=[y,z]", "~features"],
]


@pytest.mark.parametrize("overrides", STACK_OVERRIDES, ids=" ".join)
def test_stack_overrides_in_hydras_syntax_apply_as_hydra_applies_them(ml: Path, overrides: list[str]) -> None:
    """The oracle: the files merged by OmegaConf, then the overrides applied by Hydra's own code."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra.core.override_parser.overrides_parser import OverridesParser

    base, prod = str(ml / "env/base.yaml"), str(ml / "env/prod.yaml")
    cfg = OmegaConf.merge(OmegaConf.load(base), OmegaConf.load(prod))
    ConfigLoaderImpl._apply_overrides_to_config(OverridesParser.create().parse_overrides(overrides), cfg)
    merged = merge_stack([base, prod], overrides)
    assert merged.tree(resolved=False, reveal=True) == OmegaConf.to_container(cfg, resolve=False)
    keys = by_key(merged)
    last = {item.lstrip("+~").partition("=")[0]: item for item in overrides}  # the override that set a key last
    for item in last.values():
        if item.startswith("~"):
            assert not any(k == item[1:] or k.startswith(item[1:] + ".") or k.startswith(item[1:] + "[") for k in keys)
        else:
            key = item.lstrip("+").partition("=")[0]
            assert all(e.source == f"override {item}" for k, e in keys.items() if k == key or k.startswith((key + ".", key + "[")))
    assert merged.sources[-len(overrides):] == [f"override {o}" for o in overrides]


def test_stack_override_errors_say_what_to_write(ml: Path) -> None:
    base, prod = str(ml / "env/base.yaml"), str(ml / "env/prod.yaml")
    with pytest.raises(ConfigError, match=r"^bad override '\+service.replicas=3': there is already a value at service.replicas "
                                          r"\(set it with 'service.replicas=3', or \+\+ to set or add\)"):
        merge_stack([base, prod], ["+service.replicas=3"])
    with pytest.raises(ConfigError, match=r"^bad override '~service.nope': no key service.nope to delete"):
        merge_stack([base, prod], ["~service.nope"])
    with pytest.raises(ConfigError, match=r"^bad override '\+database.password=••••••': there is already a value") as info:
        merge_stack([base, prod], ["+database.password=hunter2hunter2"])
    assert "hunter2" not in str(info.value)


def test_stack_overrides_from_the_cli(ml: Path) -> None:
    from support.cli import run_cli

    done = run_cli(["config", "merge", "configs/ml/env/base.yaml", "configs/ml/env/prod.yaml", "+extra=1", "~service.replicas",
                    "service.port=1", "--provenance"], cwd=ml.parents[1])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("extra ") and line.endswith("= 1  # override +extra=1") for line in lines)
    assert not any(line.startswith("service.replicas ") for line in lines)
    assert any(line.startswith("service.port ") and line.endswith("# override service.port=1") for line in lines)
    bad = run_cli(["config", "merge", "configs/ml/env/base.yaml", "configs/ml/env/prod.yaml", "~nope"], cwd=ml.parents[1])
    assert bad.returncode == 2 and bad.stderr.strip() == "mlops-tui: bad override '~nope': no key nope to delete"
