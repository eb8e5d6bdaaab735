"""The registry computed from tags agrees with `gto show` and `gto history` on a repository gto made."""

from __future__ import annotations

from datetime import datetime

from mlops_tui.sources.models import ModelRepository
from mlops_tui.sources.models.gto import parse_shortcut, parse_tag, semver_key


def test_registry_matches_gto_show(registry_repo):
    expected = registry_repo.json("gto", "show", "--json")
    registry = ModelRepository(str(registry_repo.root)).load().registry
    ours = {
        name: {"version": e.latest, "stage": e.stages, "registered": e.registered, "active": e.active}
        for name, e in registry.entries.items()
        if e.active
    }
    assert ours == expected
    # the scenario really exercises what it claims to
    assert expected["churn"]["stage"] == {"prod": "v1.1.0", "staging": "v1.2.0"}
    assert "legacy" not in expected and "legacy" in registry.entries


def test_versions_match_gto_show_per_artifact(registry_repo):
    registry = ModelRepository(str(registry_repo.root)).load().registry
    for name in ("churn", "ranker"):
        expected = registry_repo.json("gto", "show", name, "--json")
        theirs = sorted((v["version"], v["commit_hexsha"], tuple(sorted(s["stage"] for s in v["stages"])))
                        for v in expected)
        ours = sorted((v.version, v.commit, tuple(v.stages)) for v in registry.entries[name].versions if v.active)
        assert ours == theirs


def test_timeline_matches_gto_history(registry_repo):
    expected = registry_repo.json("gto", "history", "--json")
    events = ModelRepository(str(registry_repo.root)).load().registry.events
    theirs = [
        (datetime.fromisoformat(e["timestamp"]), e["artifact"], e["event"], e["version"], e["stage"], e["commit"],
         e["ref"], e["message"])
        for e in expected
    ]
    ours = [(e.timestamp, e.artifact, e.event, e.version, e.stage, e.commit, e.ref, e.message) for e in events]
    assert ours == theirs
    kinds = {e[2] for e in theirs}
    assert kinds == {"registration", "deregistration", "assignment", "unassignment", "deprecation"}


def test_tag_grammar():
    assert parse_tag("churn@v1.2.0").action == "register"
    assert parse_tag("churn@v1.2.0!").action == "deregister"
    assert parse_tag("churn#prod#3") == parse_tag("churn#prod#3")
    assert (parse_tag("churn#prod#3").stage, parse_tag("churn#prod#3").counter) == ("prod", 3)
    assert parse_tag("churn#prod").counter is None
    assert parse_tag("churn#staging!#5").action == "unassign"
    assert parse_tag("churn@deprecated").action == "deprecate"
    assert parse_tag("models/nn=churn@v1.0.0").artifact == "models/nn:churn"
    assert parse_tag("v1.0.0") is None and parse_tag("churn@1.0") is None
    assert parse_shortcut("churn#prod") == ("churn", None, "prod")
    assert parse_shortcut("churn@v1.0.0") == ("churn", "v1.0.0", None)
    assert parse_shortcut("HEAD~1") is None
    ordered = sorted(["v1.10.0", "v1.2.0", "v1.2.0-rc.1", "v1.2.0-alpha", "v0.9.9"], key=semver_key)
    assert ordered == ["v0.9.9", "v1.2.0-alpha", "v1.2.0-rc.1", "v1.2.0", "v1.10.0"]
