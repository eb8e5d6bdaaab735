"""The Configs pane on Hydra projects: composed view with provenance, the defaults list (t), broken projects
keep the last good view and u shows the file uncomposed."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.app_factory import make_app
from textual.widgets import Static

from mlops_tui.widgets.configs import ConfigsPane
from mlops_tui.widgets.configs.lines import LinesView

TEMPLATE = Path(__file__).resolve().parent / "projects" / "lightning-hydra-template" / "configs"


def title(app) -> str:
    return str(app.query_one("#configs-title", Static).render())


def note(app) -> str:
    return str(app.query_one("#configs-note", Static).render())


async def test_template_composed_with_defaults_list_and_uncomposed_on_failure(tmp_path: Path, wait_pane) -> None:
    shutil.copytree(TEMPLATE, tmp_path / "configs")
    app = make_app(dotlist=["configs.paths=[configs]", "configs.overrides=[trainer=ddp]"], pane_options={"configs": {"cwd": tmp_path}})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        pane = app.query_one(ConfigsPane)
        pane.open_merge(["configs/train.yaml"])
        await wait_pane(pilot)
        assert title(app).startswith("merged configs/train.yaml + 1 override(s): 78 keys · composed by Hydra from 12 defaults (t)")
        rows = {row.path: row.text for row in app.query_one("#configs-merged", LinesView).rows if row.path}
        assert rows[("trainer", "strategy")] == 'trainer.strategy = "ddp"  # configs/trainer/ddp.yaml (trainer=ddp)'
        assert rows[("trainer", "min_epochs")] == "trainer.min_epochs = 1  # configs/trainer/default.yaml"
        await pilot.press("t")
        defaults = [row.text for row in app.query_one("#configs-defaults", LinesView).rows]
        assert defaults[0] == "train (_self_): configs/train.yaml"
        assert "  trainer/ddp (_self_) ← trainer=ddp: configs/trainer/ddp.yaml" in defaults
        assert "    trainer/default: configs/trainer/default.yaml" in defaults
        # A broken project: Hydra's error on the title and the note, the last good view kept, u shows the file as written
        (tmp_path / "configs" / "trainer" / "ddp.yaml").write_text("defaults:\n  - nope\n")
        pane.open_merge(["configs/train.yaml"])
        await wait_pane(pilot)
        assert title(app).startswith("configs/train.yaml: Hydra cannot compose it: In 'trainer/ddp': Could not load 'trainer/nope'")
        assert "failing" in note(app) and "u: show it uncomposed" in note(app)
        assert [row.text for row in app.query_one("#configs-defaults", LinesView).rows] == defaults
        await pilot.press("u")
        await wait_pane(pilot)
        assert title(app).startswith("uncomposed configs/train.yaml + 1 override(s): ")
        rows = [row.text for row in app.query_one("#configs-merged", LinesView).rows]
        assert rows[0] == 'defaults[0] = "_self_"  # configs/train.yaml'


async def test_pane_diffs_two_override_sets_and_a_recorded_run_against_now(tmp_path: Path, wait_pane) -> None:
    import subprocess
    import sys

    shutil.copytree(TEMPLATE, tmp_path / "configs")
    (tmp_path / "app.py").write_text('import hydra\n\n\n@hydra.main(config_path="configs", config_name="train", version_base="1.3")\n'
                                     "def main(cfg):\n    pass\n\n\nmain()\n")
    subprocess.run([sys.executable, "app.py", "trainer=ddp", "hydra.run.dir=out/run1"], cwd=tmp_path, check=True, capture_output=True, timeout=120)
    default = tmp_path / "configs" / "trainer" / "default.yaml"
    default.write_text(default.read_text().replace("max_epochs: 10", "max_epochs: 20"))
    sets = make_app(dotlist=["configs.paths=[configs]", "configs.compare=['configs/train.yaml+trainer=cpu','configs/train.yaml+trainer=ddp']"],
                    pane_options={"configs": {"cwd": tmp_path}})
    async with sets.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        assert title(sets).startswith("configs/train.yaml+trainer=cpu → configs/train.yaml+trainer=ddp: 5 changes: 3 added, 2 changed")
    run = make_app(dotlist=["configs.paths=[configs]", "configs.compare=[out/run1]"], pane_options={"configs": {"cwd": tmp_path}})
    async with run.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await wait_pane(pilot)
        assert title(run).startswith("out/run1 (recorded run) → configs/train.yaml now with trainer=ddp: 1 change: 1 changed")
        await pilot.press("n")
        assert title(run) == "change 1/1: trainer.max_epochs (changed)"
        await pilot.press("o")  # the same diff again, lists compared another way
        await wait_pane(pilot)
        assert "1 change: 1 changed · lists by set" in title(run)
