"""A value that interpolates a missing one (`${model.lr}` where model.lr is `???`) says which value it needs, in
words of ours, not OmegaConf's "MissingMandatoryValue while resolving interpolation"."""

from __future__ import annotations

from pathlib import Path

from support.cli import run_cli


def test_merge_resolve_names_the_missing_value_an_interpolation_needs(tmp_path: Path):
    (tmp_path / "train.yaml").write_text("model:\n  lr: ???\noptimizer:\n  lr: ${model.lr}\n")
    result = run_cli(["config", "merge", "train.yaml", "--resolve"], cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert "mlops-tui: model.lr: missing value (???), set by train.yaml; give it a value (model.lr=VALUE)" in lines
    assert ("mlops-tui: optimizer.lr: ${model.lr} needs model.lr, which is missing (???): give it a value "
            "(model.lr=VALUE)") in lines, lines
    assert "MissingMandatoryValue" not in result.stderr
    given = run_cli(["config", "merge", "train.yaml", "--resolve", "model.lr=0.1"], cwd=tmp_path)
    assert given.returncode == 0 and "lr: 0.1" in given.stdout.split("optimizer:")[1], given.stdout + given.stderr
