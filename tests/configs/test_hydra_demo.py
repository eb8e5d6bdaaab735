"""The demo sandbox (`mlops-tui demo`'s repository) as Hydra composes it: every YAML under its configs/ that
Hydra would compose (entry configs, every group option of each group an entry config chooses from) equals
Hydra's compose() key by key, and the CLI composes each one (exit 0, no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from mlops_tui.demo.sandbox import prepare
from mlops_tui.sources.configs import merge_stack
from mlops_tui.sources.configs.compose import locate
from mlops_tui.sources.configs.merge import leaves
from support.cli import run_cli


def hydra(config_dir: Path, name: str, overrides: list[str] = ()) -> dict:
    """What Hydra's compose API gives, as plain data (interpolations unresolved)."""
    with initialize_config_dir(version_base="1.3", config_dir=str(config_dir.resolve())):
        return OmegaConf.to_container(compose(name, list(overrides)), resolve=False)


def ours(spec: Path, overrides: list[str] = ()) -> dict:
    return merge_stack([str(spec)], list(overrides)).tree(resolved=False, reveal=True)


def assert_same(mine: dict, theirs: dict) -> None:
    """Equal key by key, so a failure names the first differing key."""
    mine_leaves, their_leaves = dict(leaves(mine)), dict(leaves(theirs))
    assert sorted(map(str, mine_leaves)) == sorted(map(str, their_leaves))
    for path, value in their_leaves.items():
        assert mine_leaves[path] == value, path
    assert mine == theirs


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Path:
    return prepare(tmp_path_factory.mktemp("demo") / "sandbox")


def runs_of(configs: Path) -> list[tuple[Path, str, list[str]]]:
    """(config folder, config name, overrides) for each entry config and each option of the groups it chooses."""
    out = []
    for entry in sorted(configs.rglob("*.yaml")):
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "defaults" not in data:
            continue
        out.append((entry.parent, entry.stem, []))
        for item in data["defaults"]:
            if isinstance(item, dict):
                (key, _), = item.items()
                group = str(key).split()[-1]
                if group.startswith("hydra/") or not (entry.parent / group).is_dir():
                    continue
                for option in sorted((entry.parent / group).glob("*.yaml")):
                    out.append((entry.parent, entry.stem, [f"{group}={option.stem}"]))
    return out


def test_the_demo_has_hydra_entry_configs(sandbox: Path) -> None:
    names = {(folder.relative_to(sandbox).as_posix(), name) for folder, name, _ in runs_of(sandbox / "configs")}
    assert {("configs", "train"), ("configs/prod", "train"), ("configs/ml", "train")} <= names


def test_every_demo_composition_equals_hydras(sandbox: Path) -> None:
    runs = runs_of(sandbox / "configs")
    assert len(runs) >= 8
    for folder, name, overrides in runs:
        assert_same(ours(folder / f"{name}.yaml", overrides), hydra(folder, name, overrides))


def test_every_demo_group_option_alone_equals_hydras(sandbox: Path) -> None:
    seen = 0
    for path in sorted((sandbox / "configs").rglob("*.yaml")):
        project = locate(path, str(path.parent))
        if project.group is None or project.via is not None:
            continue
        seen += 1
        theirs = hydra(project.config_dir, project.config_name)
        for key in project.package.split("."):
            theirs = theirs[key]
        assert_same(ours(path), theirs)
    assert seen >= 5


def test_cli_composes_every_demo_config(sandbox: Path) -> None:
    for path in sorted((sandbox / "configs").rglob("*.yaml")):
        done = run_cli(["config", "merge", str(path.relative_to(sandbox)), "--defaults" if "defaults:" in path.read_text() else "--json"], cwd=sandbox)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (path, done.stderr)


def test_the_demos_ml_configs_validate_against_the_demos_own_model(sandbox: Path) -> None:
    """The demo names configs/ml/schema's TrainConfig as configs.model: every config it describes (the entry config
    composed with each option of each group, the two versions) is valid against it, as the pane and the CLI check it."""
    from mlops_tui.demo.sandbox import demo_overrides
    from mlops_tui.settings import load_settings
    from mlops_tui.sources.configs.stack import validate_stack, validation_target

    settings, _ = load_settings(None, demo_overrides(sandbox), environ={}, cwd=sandbox)
    target = validation_target(settings.configs)
    assert target is not None and target.name == "train_schema:TrainConfig" and target.refusal is None
    ml = sandbox / "configs" / "ml"
    stacks = [([str(ml / "train.yaml")], overrides) for folder, _, overrides in runs_of(ml) if folder == ml]
    stacks += [([str(path)], []) for path in sorted((ml / "versions").glob("*.yaml"))]
    assert len(stacks) >= 7
    for specs, overrides in stacks:
        check = validate_stack(specs, overrides, target, cwd=sandbox, strict=True)
        assert check.against == "train_schema:TrainConfig" and check.violations == [], (specs, overrides, check.violations)
    # the model still refuses what it should: an unknown top-level key
    bad = validate_stack([str(ml / "train.yaml")], ["+surprise=1"], target, cwd=sandbox, strict=True)
    assert [(v.key, v.message) for v in bad.violations] == [("surprise", "Extra inputs are not permitted")]
    done = run_cli([*demo_overrides(sandbox), "config", "validate", "configs/ml/train.yaml"], cwd=sandbox)
    assert done.returncode == 0 and done.stdout.strip() == "valid against train_schema:TrainConfig", done.stdout + done.stderr
