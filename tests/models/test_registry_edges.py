"""GTO corner cases on plain git, compared with `gto show` and `gto history`."""

from __future__ import annotations

from datetime import datetime

from mlops_tui.sources.models import ModelRepository


def test_edge_cases_match_gto(edge_repo):
    registry = ModelRepository(str(edge_repo.root)).load().registry
    shown = edge_repo.json("gto", "show", "--json")
    ours = {
        name: {"version": e.latest, "stage": e.stages, "registered": e.registered, "active": e.active}
        for name, e in registry.entries.items() if e.active
    }
    assert ours == shown
    # unassigning v0.2.0 from prod leaves v0.1.0 there; the rc was deregistered; the subfolder artifact keeps its name
    assert shown["nn"]["version"] == "v0.2.0" and shown["nn"]["stage"]["prod"] == "v0.1.0"
    assert shown["models/sub:enc"]["stage"]["prod"] == "v1.0.0"
    dev = shown["nn"]["stage"]["dev"]
    assert dev is not None and len(dev) == 40  # a stage on an unregistered commit names the commit

    per_version = edge_repo.json("gto", "show", "nn", "--json")
    theirs = sorted((v["version"], v["commit_hexsha"], tuple(sorted(s["stage"] for s in v["stages"])))
                    for v in per_version)
    mine = sorted((v.version, v.commit, tuple(v.stages)) for v in registry.entries["nn"].versions if v.active)
    assert mine == theirs

    history = edge_repo.json("gto", "history", "--json")
    assert [(datetime.fromisoformat(e["timestamp"]), e["artifact"], e["event"], e["version"], e["stage"], e["ref"])
            for e in history] == [
        (e.timestamp, e.artifact, e.event, e.version, e.stage, e.ref) for e in registry.events
    ]


def test_stage_and_version_shortcuts_resolve(edge_repo):
    source = ModelRepository(str(edge_repo.root))
    source.load()
    prod = source.resolve("nn#prod")
    assert prod.commit == source.resolve("nn@v0.1.0").commit
    assert source.resolve("models/sub:enc#prod").commit == edge_repo.run("git", "rev-parse", "HEAD~2").strip()
    assert source.resolve("nn@latest").commit == edge_repo.run("git", "rev-parse", "HEAD~1").strip()
