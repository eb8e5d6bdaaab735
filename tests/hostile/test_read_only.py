"""Read-only, proven: every CLI command and every pane under Pilot, run over a real git + DVC + GTO
repository (with its DVC cache, configs and logs), leaves it exactly as it was: every file's content and
mtime (.git and .dvc/cache included), `git status --ignored`, the index, the refs."""

from __future__ import annotations

import hashlib
import subprocess
import time
from pathlib import Path

import pytest
from hostile.measure import count, run
from support.app_factory import make_app


def state(root: Path) -> dict[str, object]:
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            st = path.stat()
            files[str(path.relative_to(root))] = (st.st_mtime_ns, st.st_size, hashlib.sha1(path.read_bytes()).hexdigest())
        elif path.is_dir():
            files[str(path.relative_to(root)) + "/"] = path.stat().st_mtime_ns

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                              env={"GIT_OPTIONAL_LOCKS": "0", "PATH": "/usr/bin:/bin"}).stdout

    return {"files": files, "status": git("status", "--porcelain", "--ignored"),
            "refs": git("for-each-ref", "--format=%(refname) %(objectname)"), "index": git("ls-files", "-s")}


COMMANDS = [
    ["models", "list"], ["models", "list", "--json"], ["models", "history", "model.pkl"],
    ["models", "diff", "HEAD~1", "HEAD"], ["models", "diff", "HEAD~1", "HEAD", "--json"],
    ["config", "diff", "HEAD~1:configs", "configs"], ["config", "diff", "configs/train.yaml", "configs/prod.yaml"],
    ["config", "merge", "configs/train.yaml", "configs/prod.yaml", "--resolve"],
    ["config", "check"], ["logs", "search", "-f", "logs/app.log"], ["logs", "search", "--count", "-f", "logs/*.log"],
    ["logs", "tail", "--for", "0.5", "-f", "logs/app.log"], ["alerts"], ["metrics", "--json"],
]


def test_every_cli_command_leaves_the_repository_as_it_was(repo):
    before = state(repo.root)
    env = {**repo.env, "XDG_CONFIG_HOME": str(repo.root.parent / "xdg-ro")}
    for args in COMMANDS:
        result = run(args, cwd=repo.root, env=env)
        assert not result.hung and "Traceback" not in result.err, str(result)
    after = state(repo.root)
    changed = [k for k in set(before["files"]) | set(after["files"])
               if before["files"].get(k) != after["files"].get(k)]
    count("writes to repositories or backends", len(changed) + sum(before[k] != after[k] for k in ("status", "refs", "index")))
    assert changed == []
    assert before == after


async def test_every_pane_leaves_the_repository_as_it_was(repo, monkeypatch):
    monkeypatch.chdir(repo.root)
    for name, value in repo.env.items():
        if name.startswith(("GIT_", "HOME", "PATH", "DVC_")):
            monkeypatch.setenv(name, value)
    before = state(repo.root)
    app = make_app([f"models.repo={repo.root}", f"logs.files=[{repo.root / 'logs/app.log'}]",
                    "configs.paths=[configs]", "configs.compare=[HEAD~1:configs/train.yaml,configs/train.yaml]"],
                   pane_options={"configs": {"cwd": repo.root}})
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("1", "2", "3", "4", "5", "2", "enter", "down", "enter", "4", "n", "3", "end", "enter", "escape"):
            await pilot.press(key)
            await pilot.pause()
        deadline = time.monotonic() + 30
        endless = {"logs.follow", "metrics.local.sample"}  # they run while the app runs
        while any(w.is_running and w.name not in endless for w in app.workers):
            assert time.monotonic() < deadline, [w.name for w in app.workers if w.is_running]
            await pilot.pause(0.1)
    after = state(repo.root)
    changed = [k for k in set(before["files"]) | set(after["files"]) if before["files"].get(k) != after["files"].get(k)]
    count("inputs and faults tried")
    count("writes to repositories or backends", len(changed))
    assert changed == []
    assert before == after


@pytest.mark.parametrize("mode", ["trickle", "redirect"])
def test_only_reads_reach_a_backend(hostile_server, mode):
    before = len(hostile_server.requests)
    run([f"metrics.prometheus=[{{name: p, url: '{hostile_server.url(mode)}', timeout: 2, retries: 1}}]",
         "limits.http_deadline=2", "metrics", "--source", "p", "--hosts"])
    methods = {method for method, _ in hostile_server.requests[before:]}
    count("writes to repositories or backends", len(methods - {"GET"}))
    assert methods == {"GET"}
