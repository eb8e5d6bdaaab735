"""Composition checked against Hydra itself: hydra.compose() is the oracle, key by key.

Projects: the lightning-hydra-template configs (tests/configs/projects, MIT), the demo's configs, and small
projects built here one Hydra feature at a time. Broken projects must fail with Hydra's error (or a clearer
one naming the file and entry) and say how to see the file uncomposed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from mlops_tui.sources.configs import ConfigError, merge_stack
from mlops_tui.sources.configs.compose import compose_file, defaults_rows
from mlops_tui.sources.configs.merge import leaves, replay
from support.cli import run_cli

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "projects" / "lightning-hydra-template" / "configs"
ROOT = HERE.parents[1]


def ok_or_finding(done, code: int) -> None:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def hydra(config_dir: Path, name: str, overrides: list[str] = (), with_hydra: bool = False) -> dict:
    """What Hydra's compose API gives, as plain data (interpolations unresolved)."""
    with initialize_config_dir(version_base="1.3", config_dir=str(config_dir.resolve())):
        cfg = compose(name, list(overrides), return_hydra_config=with_hydra)
    return OmegaConf.to_container(cfg, resolve=False)


def ours(spec: Path | str, overrides: list[str] = (), with_hydra: bool = False) -> dict:
    return merge_stack([str(spec)], list(overrides), with_hydra=with_hydra).tree(resolved=False, reveal=True)


def assert_same(mine: dict, theirs: dict) -> None:
    """Equal key by key (every leaf path and value), so a failure names the first differing key."""
    mine_leaves, their_leaves = dict(leaves(mine)), dict(leaves(theirs))
    assert sorted(map(str, mine_leaves)) == sorted(map(str, their_leaves))
    for path, value in their_leaves.items():
        assert mine_leaves[path] == value, path
    assert mine == theirs


def assert_provenance_replays(spec: Path, overrides: list[str] = ()) -> None:
    """The recorded layers, merged in order, give Hydra's own result: the provenance is of the real merge."""
    comp = compose_file(str(spec), list(overrides))
    raw, provenance = replay(comp.layers)
    for path in comp.deleted:
        provenance.forget(path)
    replayed = {p: v for p, v in leaves(raw) if not any(p[: len(d)] == d for d in comp.deleted)}
    assert replayed == dict(leaves(comp.raw))
    assert all(provenance.of(p) != "?" for p, _ in leaves(comp.raw))


# -- the public template --------------------------------------------------------------------------------

TEMPLATE_RUNS = [
    ("train", []),
    ("eval", []),
    ("train", ["experiment=example"]),
    *[("train", [f"debug={name}"]) for name in ("default", "fdr", "limit", "overfit", "profiler")],
    *[("train", [f"logger={name}"]) for name in ("aim", "comet", "csv", "many_loggers", "mlflow", "neptune", "tensorboard", "wandb")],
    *[("train", [f"trainer={name}"]) for name in ("cpu", "gpu", "mps", "ddp", "ddp_sim")],
    ("train", ["trainer=ddp", "+trainer.precision=16", "~callbacks.early_stopping", "model.optimizer.lr=0.1", "tags=[a,b]"]),
    ("train", ["experiment=example", "logger=many_loggers", "data.batch_size=32"]),
]


@pytest.mark.parametrize(("name", "overrides"), TEMPLATE_RUNS, ids=lambda x: " ".join(x) if isinstance(x, list) else x)
def test_template_entry_configs_compose_as_hydra_does(name: str, overrides: list[str]) -> None:
    assert_same(ours(TEMPLATE / f"{name}.yaml", overrides), hydra(TEMPLATE, name, overrides))
    assert_provenance_replays(TEMPLATE / f"{name}.yaml", overrides)


def test_template_with_hydras_own_node() -> None:
    mine = ours(TEMPLATE / "train.yaml", with_hydra=True)
    theirs = hydra(TEMPLATE, "train", with_hydra=True)
    assert mine["hydra"]["job_logging"]["formatters"]["colorlog"]["()"] == "colorlog.ColoredFormatter"
    assert mine["hydra"]["runtime"]["choices"]["hydra/job_logging"] == "colorlog"
    assert_same(mine, theirs)


def test_experiment_file_opened_alone_is_the_entry_config_with_it_chosen() -> None:
    assert_same(ours(TEMPLATE / "experiment/example.yaml"), hydra(TEMPLATE, "train", ["experiment=example"]))
    keys = {e.key: e.source for e in merge_stack([str(TEMPLATE / "experiment/example.yaml")]).entries}
    example = f"{TEMPLATE}/experiment/example.yaml (experiment=example)"
    assert keys["trainer.gradient_clip_val"] == example and keys["seed"] == example
    assert keys["trainer.accelerator"] == f"{TEMPLATE}/trainer/default.yaml"
    assert keys["task_name"] == f"{TEMPLATE}/train.yaml"


@pytest.mark.parametrize("option", ["cpu", "gpu", "mps", "ddp", "ddp_sim", "default"])
def test_group_option_alone_is_composed_with_its_own_defaults(option: str) -> None:
    assert_same(ours(TEMPLATE / f"trainer/{option}.yaml"), hydra(TEMPLATE, f"trainer/{option}")["trainer"])


def test_template_provenance_names_file_and_override() -> None:
    merged = merge_stack([str(TEMPLATE / "train.yaml")], ["trainer=ddp", "model.optimizer.lr=0.1", "+extra.flag=1"])
    keys = {e.key: e.source for e in merged.entries}
    assert keys["trainer.strategy"] == f"{TEMPLATE}/trainer/ddp.yaml (trainer=ddp)"
    assert keys["trainer.min_epochs"] == f"{TEMPLATE}/trainer/default.yaml"  # inherited through ddp's defaults
    assert keys["callbacks.model_checkpoint.dirpath"] == f"{TEMPLATE}/callbacks/default.yaml"
    assert keys["callbacks.model_checkpoint.verbose"] == f"{TEMPLATE}/callbacks/model_checkpoint.yaml"
    assert keys["model.optimizer.lr"] == "override model.optimizer.lr=0.1"
    assert keys["extra.flag"] == "override +extra.flag=1"
    rows = [(row.config_path, row.is_self, row.depth) for row in defaults_rows(merged.composition)]
    assert rows[:3] == [("train", True, 0), ("data/mnist", False, 1), ("model/mnist", False, 1)]
    assert ("callbacks/model_checkpoint", False, 2) in rows and ("trainer/default", False, 2) in rows
    assert ("trainer/ddp", True, 1) in rows
    assert [r.chosen_by for r in defaults_rows(merged.composition) if r.config_path == "trainer/ddp"] == ["trainer=ddp"]


def test_plugin_hparams_search_fails_with_hydras_error() -> None:
    with pytest.raises(Exception) as theirs:
        hydra(TEMPLATE, "train", ["hparams_search=mnist_optuna"])
    assert "Could not find 'hydra/sweeper/optuna'" in str(theirs.value)
    with pytest.raises(ConfigError, match="Could not find 'hydra/sweeper/optuna'") as mine:
        merge_stack([str(TEMPLATE / "train.yaml")], ["hparams_search=mnist_optuna"])
    assert "--no-compose" in str(mine.value)


def test_cli_defaults_tree_of_the_template() -> None:
    done = run_cli(["config", "merge", str(TEMPLATE / "train.yaml"), "trainer=ddp", "--defaults"])
    ok_or_finding(done, 0)
    lines = done.stdout.splitlines()
    assert lines[0] == "# defaults of train, in merge order (later wins)"
    assert lines[1] == f"train (_self_): {TEMPLATE}/train.yaml"
    assert f"    trainer/default: {TEMPLATE}/trainer/default.yaml" in lines
    assert f"  trainer/ddp (_self_) ← trainer=ddp: {TEMPLATE}/trainer/ddp.yaml" in lines
    assert not any(line.lstrip().startswith("hydra/") for line in lines)
    with_hydra = run_cli(["config", "merge", str(TEMPLATE / "train.yaml"), "--defaults", "--hydra"]).stdout
    assert "  hydra/job_logging/colorlog: pkg://hydra_plugins.hydra_colorlog.conf/hydra/job_logging/colorlog.yaml" in with_hydra.splitlines()


# -- the demo ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["train-v1", "train-v2", "train-v3"])
def test_demo_training_configs_compose(name: str) -> None:
    """The demo's configs/train.yaml (these files) overrides hydra/job_logging, which used to fail."""
    folder = ROOT / "configs" / "demo"
    assert_same(ours(folder / f"{name}.yaml"), hydra(folder, name))
    done = run_cli(["config", "merge", str(folder / f"{name}.yaml")])
    ok_or_finding(done, 0)


@pytest.mark.parametrize("overrides", [[], ["model=vit_b16", "optimizer=sgd"], ["~data.shuffle", "+extra=1"]])
def test_demo_ml_training_config(overrides: list[str]) -> None:
    folder = ROOT / "configs" / "ml"
    assert_same(ours(folder / "train.yaml", overrides), hydra(folder, "train", overrides))


# -- one feature at a time -----------------------------------------------------------------------------

FEATURES = {
    "self_first": ({"main.yaml": "defaults:\n  - _self_\n  - db: pg\ndb:\n  port: 1\n", "db/pg.yaml": "port: 5432\nhost: pg\n"}, []),
    "self_last": ({"main.yaml": "defaults:\n  - db: pg\n  - _self_\ndb:\n  port: 1\n", "db/pg.yaml": "port: 5432\nhost: pg\n"}, []),
    "self_implicit": ({"main.yaml": "defaults:\n  - db: pg\ndb:\n  port: 1\n", "db/pg.yaml": "port: 5432\n"}, []),
    "override_in_file": ({"main.yaml": "defaults:\n  - db: pg\n  - override db: my\n", "db/pg.yaml": "port: 5432\n", "db/my.yaml": "port: 3306\n"}, []),
    "optional_missing": ({"main.yaml": "defaults:\n  - optional db: nope\n  - _self_\nx: 1\n", "db/pg.yaml": "port: 1\n"}, []),
    "optional_present": ({"main.yaml": "defaults:\n  - optional db: pg\n  - _self_\nx: 1\n", "db/pg.yaml": "port: 1\n"}, []),
    "package_header": ({"main.yaml": "defaults:\n  - db: pg\n", "db/pg.yaml": "# @package storage.main\nport: 1\n"}, []),
    "package_global": ({"main.yaml": "defaults:\n  - db: pg\n  - _self_\nname: a\n", "db/pg.yaml": "# @package _global_\nname: b\nport: 1\n"}, []),
    "package_in_entry": ({"main.yaml": "defaults:\n  - db@primary: pg\n  - db@replica: pg\n", "db/pg.yaml": "port: 1\n"}, []),
    "nested_defaults": ({"main.yaml": "defaults:\n  - server: web\n", "server/web.yaml": "defaults:\n  - base\n  - _self_\nport: 80\n",
                         "server/base.yaml": "port: 1\nhost: x\n"}, []),
    "nested_group_in_option": ({"main.yaml": "defaults:\n  - server: web\n", "server/web.yaml": "defaults:\n  - tls: strict\nport: 80\n",
                                "server/tls/strict.yaml": "cert: a.pem\n"}, []),
    "absolute_group": ({"main.yaml": "defaults:\n  - server: web\n", "server/web.yaml": "defaults:\n  - /db: pg\nport: 80\n", "db/pg.yaml": "port: 1\n"}, []),
    "group_choice": ({"main.yaml": "defaults:\n  - db: pg\n", "db/pg.yaml": "port: 1\n", "db/my.yaml": "port: 2\n"}, ["db=my"]),
    "add_group": ({"main.yaml": "x: 1\n", "db/pg.yaml": "port: 1\n"}, ["+db=pg"]),
    "null_group": ({"main.yaml": "defaults:\n  - db: null\n  - _self_\nx: 1\n", "db/pg.yaml": "port: 1\n"}, ["db=pg"]),
    "add_delete_set": ({"main.yaml": "a:\n  b: 1\n  c: 2\nl: [1, 2]\n"}, ["+extra=1", "~a.c", "a.b=5", "l=[3]", "++d=x"]),
    "interpolation": ({"main.yaml": "defaults:\n  - db: pg\nurl: ${db.host}:${db.port}\n", "db/pg.yaml": "host: h\nport: 1\n"}, []),
    "missing_value": ({"main.yaml": "a: ???\nb: 1\n"}, []),
    "hydra_override": ({"main.yaml": "defaults:\n  - override hydra/job_logging: disabled\n  - override hydra/hydra_logging: disabled\n  - _self_\nx: 1\n"}, []),
    "hydra_node_in_entry": ({"main.yaml": "x: 1\nhydra:\n  run:\n    dir: out/${now:%Y}\n"}, []),
    "experiment": ({"main.yaml": "defaults:\n  - db: pg\n  - experiment: null\n", "db/pg.yaml": "port: 1\n", "db/my.yaml": "port: 2\n",
                    "experiment/big.yaml": "# @package _global_\ndefaults:\n  - override /db: my\nsize: 9\n"}, ["experiment=big"]),
    "list_of_options": ({"main.yaml": "defaults:\n  - cb: [a, b]\n", "cb/a.yaml": "a: 1\n", "cb/b.yaml": "b: 2\n"}, []),
}


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.mark.parametrize("feature", sorted(FEATURES))
@pytest.mark.parametrize("with_hydra", [False, True], ids=["app", "with-hydra"])
def test_feature_composes_as_hydra_does(tmp_path: Path, feature: str, with_hydra: bool) -> None:
    files, overrides = FEATURES[feature]
    write(tmp_path, files)
    theirs = hydra(tmp_path, "main", overrides, with_hydra)
    mine = ours(tmp_path / "main.yaml", overrides, with_hydra)
    assert_same(mine, theirs)
    assert_provenance_replays(tmp_path / "main.yaml", overrides)


def test_feature_provenance(tmp_path: Path) -> None:
    write(tmp_path, FEATURES["nested_defaults"][0] | {"db/pg.yaml": "port: 1\n"})
    keys = {e.key: e.source for e in merge_stack([str(tmp_path / "main.yaml")], ["+db=pg", "server.host=y"]).entries}
    assert keys == {"server.port": f"{tmp_path}/server/web.yaml", "server.host": "override server.host=y", "db.port": f"{tmp_path}/db/pg.yaml (+db=pg)"}


# -- broken projects -----------------------------------------------------------------------------------

BROKEN = {
    "missing_option": ({"main.yaml": "defaults:\n  - db: nope\n", "db/pg.yaml": "port: 1\n"}, [],
                       "main.yaml: Hydra cannot compose it: In 'main': Could not find 'db/nope' (no file db/nope.yaml); Available options in 'db': pg"),
    "override_unchosen": ({"main.yaml": "defaults:\n  - override db: pg\n", "db/pg.yaml": "port: 1\n"}, [],
                          "main.yaml: Hydra cannot compose it: In 'main': Could not override 'db'. No match in the defaults list."),
    "cycle": ({"main.yaml": "defaults:\n  - a\n", "a.yaml": "defaults:\n  - b\n", "b.yaml": "defaults:\n  - a\n"}, [],
              "main.yaml: defaults cycle: a.yaml → b.yaml → a.yaml"),
    "bad_package_header": ({"main.yaml": "defaults:\n  - db: pg\n", "db/pg.yaml": "# @package a b\nport: 1\n"}, [],
                           "db/pg.yaml: Hydra cannot compose it: Too many components in '@package a b'"),
    "bad_package_entry": ({"main.yaml": "defaults:\n  - db@..: pg\n", "db/pg.yaml": "port: 1\n"}, [],
                          "main.yaml: bad @package '..' for db/pg in the defaults list of main: a key path with an empty part"),
    "not_yaml": ({"main.yaml": "defaults:\n  - db: pg\n", "db/pg.yaml": "port: [1\n"}, [],
                 "db/pg.yaml:2:1: invalid YAML: expected ',' or ']', but got '<stream end>'"),
    "unknown_key": ({"main.yaml": "defaults:\n  - _self_\na: 1\n"}, ["b=2"],
                    "main.yaml: Hydra cannot compose it: Could not override 'b'.; To append to your config use +b=2"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_project_fails_with_hydras_error_or_a_clearer_one(tmp_path: Path, case: str) -> None:
    files, overrides, expected = BROKEN[case]
    write(tmp_path, files)
    with pytest.raises(Exception):  # noqa: B017, PT011 - Hydra's own exception types differ per case
        hydra(tmp_path, "main", overrides) if case != "bad_package_entry" else (_ for _ in ()).throw(ValueError())
    done = run_cli(["config", "merge", "main.yaml", *overrides], cwd=tmp_path)
    ok_or_finding(done, 2)
    message = done.stderr.strip()
    assert message.startswith("mlops-tui: " + expected.format(root=tmp_path)), message
    assert "--no-compose" in message
    assert "Traceback" not in done.stderr
    uncomposed = run_cli(["config", "merge", "--no-compose", "main.yaml"], cwd=tmp_path)
    ok_or_finding(uncomposed, 0)


def test_missing_value_is_said_on_a_merge_and_fatal_when_resolved_or_validated(tmp_path: Path) -> None:
    """A plain merge shows ??? as the value and says it is missing (exit 0); --resolve and validation cannot give
    or judge a value for it: exit 2 naming the key and the file that left it missing."""
    write(tmp_path, {"main.yaml": "defaults:\n  - db: pg\n  - _self_\nname: svc\n", "db/pg.yaml": "host: ???\nport: 1\n",
                     "schema.json": '{"type": "object", "properties": {"db": {"type": "object", "properties": {"host": {"type": "integer"}, "port": {"type": "integer", "minimum": 2}}}}}'})
    said = "mlops-tui: db.host: missing value (???), set by db/pg.yaml; give it a value (db.host=VALUE)"
    done = run_cli(["config", "merge", "main.yaml"], cwd=tmp_path)
    ok_or_finding(done, 0)
    assert "host: ???" in done.stdout and done.stderr.strip() == said
    resolved = run_cli(["config", "merge", "--resolve", "main.yaml"], cwd=tmp_path)
    ok_or_finding(resolved, 2)
    assert resolved.stderr.strip() == said
    ok_or_finding(run_cli(["config", "merge", "--resolve", "main.yaml", "db.host=7"], cwd=tmp_path), 0)
    valid = run_cli(["config", "validate", "main.yaml", "db.port=3", "--schema", "schema.json"], cwd=tmp_path)
    ok_or_finding(valid, 2)
    assert valid.stdout.strip() == "1 missing value (???) not validated; the rest is valid against schema.json"  # not "'???' is not an integer"
    assert valid.stderr.strip() == said
    both = run_cli(["config", "validate", "main.yaml", "--schema", "schema.json", "--json"], cwd=tmp_path)
    ok_or_finding(both, 2)
    assert json.loads(both.stdout) == {"valid": False, "against": "schema.json", "errors": [{"path": "db.port", "message": "1 is less than the minimum of 2"}],
                                       "missing": [{"path": "db.host", "source": "db/pg.yaml"}]}
    ok_or_finding(run_cli(["config", "validate", "main.yaml", "db.host=7", "db.port=3", "--schema", "schema.json"], cwd=tmp_path), 0)


def test_hydra_resolvers_resolve_only_when_asked_and_secrets_stay_masked(tmp_path: Path, monkeypatch) -> None:
    import datetime
    import os

    monkeypatch.setenv("MLOPS_TUI_TEST_TOKEN", "hunter2-secret-value")
    write(tmp_path, {"main.yaml": "defaults:\n  - _self_\nrun:\n  cwd: ${hydra:runtime.cwd}\n  year: ${now:%Y}\n"
                                  "  out: ${oc.select:missing.key,fallback}\n  api_token: ${oc.env:MLOPS_TUI_TEST_TOKEN}\n"})
    closed = {e.key: e for e in merge_stack([str(tmp_path / "main.yaml")]).entries}
    assert closed["run.cwd"].value == os.getcwd() and closed["run.cwd"].raw == "${hydra:runtime.cwd}"
    assert closed["run.year"].value == str(datetime.datetime.now().year)
    assert closed["run.out"].value == "fallback"
    assert closed["run.api_token"].env_pending and closed["run.api_token"].value == "${oc.env:MLOPS_TUI_TEST_TOKEN}"
    opened = merge_stack([str(tmp_path / "main.yaml")], resolve_env=True)
    assert {e.key: e for e in opened.entries}["run.api_token"].value == "hunter2-secret-value"
    assert "hunter2" not in repr(opened.tree())
    done = run_cli(["config", "merge", "main.yaml", "--resolve", "--env"], cwd=tmp_path)
    ok_or_finding(done, 0)
    assert "hunter2" not in done.stdout and f"cwd: {tmp_path}" in done.stdout
    raw = run_cli(["config", "merge", "main.yaml"], cwd=tmp_path)
    assert "cwd: ${hydra:runtime.cwd}" in raw.stdout


# -- libyaml under Hydra: the same data and the same errors as OmegaConf's own loader ----------------------

YAML_CASES = {
    "floats": "a: 1e-3\nb: 1.5e+10\nc: .inf\nd: -.5\ne: 1_000.5\nf: 3e5\n",
    "no_timestamps": "day: 2024-01-31\nwhen: 2024-01-31 10:00:00\n",
    "scalars": "y: yes\nn: no\no: on\nnull_: ~\nhex: 0x1F\noct: 0o17\nstr: '0123'\nsexa: 1:30\n",
    "anchors": "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\nlist: [*b, *b]\n",
    "unicode_multiline": "name: 'Zürich ✓'\ntext: |\n  line one\n  line two\nfolded: >\n  a\n  b\n",
    "path": "p: !!python/object/apply:pathlib.Path [a, b]\n",
}
YAML_BROKEN = {
    "duplicate_key": "a: 1\nb: 2\na: 3\n",
    "unclosed": "port: [1\n",
    "bad_indent": "a:\n  b: 1\n c: 2\n",
    "tab": "a:\n\tb: 1\n",
}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_fast_yaml_gives_omegaconfs_data(tmp_path: Path, case: str) -> None:
    from mlops_tui.sources.configs.compose import _fast_yaml

    path = tmp_path / "c.yaml"
    path.write_text(YAML_CASES[case], encoding="utf-8")
    theirs = OmegaConf.to_container(OmegaConf.load(path), resolve=False)
    with _fast_yaml():
        mine = OmegaConf.to_container(OmegaConf.load(path), resolve=False)
    assert mine == theirs and [type(v) for v in mine.values()] == [type(v) for v in theirs.values()]


@pytest.mark.parametrize("case", sorted(YAML_BROKEN))
def test_fast_yaml_gives_omegaconfs_error(tmp_path: Path, case: str) -> None:
    from mlops_tui.sources.configs.compose import _fast_yaml

    path = tmp_path / "c.yaml"
    path.write_text(YAML_BROKEN[case], encoding="utf-8")
    with pytest.raises(Exception) as theirs, path.open(encoding="utf-8") as f:  # noqa: PT011 - whatever OmegaConf raises
        OmegaConf.load(f)
    with pytest.raises(type(theirs.value)) as mine, _fast_yaml(), path.open(encoding="utf-8") as f:
        OmegaConf.load(f)
    assert str(mine.value) == str(theirs.value)


def test_warm_up_composes_and_later_compositions_equal_hydras() -> None:
    from mlops_tui.sources.configs import compose as module

    module._WARM.clear()
    module.warm_up()
    assert module._WARM.is_set()
    assert_same(ours(TEMPLATE / "train.yaml", ["trainer=ddp"]), hydra(TEMPLATE, "train", ["trainer=ddp"]))


@pytest.mark.parametrize("case", sorted(YAML_BROKEN))
def test_fast_yaml_gives_omegaconfs_error_from_a_string(case: str) -> None:
    from mlops_tui.sources.configs.compose import _fast_yaml

    with pytest.raises(Exception) as theirs:  # noqa: PT011 - whatever OmegaConf raises
        OmegaConf.create(YAML_BROKEN[case])
    with pytest.raises(type(theirs.value)) as mine, _fast_yaml():
        OmegaConf.create(YAML_BROKEN[case])
    assert str(mine.value) == str(theirs.value)


# -- a configured project: configs.hydra_config_path and configs.hydra_config_name ---------------------------

CONFIGURED = {
    "conf/a_eval.yaml": "defaults:\n  - db: pg\n  - experiment: null\n  - _self_\nmode: eval\n",
    "conf/main.yaml": "defaults:\n  - db: pg\n  - server/tls/deep/leaf: strict\n  - experiment: null\n  - _self_\nmode: train\n",
    "conf/db/pg.yaml": "port: 1\n",
    "conf/db/my.yaml": "port: 2\n",
    "conf/server/tls/deep/leaf/strict.yaml": "cert: a.pem\n",
    "conf/experiment/big.yaml": "# @package _global_\ndefaults:\n  - override /db: my\nsize: 9\n",
}


def test_configured_config_folder_and_primary_config(tmp_path: Path) -> None:
    write(tmp_path, CONFIGURED)
    conf = tmp_path / "conf"
    experiment = ["config", "merge", "conf/experiment/big.yaml", "--json"]
    guessed = run_cli(experiment, cwd=tmp_path)  # found from the file: through a_eval.yaml, the first entry choosing it
    ok_or_finding(guessed, 0)
    import json

    assert json.loads(guessed.stdout)["config"] == hydra(conf, "a_eval", ["experiment=big"])
    named = run_cli(["configs.hydra_config_name=main", *experiment], cwd=tmp_path)
    ok_or_finding(named, 0)
    assert json.loads(named.stdout)["config"] == hydra(conf, "main", ["experiment=big"])
    # four folders down: beyond what is searched from the file, an option of its group under the configured folder
    deep = ["config", "merge", "conf/server/tls/deep/leaf/strict.yaml", "--defaults"]
    assert run_cli(deep, cwd=tmp_path).returncode == 2  # as written it has no defaults list and is no group option found
    configured = run_cli(["configs.hydra_config_path=conf", *deep], cwd=tmp_path)
    ok_or_finding(configured, 0)
    assert configured.stdout.splitlines()[1:] == ["server/tls/deep/leaf/strict: conf/server/tls/deep/leaf/strict.yaml"]
    alone = run_cli(["configs.hydra_config_path=conf", "config", "merge", "conf/server/tls/deep/leaf/strict.yaml", "--json"], cwd=tmp_path)
    assert json.loads(alone.stdout)["config"] == hydra(conf, "server/tls/deep/leaf/strict")["server"]["tls"]["deep"]["leaf"]


def test_configured_config_folder_applies_to_files_at_a_git_revision(tmp_path: Path, run_git) -> None:
    """REV:conf/... is composed from the revision's copy of the configured config folder, as the working tree is."""
    import json

    repo, oracle = tmp_path / "repo", tmp_path / "oracle"
    write(repo, CONFIGURED)
    write(oracle, CONFIGURED)
    run_git(repo, "init", "-q", "-b", "main")
    run_git(repo, "add", ".")
    run_git(repo, "commit", "-q", "-m", "one")
    (repo / "conf/main.yaml").write_text(CONFIGURED["conf/main.yaml"].replace("mode: train", "mode: train2"))
    (repo / "conf/server/tls/deep/leaf/strict.yaml").write_text("cert: b.pem\n")
    settings = ["configs.hydra_config_path=conf", "configs.hydra_config_name=main"]
    deep = ["config", "merge", "HEAD:conf/server/tls/deep/leaf/strict.yaml", "--defaults"]
    assert run_cli(deep, cwd=repo).returncode == 2  # searched from the file: four folders down, no group option found
    configured = run_cli([*settings, *deep], cwd=repo)
    ok_or_finding(configured, 0)
    assert configured.stdout.splitlines()[1:] == ["server/tls/deep/leaf/strict: HEAD:conf/server/tls/deep/leaf/strict.yaml"]
    alone = run_cli([*settings, "config", "merge", "HEAD:conf/server/tls/deep/leaf/strict.yaml", "--json"], cwd=repo)
    ok_or_finding(alone, 0)
    assert json.loads(alone.stdout)["config"] == hydra(oracle / "conf", "server/tls/deep/leaf/strict")["server"]["tls"]["deep"]["leaf"]
    experiment = run_cli([*settings, "config", "merge", "HEAD:conf/experiment/big.yaml", "--json"], cwd=repo)
    ok_or_finding(experiment, 0)
    assert json.loads(experiment.stdout)["config"] == hydra(oracle / "conf", "main", ["experiment=big"])
    diff = run_cli([*settings, "config", "diff", "HEAD:conf/experiment/big.yaml", "conf/experiment/big.yaml"], cwd=repo)
    ok_or_finding(diff, 0)
    assert diff.stdout.splitlines()[2:] == ['~ server.tls.deep.leaf.cert: "a.pem" -> "b.pem"', '~ mode: "train" -> "train2"',
                                         "2 changes: 2 changed"], diff.stdout
    folders = run_cli([*settings, "config", "diff", "HEAD:conf", "conf", "--json"], cwd=repo)
    ok_or_finding(folders, 0)
    changes = {(c["file"], c["path"]) for c in json.loads(folders.stdout)["changes"]}
    assert changes == {("experiment/big.yaml", "mode"), ("experiment/big.yaml", "server.tls.deep.leaf.cert"), ("main.yaml", "mode"),
                       ("main.yaml", "server.tls.deep.leaf.cert"), ("server/tls/deep/leaf/strict.yaml", "cert")}
