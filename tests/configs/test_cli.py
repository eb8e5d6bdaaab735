"""`mlops-tui config diff|merge|validate` run as a real subprocess: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import run_cli

ML = "configs/ml"


def ok_or_finding(done, code: int) -> None:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_diff_two_versions_exit_code_and_text(ml: Path) -> None:
    done = run_cli(["config", "diff", f"{ML}/versions/train_v1.yaml", f"{ML}/versions/train_v2.yaml", "--list-key", "name", "--exit-code"], cwd=ml.parents[1])
    ok_or_finding(done, 1)
    lines = done.stdout.splitlines()
    assert '~ model.name: "resnet50" -> "vit_b16"' in lines
    assert '! optimizer.weight_decay: 0.01 -> "0.05"  (type float -> str)' in lines
    assert '+ callbacks[name=lr_monitor]: {"name": "lr_monitor", "logging_interval": "step"}' in lines
    assert lines[-1] == "12 changes: 2 added, 9 changed, 1 type changed"
    same = run_cli(["config", "diff", f"{ML}/train.yaml", f"{ML}/train.yaml", "--exit-code"], cwd=ml.parents[1])
    ok_or_finding(same, 0)
    assert same.stdout.splitlines()[-1] == "no differences"
    without_flag = run_cli(["config", "diff", f"{ML}/versions/train_v1.yaml", f"{ML}/versions/train_v2.yaml"], cwd=ml.parents[1])
    ok_or_finding(without_flag, 0)


def test_diff_json_ignore_order_and_revisions(ml_repo: Path) -> None:
    done = run_cli(["config", "diff", "v1:configs/train.yaml", "configs/train.yaml", "--json", "--ignore-order"], cwd=ml_repo)
    ok_or_finding(done, 0)
    report = json.loads(done.stdout)
    assert report["differ"] is True
    paths = {c["path"]: c for c in report["changes"]}
    assert paths["trainer.max_epochs"] == {"kind": "changed", "path": "trainer.max_epochs", "old": 20, "new": 30}
    assert "callbacks[2]" in paths and paths["callbacks[2]"]["kind"] == "added"


def test_diff_directories_at_revisions(ml_repo: Path) -> None:
    done = run_cli(["config", "diff", "v1:configs/env", "HEAD:configs/env", "--json"], cwd=ml_repo)
    ok_or_finding(done, 0)
    changes = json.loads(done.stdout)["changes"]
    assert {"kind": "added", "path": "<root>", "file": "canary.yaml", "new": {"service": {"replicas": 1}}} in changes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["config", "diff", "nope.yaml", f"{ML}/train.yaml"], "mlops-tui: nope.yaml: no such file"),
        (["config", "diff", "v9:configs/train.yaml", "configs/train.yaml"], "unknown revision 'v9'"),
        (["config", "diff", "v1:configs/gone.yaml", "configs/train.yaml"], "revision 'v1' has no file 'configs/gone.yaml'"),
        (["config", "merge", "BAD", "a=[1,"], "bad override"),
        (["config", "validate", "configs/train.yaml", "--model", "nosuch:Cls"], "cannot import module 'nosuch'"),
        (["config", "validate", "configs/train.yaml"], "nothing to validate against"),
        (["config", "validate", "configs/train.yaml", "--model", "a:B", "--schema", "s.json"], "not both"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(ml_repo: Path, args, message) -> None:
    args = [a.replace("BAD", "configs/train.yaml") for a in args]
    done = run_cli(args, cwd=ml_repo)
    ok_or_finding(done, 2)
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_invalid_yaml_reports_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("trainer:\n  max_epochs: [1,\n")
    (tmp_path / "ok.yaml").write_text("trainer: {}\n")
    done = run_cli(["config", "diff", "bad.yaml", "ok.yaml"], cwd=tmp_path)
    ok_or_finding(done, 2)
    assert done.stderr.startswith("mlops-tui: bad.yaml:3:1: invalid YAML")


def test_merge_provenance_and_resolve(ml: Path) -> None:
    done = run_cli(["config", "merge", f"{ML}/env/base.yaml", f"{ML}/env/staging.yaml", "service.replicas=3", "--provenance", "--resolve"], cwd=ml.parents[1])
    ok_or_finding(done, 0)
    lines = {line.split(" = ")[0].strip(): line for line in done.stdout.splitlines()}
    assert lines["service.replicas"].endswith("= 3  # override service.replicas=3")
    assert lines["service.model_uri"].endswith('"models:/churn-classifier/staging"  (raw "models:/churn-classifier/${service.stage}")  # configs/ml/env/base.yaml')
    assert lines["database.host"].endswith("# configs/ml/env/staging.yaml")
    assert "database.password: needs ${oc.env:...}; not resolved without --env" in done.stderr


def test_merge_yaml_masks_secrets_and_flags_missing(ml: Path) -> None:
    done = run_cli(["config", "merge", f"{ML}/env/base.yaml", "database.password=hunter2hunter2"], cwd=ml.parents[1])
    ok_or_finding(done, 0)
    assert "hunter2" not in done.stdout + done.stderr
    assert "password: ••••••" in done.stdout
    assert "stage: ???" in done.stdout
    assert "service.stage: missing value (???), set by configs/ml/env/base.yaml" in done.stderr


def test_merge_env_on_request_still_masked(ml: Path) -> None:
    env = {"SCORER_DB_PASSWORD": "from-env-secret"}
    done = run_cli(["config", "merge", f"{ML}/env/base.yaml", f"{ML}/env/prod.yaml", "--resolve", "--env", "--json"], cwd=ml.parents[1], env=env)
    ok_or_finding(done, 0)
    assert "from-env-secret" not in done.stdout
    report = json.loads(done.stdout)
    assert report["config"]["database"]["url"] == "postgresql://scorer@pg.prod.internal:6432/features"


def test_merge_cycle_exits_2(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("a: ${b}\nb: ${a}\nc: ${bad_resolver:1}\n")
    done = run_cli(["config", "merge", "c.yaml", "--resolve"], cwd=tmp_path)
    ok_or_finding(done, 2)
    assert "mlops-tui: a: interpolation cycle" in done.stderr
    assert "mlops-tui: c: Unsupported interpolation type bad_resolver" in done.stderr
    raw = run_cli(["config", "merge", "c.yaml"], cwd=tmp_path)
    ok_or_finding(raw, 0)
    assert "a: ${b}" in raw.stdout


def test_validate_model_and_schema(ml: Path, tmp_path: Path) -> None:
    root = ml.parents[1]
    good = run_cli(["config", "validate", f"{ML}/versions/train_v2.yaml", "--model", "train_schema:TrainConfig", "--model-path", f"{ML}/schema"], cwd=root)
    ok_or_finding(good, 0)
    assert good.stdout.strip() == "valid against train_schema:TrainConfig"
    bad = run_cli(["config", "validate", f"{ML}/env/base.yaml", f"{ML}/env/prod.yaml", "service.replicas=0", "--schema", f"{ML}/schema/serving.schema.json", "--json"], cwd=root)
    ok_or_finding(bad, 1)
    assert json.loads(bad.stdout)["errors"] == [{"path": "service.replicas", "message": "0 is less than the minimum of 1"}]
    from_settings = run_cli([f"configs.schema_file={ML}/schema/serving.schema.json", "config", "validate", f"{ML}/env/base.yaml"], cwd=root)
    ok_or_finding(from_settings, 2)  # service.stage is ???: nothing to validate, not "'???' is not one of [...]"
    assert from_settings.stdout.strip() == f"1 missing value (???) not validated; the rest is valid against {ML}/schema/serving.schema.json"
    assert f"service.stage: missing value (???), set by {ML}/env/base.yaml" in from_settings.stderr


def test_diff_merged_stacks_and_secrets_masked(ml: Path, tmp_path: Path) -> None:
    base = f"{ML}/env/base.yaml"
    done = run_cli(["config", "diff", f"{base}+{ML}/env/staging.yaml", f"{base}+{ML}/env/prod.yaml", "--exit-code"], cwd=ml.parents[1])
    ok_or_finding(done, 1)
    assert "~ service.replicas: 1 -> 6" in done.stdout.splitlines()
    assert '~ service.model_uri: "models:/churn-classifier/staging" -> "models:/churn-classifier/production"' in done.stdout.splitlines()
    (tmp_path / "a.json").write_text('{"api_key": "abc123-old", "hf": "hf_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}')
    (tmp_path / "b.json").write_text('{"api_key": "abc123-new", "hf": "hf_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}')
    for extra in ([], ["--json"]):
        masked = run_cli(["config", "diff", "a.json", "b.json", *extra], cwd=tmp_path)
        ok_or_finding(masked, 0)
        assert "abc123" not in masked.stdout and "hf_" not in masked.stdout and "••••••" in masked.stdout


def test_composed_training_config_with_group_override(ml: Path) -> None:
    done = run_cli(["config", "merge", f"{ML}/train.yaml", "model=vit_b16", "--json", "--provenance"], cwd=ml.parents[1])
    ok_or_finding(done, 0)
    report = json.loads(done.stdout)
    assert report["config"]["model"]["name"] == "vit_b16"
    assert "defaults" not in report["config"]
    sources = {k["path"]: k["source"] for k in report["keys"]}
    assert sources["model.hidden_dim"] == f"{ML}/model/vit_b16.yaml (model=vit_b16)"
    missing = run_cli(["config", "merge", f"{ML}/train.yaml", "model=nope"], cwd=ml.parents[1])
    ok_or_finding(missing, 2)
    assert missing.stderr.strip() == (f"mlops-tui: {ML}/train.yaml: Hydra cannot compose it: In 'train': Could not find 'model/nope' "
                                      f"(no file {ML}/model/nope.yaml); Available options in 'model': resnet50, vit_b16; "
                                      "to see the file uncomposed: mlops-tui config merge --no-compose FILE (pane: u)")


def test_diff_two_compositions_of_one_training_config(ml: Path) -> None:
    done = run_cli(["config", "diff", f"{ML}/train.yaml+model=resnet50", f"{ML}/train.yaml+model=vit_b16+trainer.max_epochs=40", "--json"], cwd=ml.parents[1])
    ok_or_finding(done, 0)
    changes = {c["path"]: c for c in json.loads(done.stdout)["changes"]}
    assert changes["model.name"] == {"kind": "changed", "path": "model.name", "old": "resnet50", "new": "vit_b16"}
    assert changes["model.freeze_backbone"]["kind"] == "removed"
    assert changes["trainer.max_epochs"] == {"kind": "changed", "path": "trainer.max_epochs", "old": 30, "new": 40}
    assert "data.train" not in changes
    only_overrides = run_cli(["config", "diff", "a=1+b=2", f"{ML}/train.yaml"], cwd=ml.parents[1])
    ok_or_finding(only_overrides, 2)
    assert "a stack needs at least one file" in only_overrides.stderr


def test_ten_megabyte_value_is_diffed_and_shown_cut(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("blob: " + "x" * 10_000_000 + "\nn: 1\n")
    (tmp_path / "b.yaml").write_text("blob: " + "x" * 9_999_999 + "y\nn: 1\n")
    done = run_cli(["config", "diff", "a.yaml", "b.yaml", "--json"], cwd=tmp_path, timeout=60)
    ok_or_finding(done, 0)
    (change,) = json.loads(done.stdout)["changes"]
    assert change["path"] == "blob" and change["old"].endswith("… [9,998,000 more chars]")
    assert len(done.stdout) < 10_000
