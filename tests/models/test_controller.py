"""The Models pane's model without a screen, on the repository the real dvc/gto made."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mlops_tui.sources.models import ModelsError
from mlops_tui.sources.models.controller import (
    ModelsModel,
    artifact_details,
    diff_rows,
    open_repository,
    registry_frequencies,
)

NOW = datetime(2026, 1, 12, 12, 0, tzinfo=timezone.utc)


def test_selection_pair_and_stale_results(registry_repo):
    source, snapshot = open_repository(str(registry_repo.root), 30)
    try:
        model = ModelsModel(30, "prod")
        generation = model.begin_load()
        current, retired = model.loaded(generation, source, snapshot, registry_frequencies(source, NOW))
        assert current and retired is None
        assert model.target() == "churn" and not model.stale("churn")
        model.select("churn")
        model.details_loaded(model.fetch_details(source, "churn", NOW))
        a, b = model.diff_pair(None)
        assert (a.spec, b.spec) == ("churn#prod", "churn@v1.2.0")
        assert model.diff_answers("churn", "churn#prod", "churn@v1.2.0")
        assert not model.diff_answers("churn", "churn@v1.0.0", "churn@v1.2.0")  # an older request
        model.select("ranker")
        assert not model.diff_answers("churn", "churn#prod", "churn@v1.2.0")  # another artifact now
        assert model.base is None
        stale_load = model.loaded(generation - 1, source, snapshot, {})
        assert stale_load == (False, None)  # the current repository is not closed by a stale load
    finally:
        source.close()


def test_staleness_and_diff_rows_the_cli_and_pane_share(registry_repo):
    source, _ = open_repository(str(registry_repo.root), 30)
    try:
        late = registry_frequencies(source, NOW + timedelta(days=60))
        assert late["churn"].stale and "legacy" not in late  # deprecated models are not checked
        rows = diff_rows(source.diff("churn#prod", "churn@latest"))
        assert any(r.kind == "param" and r.name == "params.yaml:train.epochs" and r.change == "+10" for r in rows)
        assert any(r.kind == "out" and r.file == "models/churn.pkl" and r.change == "modified" for r in rows)
        with pytest.raises(ModelsError, match="no artifact or tracked output named 'nope'"):
            artifact_details(source, "nope")
    finally:
        source.close()


def test_a_failed_scan_is_a_message(tmp_path):
    with pytest.raises(ModelsError, match="is not a git repository"):
        open_repository(str(tmp_path), 30)
    model = ModelsModel()
    status = model.load_failed(ModelsError("gone", "hint"))
    assert status.state.value == "absent" and status.reason == "gone"
