"""Screenshots of the Configs pane at 80x24 and 160x48: diff tree, side by side, merged stack with validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.app_factory import make_app

from mlops_tui.widgets.configs import ConfigsPane

ROOT = Path(__file__).resolve().parents[2]
SIZES = [(80, 24), (160, 48)]
V1, V2 = "configs/ml/versions/train_v1.yaml", "configs/ml/versions/train_v2.yaml"


def app_for(*dotlist: str):
    return make_app(dotlist=["configs.paths=[configs/ml]", *dotlist], pane_options={"configs": {"cwd": ROOT}})


async def _settle(pilot) -> None:
    app = pilot.app
    for _ in range(200):
        await pilot.pause()
        running = [w for w in app.workers if w.group.startswith("configs") and not w.is_finished]
        if not running:
            break
        await app.workers.wait_for_complete(running)
    # The status line lists every pane's sources in the order their workers answered, which varies from run
    # to run; this pane's status is asserted in test_pane.py.
    app.query_one("#status-line").display = False
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_diff_tree(snap_compare, size) -> None:
    app = app_for("configs.list_key=name", f"configs.compare=[{V1},{V2}]")
    assert snap_compare(app, terminal_size=size, press=["4", "n", "n", "n"], run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_side_by_side(snap_compare, size) -> None:
    app = app_for(f"configs.compare=[{V1},{V2}]")

    async def before(pilot) -> None:
        await pilot.press("4")
        await _settle(pilot)
        await pilot.press("s", "n", "n", "n")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_merged_stack_with_errors(snap_compare, size) -> None:
    app = app_for("configs.schema_file=configs/ml/schema/serving.schema.json", "configs.overrides=[service.replicas=0]",
                  "configs.stack=[configs/ml/env/base.yaml,configs/ml/env/prod.yaml]")

    async def before(pilot) -> None:
        await pilot.press("4")
        await _settle(pilot)
        pilot.app.query_one(ConfigsPane).query_one("#configs-merged").focus()
        await pilot.press("n")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_hydra_defaults_list(snap_compare, size) -> None:
    """The lightning-hydra-template copy composed with trainer=ddp; t: the defaults list Hydra resolved."""
    template = Path(__file__).resolve().parent / "projects" / "lightning-hydra-template"
    app = make_app(dotlist=["configs.paths=[configs]", "configs.stack=[configs/train.yaml]", "configs.overrides=[trainer=ddp]"],
                   pane_options={"configs": {"cwd": template}})

    async def before(pilot) -> None:
        await pilot.press("4")
        await _settle(pilot)
        await pilot.press("t")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_hydra_group_file_against_its_group_schema(snap_compare, size, tmp_path) -> None:
    """A trainer group option with a bad value, validated against the trainer group's model (not TrainConfig)."""
    import shutil

    shutil.copytree(ROOT / "configs" / "ml", tmp_path / "ml", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "ml/trainer/fast.yaml").write_text("defaults:\n  - default\n  - _self_\nmax_epochs: 0\n")
    app = make_app(dotlist=["configs.paths=[ml]", "configs.stack=[ml/trainer/fast.yaml]", "configs.model_path=ml/schema",
                            "configs.model=train_schema:TrainConfig", "configs.group_schemas={trainer: 'train_schema:Trainer'}"],
                   pane_options={"configs": {"cwd": tmp_path}})

    async def before(pilot) -> None:
        await pilot.press("4")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)
