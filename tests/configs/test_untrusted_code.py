"""A cloned folder never runs its own code because someone opened mlops-tui in it.

The folder's `mlops-tui.yaml` names a validation model in the folder (`evilmod:Cfg`); importing it would run
evilmod.py, which writes a marker file. Neither the app (Pilot) nor `config validate` may import it unless the
user trusts the folder (the trust list in the user's config folder) or names the model themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.app_factory import make_app
from support.cli import run_cli
from textual.widgets import Static

from mlops_tui.widgets.configs import ConfigsPane
from mlops_tui.widgets.pane import SourceNote

EVIL = """
from pathlib import Path
Path(__file__).with_name("RAN").write_text("evilmod ran")
from pydantic import BaseModel
class Cfg(BaseModel):
    lr: float
"""


@pytest.fixture
def cloned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "clone"
    (folder / "configs").mkdir(parents=True)
    (folder / "configs" / "train.yaml").write_text("lr: 0.1\n")
    (folder / "evilmod.py").write_text(EVIL)
    (folder / "mlops-tui.yaml").write_text(
        "configs: {paths: [configs], stack: [configs/train.yaml], model: 'evilmod:Cfg', model_path: .}\n")
    home = tmp_path / "xdg"
    home.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return folder


def _trust(folder: Path) -> None:
    trusted = Path(__import__("os").environ["XDG_CONFIG_HOME"]) / "mlops-tui" / "trusted-folders"
    trusted.parent.mkdir(parents=True, exist_ok=True)
    trusted.write_text(f"{folder}\n")


async def _configs_title(folder: Path, settle) -> str:
    app = make_app(cwd=folder, pane_options={"configs": {"cwd": folder}})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        pane = app.query_one(ConfigsPane)
        return " ".join(str(w.render()) for w in (app.query_one("#configs-title", Static), pane.query_one(SourceNote)))


async def test_the_app_does_not_import_a_model_named_by_the_folder(cloned: Path, wait_pane) -> None:
    title = await _configs_title(cloned, wait_pane)
    assert not (cloned / "RAN").exists()
    assert "validation model evilmod:Cfg not imported" in title.replace("\n", " ")


async def test_a_trusted_folder_gets_its_model_imported(cloned: Path, wait_pane) -> None:
    _trust(cloned)
    title = await _configs_title(cloned, wait_pane)
    assert (cloned / "RAN").exists()
    assert "valid (evilmod:Cfg)" in title


def test_config_validate_refuses_the_folders_model_with_a_message(cloned: Path) -> None:
    result = run_cli(["config", "validate", "configs/train.yaml"], cwd=cloned,
                     env={"XDG_CONFIG_HOME": str(cloned.parent / "xdg")})
    assert result.returncode == 2, result.stderr
    assert "not imported" in result.stderr and "trusted-folders" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (cloned / "RAN").exists()


def test_a_model_named_on_the_command_line_is_an_explicit_request(cloned: Path) -> None:
    result = run_cli(["config", "validate", "configs/train.yaml", "--model", "evilmod:Cfg", "--model-path", "."],
                     cwd=cloned, env={"XDG_CONFIG_HOME": str(cloned.parent / "xdg")})
    assert result.returncode == 0, result.stderr
    assert (cloned / "RAN").exists()
