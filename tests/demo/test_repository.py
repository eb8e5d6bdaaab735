"""The sandbox is a valid git/DVC/GTO repository for the real tools."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from demo.tools import NOW, run, run_json

from mlops_tui.demo.sandbox import prepare

CHURN_VERSIONS = ["v1.0.0", "v1.1.0", "v1.3.0", "v1.4.0", "v1.5.0", "v1.5.1", "v1.6.0", "v2.0.0"]


def test_dvc_status_reports_everything_up_to_date(sandbox: Path) -> None:
    result = run(sandbox, "dvc", "status", "--json")
    assert run_json(sandbox, "dvc", "status", "--json") == {}
    assert result.returncode == 0
    assert "Data and pipelines are up to date." in run(sandbox, "dvc", "status").stdout


def test_dvc_status_notices_a_changed_model(tmp_path: Path) -> None:
    root = prepare(tmp_path / "sb", now=NOW)
    with open(root / "models" / "churn.pkl", "ab") as handle:
        handle.write(b"tampered")
    status = run_json(root, "dvc", "status", "--json")
    assert status == {"train": [{"changed outs": {"models/churn.pkl": "modified"}}]}


def test_git_history_has_a_dozen_commits_with_fixed_spread_dates(sandbox: Path) -> None:
    assert run(sandbox, "git", "status", "--porcelain").stdout == ""  # logs/ and DVC outputs are ignored
    log = run(sandbox, "git", "log", "--format=%aI|%an|%s").stdout.splitlines()
    assert len(log) == 13
    dates = [datetime.fromisoformat(line.split("|")[0]) for line in log]
    assert dates == sorted(dates, reverse=True)
    assert dates[-1].isoformat() == "2026-09-01T09:14:00+00:00"
    assert dates[0] - dates[-1] > timedelta(weeks=11)
    assert {line.split("|")[1] for line in log} == {"Dana Ortiz", "Sam Whitfield", "Priya Raman"}
    tracked = run(sandbox, "git", "ls-files").stdout.split()
    for path in ("dvc.yaml", "dvc.lock", "params.yaml", "metrics.json", "data/raw.dvc", "models/fraud.onnx.dvc",
                 ".dvc/config", "configs/train.yaml", "configs/prod/train.yaml", "configs/ml/versions/train_v2.yaml"):
        assert path in tracked
    assert "models/churn.pkl" not in tracked and "logs/api.jsonl" not in tracked


def test_dvc_files_describe_a_directory_and_a_file(sandbox: Path) -> None:
    raw = (sandbox / "data" / "raw.dvc").read_text()
    assert "nfiles: 5" in raw and ".dir" in raw and "hash: md5" in raw and "path: raw" in raw
    fraud = (sandbox / "models" / "fraud.onnx.dvc").read_text()
    assert "size: 96000" in fraud and "path: fraud.onnx" in fraud
    assert "analytics = false" in (sandbox / ".dvc" / "config").read_text()


def test_params_diff_between_prod_and_staging(sandbox: Path) -> None:
    diff = run_json(sandbox, "dvc", "params", "diff", "churn@v1.5.1", "churn@v2.0.0", "--json")
    changes = {path: {key: (v["old"], v["new"]) for key, v in keys.items()} for path, keys in diff.items()}
    assert changes == {"params.yaml": {
        "data.test_size": (0.2, 0.15),
        "train.learning_rate": (0.05, 0.02),
        "train.n_estimators": (400, 900),
        "train.subsample": (1.0, 0.8),
    }}


def test_params_diff_of_the_first_tuning(sandbox: Path) -> None:
    diff = run_json(sandbox, "dvc", "params", "diff", "churn@v1.1.0", "churn@v1.2.0", "--json")
    params = diff["params.yaml"]
    assert (params["train.max_depth"]["old"], params["train.max_depth"]["new"]) == (6, 4)
    assert (params["train.learning_rate"]["old"], params["train.learning_rate"]["new"]) == (0.1, 0.05)
    assert "train.seed" not in params  # unchanged params are not listed


def test_metrics_diff(sandbox: Path) -> None:
    diff = run_json(sandbox, "dvc", "metrics", "diff", "churn@v1.0.0", "churn@v2.0.0", "--json")
    auc = diff["metrics.json"]["auc"]
    assert (auc["old"], auc["new"]) == (0.8412, 0.8718)
    assert set(diff["metrics.json"]) == {"auc", "f1", "precision", "recall", "log_loss"}
    shown = run_json(sandbox, "dvc", "metrics", "show", "--json")
    assert "0.8718" in str(shown)


def test_dvc_diff_lists_the_model_change(sandbox: Path) -> None:
    diff = run_json(sandbox, "dvc", "diff", "--json", "churn@v1.6.0", "churn@v2.0.0")
    assert diff["modified"] == [{"path": "models/churn.pkl"}]
    assert diff["added"] == diff["deleted"] == []
    diff = run_json(sandbox, "dvc", "diff", "--json", "churn@v1.5.1", "churn@v1.6.0")
    assert {"path": "data/raw/customers-2026-11.csv"} in diff["added"]
    assert {"path": "models/churn.pkl"} in diff["modified"]
    diff = run_json(sandbox, "dvc", "diff", "--json", "fraud@v0.2.0", "fraud@v1.0.0")
    assert {"path": "models/fraud.onnx"} in diff["modified"]


def test_gto_show_versions_and_stages(sandbox: Path) -> None:
    shown = run_json(sandbox, "gto", "show", "--json")
    assert shown == {
        "churn": {"version": "v2.0.0", "stage": {"dev": None, "staging": "v2.0.0", "prod": "v1.5.1"},
                  "registered": True, "active": True},
        "fraud": {"version": "v1.0.0", "stage": {"dev": None, "staging": "v1.0.0", "prod": "v0.2.0"},
                  "registered": True, "active": True},
    }
    versions = run_json(sandbox, "gto", "show", "churn", "--json")
    assert [v["version"] for v in versions] == CHURN_VERSIONS[::-1]  # v1.2.0 was deregistered


def test_gto_history_shows_weeks_of_events(sandbox: Path) -> None:
    history = run_json(sandbox, "gto", "history", "churn", "--json")
    events = [(e["event"], e["version"], e["stage"]) for e in history]
    assert ("deregistration", "v1.2.0", None) in events
    assert ("assignment", "v1.5.1", "prod") in events
    assert sum(1 for e in events if e[0] == "registration") == 9
    stamps = [datetime.fromisoformat(e["timestamp"]) for e in history]
    assert max(stamps) - min(stamps) > timedelta(weeks=11)
    assert {e["author"] for e in history} == {"release-bot", "Priya Raman"}
    tags = run(sandbox, "git", "tag", "--list", "churn#prod#*").stdout.split()
    assert sorted(tags) == ["churn#prod#11", "churn#prod#2", "churn#prod#4", "churn#prod#8"]
    assert run(sandbox, "git", "cat-file", "-t", "churn#prod#11").stdout.strip() == "tag"  # annotated


def test_same_history_every_time(sandbox: Path, tmp_path: Path) -> None:
    other = prepare(tmp_path / "again", now=NOW)
    for ref in ("HEAD", "churn@v1.0.0", "fraud#prod#3"):
        assert run(other, "git", "rev-parse", ref).stdout == run(sandbox, "git", "rev-parse", ref).stdout
    assert (other / "logs" / "api.jsonl").read_bytes() == (sandbox / "logs" / "api.jsonl").read_bytes()


_EVERY_COMMIT = """
import json, subprocess, sys
from dvc.repo import Repo

results = {}
for commit in sys.argv[1:]:
    subprocess.run(["git", "-c", "advice.detachedHead=false", "checkout", "-q", commit], check=True)
    repo = Repo(".")
    repo.checkout()
    results[commit] = repo.status()
    repo.close()
print(json.dumps(results))
"""


@pytest.mark.slow
def test_every_commit_is_consistent_and_its_data_is_in_the_cache(tmp_path: Path) -> None:
    root = prepare(tmp_path / "sb", now=NOW)
    commits = run(root, "git", "rev-list", "--reverse", "HEAD").stdout.split()
    # One process for all commits: `dvc checkout` then `dvc status` through DVC's own Repo API.
    statuses = json.loads(run(root, sys.executable, "-c", _EVERY_COMMIT, *commits).stdout)
    assert statuses == {commit: {} for commit in commits}
    run(root, "git", "checkout", "-q", "churn@v1.0.0")
    run(root, "dvc", "checkout", "-q")
    assert run_json(root, "dvc", "status", "--json") == {}
    assert sorted(p.name for p in (root / "data" / "raw").iterdir()) == ["customers-2026-07.csv",
                                                                         "customers-2026-08.csv"]
    assert not (root / "models" / "fraud.onnx.dvc").exists()


def test_the_baseline_was_deprecated_then_removed(sandbox: Path) -> None:
    history = run_json(sandbox, "gto", "history", "churn-baseline", "--json")
    assert [(e["event"], e["version"], e["timestamp"]) for e in history] == [
        ("deprecation", None, "2026-10-01T09:00:00+00:00"),
        ("registration", "v0.1.0", "2026-09-01T09:30:00+00:00"),
    ]
    assert "churn-baseline" not in run_json(sandbox, "gto", "show", "--json")
    diff = run_json(sandbox, "dvc", "diff", "--json", "churn@v1.3.0", "churn@v1.4.0")
    assert {"path": "models/churn-baseline.pkl"} in diff["deleted"]
    assert not (sandbox / "models" / "churn-baseline.pkl").exists()


def test_dvc_reads_the_artifacts_section(sandbox: Path) -> None:
    script = ("import json; from dvc.repo import Repo; "
              "print(json.dumps({n: [a.path, a.type] for n, a in Repo('.').artifacts.read()['dvc.yaml'].items()}))")
    artifacts = json.loads(run(sandbox, sys.executable, "-c", script).stdout)
    assert artifacts == {"churn": ["models/churn.pkl", "model"], "fraud": ["models/fraud.onnx", "model"]}
