"""A cloned repository's own git settings that run a command (core.fsmonitor, diff.external, a textconv or a
filter driver, core.pager, core.sshCommand, hooks through core.hooksPath) never run when mlops-tui reads
the repository: every CLI command and every pane over it, each setting's command writing a marker file
that must not appear."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hostile.measure import count, run
from support.app_factory import make_app
from support.waits import until


@pytest.fixture
def booby_trapped(repo, tmp_path):
    root = tmp_path / "clone"
    shutil.copytree(repo.root, root, symlinks=True)
    (root / "configs" / "train.yaml").write_text("model: {name: vit_b16, lr: 0.05}\nepochs: 12\n")
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit",
                    "-qam", "a second config"], check=True)
    markers = tmp_path / "markers"
    markers.mkdir()
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "post-merge", "pre-commit", "post-index-change", "reference-transaction",
                 "pre-auto-gc", "post-rewrite"):
        script = hooks / hook
        script.write_text(f"#!/bin/sh\ntouch {markers}/hook-{hook}\n")
        script.chmod(0o755)

    def trap(name: str) -> str:
        return f"touch {markers}/{name} #"

    settings = {
        "core.fsmonitor": trap("fsmonitor"), "diff.external": trap("diff-external"),
        "diff.trap.textconv": trap("textconv"), "filter.trap.smudge": trap("smudge"),
        "filter.trap.clean": trap("clean"), "filter.trap.process": trap("filter-process"),
        "core.pager": trap("pager"), "core.sshCommand": trap("ssh"), "core.hooksPath": str(hooks),
        "core.editor": trap("editor"), "sequence.editor": trap("sequence-editor"),
    }
    for key, value in settings.items():
        subprocess.run(["git", "-C", str(root), "config", key, value], check=True)
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "attributes").write_text("* diff=trap filter=trap\n")
    return root, markers, repo.env


COMMANDS = [
    ["models", "list"], ["models", "history", "churn"], ["models", "history", "models/ranker.bin"], ["models", "diff", "HEAD~1", "HEAD"],
    ["config", "diff", "HEAD~1:configs", "configs"], ["config", "diff", "HEAD~1:configs/train.yaml", "configs/train.yaml"],
    ["config", "merge", "HEAD:configs/train.yaml", "configs/prod.yaml"],
]


def test_no_repository_setting_runs_from_the_cli(booby_trapped):
    root, markers, env = booby_trapped
    for args in COMMANDS:
        result = run(args, cwd=root, env={**env, "XDG_CONFIG_HOME": str(root.parent / "xdg")})
        assert not result.hung and "Traceback" not in result.err, str(result)
        assert result.code in (0, 1), str(result)  # it did read the repository
    ran = sorted(p.name for p in markers.iterdir())
    count("escapes that took effect", len(ran))
    assert ran == []


async def test_no_repository_setting_runs_from_the_panes(booby_trapped, monkeypatch):
    root, markers, env = booby_trapped
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(root)
    app = make_app([f"models.repo={root}", f"configs.paths=[{root / 'configs'}]", "configs.compare=[HEAD~1:configs/train.yaml,configs/train.yaml]"])
    async with app.run_test(size=(120, 40)) as pilot:
        from mlops_tui.widgets.models import ModelsPane

        await pilot.press("2")
        pane = app.query_one(ModelsPane)
        await until(pilot, lambda: "sandbox" in str(pane.query_one("SourceNote").render()) or
                    "artifacts" in str(pane.query_one("SourceNote").render()), timeout=60,
                    what="the models read", describe=lambda: str(pane.query_one("SourceNote").render()))
        await pilot.press("d")
        await pilot.pause(1)
        await pilot.press("4")
        await pilot.pause(2)
    ran = sorted(p.name for p in markers.iterdir())
    count("escapes that took effect", len(ran))
    assert ran == []
