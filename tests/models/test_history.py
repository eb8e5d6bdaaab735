"""History, artifacts and training frequency, checked against what git and dvc.lock record."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import yaml

from mlops_tui.sources.models import ModelRepository, ModelsError


@pytest.fixture(scope="module")
def source(registry_repo):
    repo = ModelRepository(str(registry_repo.root), stale_after_days=30)
    repo.load()
    return repo


def _lock_md5(builder, commit: str, path: str) -> str:
    lock = yaml.safe_load(builder.run("git", "show", f"{commit}:dvc.lock"))
    return next(o["md5"] for o in lock["stages"]["train"]["outs"] if o["path"] == path)


def test_churn_history_is_every_commit_that_changed_it(registry_repo, source):
    rows = source.history("churn")
    expected = registry_repo.run("git", "log", "--format=%H", "--", "dvc.lock").split()
    assert [r.commit for r in rows] == expected
    for row in rows:
        assert row.md5 == _lock_md5(registry_repo, row.commit, "models/churn.pkl")
        assert row.size == 30
    newest, middle, first = rows
    assert first.change == "added" and newest.change == "modified"
    assert newest.message == "Retrain on the November extract with more epochs"
    assert newest.deps_changed == ["data/raw.csv"] and newest.params_changed == ["params.yaml:train.epochs"]
    assert middle.deps_changed == [] and middle.params_changed == ["params.yaml:train.lr"]
    assert set(newest.tags) == {"churn@v1.2.0", "churn#staging"}  # ranker's tags on that commit are left out


def test_history_by_path_and_by_dvc_file(registry_repo, source):
    by_path = source.history("data/raw.csv")
    by_file = source.history("./data/raw.csv.dvc")
    assert [r.commit for r in by_path] == [r.commit for r in by_file]
    assert [r.size for r in by_path] == [21, 13]
    with pytest.raises(ModelsError, match="no artifact or tracked output named 'nope'"):
        source.history("nope")


def test_artifacts_list(registry_repo, source):
    arts = {a.name: a for a in source.artifacts()}
    churn = arts["churn"]
    assert (churn.path, churn.type, churn.desc) == ("models/churn.pkl", "model", "Customer churn classifier")
    head = registry_repo.run("git", "rev-parse", "HEAD").strip()
    assert churn.md5 == _lock_md5(registry_repo, head, "models/churn.pkl")
    assert {"dvc.lock", "dvc.yaml", "gto"} <= set(churn.origins)
    assert arts["data/raw.csv"].origins == [".dvc"] and arts["data/raw.csv"].size == 21
    assert "ranker" in arts and "models/ranker.bin" in arts and "legacy" in arts


def test_training_frequency(source):
    versions = {v.version: v.created_at for v in source.registry().entries["churn"].versions}
    newest = versions["v1.2.0"]
    fresh = source.frequency("churn", now=newest + timedelta(days=2))
    assert fresh.basis == "versions" and len(fresh.dates) == 3
    assert fresh.last_gap_days == pytest.approx((newest - versions["v1.1.0"]).total_seconds() / 86400)
    two_gaps = (newest - versions["v1.0.0"]).total_seconds() / 86400
    assert fresh.median_gap_days == pytest.approx(two_gaps / 2)  # median of two gaps is their mean
    assert fresh.age_days == pytest.approx(2) and not fresh.stale
    assert source.frequency("churn", now=newest + timedelta(days=31)).stale
    data = source.frequency("data/raw.csv", now=datetime(2026, 2, 1, tzinfo=timezone.utc))
    assert data.basis == "commits" and len(data.dates) == 2


def test_directory_output_has_nfiles(source):
    (row,) = source.history("data/images")
    assert row.nfiles == 3 and row.change == "added" and row.md5.endswith(".dir")
    assert {a.name: a for a in source.artifacts()}["data/images"].nfiles == 3
