"""The `models` commands as a user runs them; read-only; shallow clones, non-DVC repos and bad files."""

from __future__ import annotations

import json
import subprocess

from models.modelrepos import Builder, run_cli, snapshot_files, tool_env
from mlops_tui.sources.models import ModelRepository


def test_list_json_and_table(registry_repo, plain_home, tmp_path):
    done = run_cli(f"models.repo={registry_repo.root}", "models", "list", "--json", cwd=tmp_path, home=plain_home)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["registry"]["churn"]["stage"] == {"prod": "v1.1.0", "staging": "v1.2.0"}
    assert {a["name"] for a in data["artifacts"]} >= {"churn", "data/raw.csv", "ranker"}
    table = run_cli("models", "list", "--repo", str(registry_repo.root), cwd=tmp_path, home=plain_home)
    assert table.returncode == 0
    churn_line = next(line for line in table.stdout.splitlines() if line.startswith("churn "))
    assert "models/churn.pkl" in churn_line and "v1.2.0" in churn_line and "prod=v1.1.0" in churn_line
    assert data["frequency"]["churn"]["stale"] and len(data["frequency"]["churn"]["gaps_days"]) == 2  # dated 2026-01
    assert "warning: churn: newest version is" in table.stderr
    fresh = run_cli("models.stale_after_days=100000", "models", "list", "--repo", str(registry_repo.root),
                    cwd=tmp_path, home=plain_home)
    assert "warning:" not in fresh.stderr


def test_history_and_diff_exit_codes(registry_repo, plain_home):
    cwd = registry_repo.root  # models.repo defaults to the current folder
    hist = run_cli("models", "history", "churn", "--json", cwd=cwd, home=plain_home)
    assert hist.returncode == 0, hist.stderr
    assert [h["tags"] for h in json.loads(hist.stdout)["history"]][0] == ["churn#staging", "churn@v1.2.0"]
    changed = run_cli("models", "diff", "churn#prod", "churn@latest", cwd=cwd, home=plain_home)
    assert changed.returncode == 1
    assert "train.epochs" in changed.stdout and "modified  models/churn.pkl" in changed.stdout
    same = run_cli("models", "diff", "HEAD", "HEAD", cwd=cwd, home=plain_home)
    assert same.returncode == 0 and "no difference" in same.stdout
    bad = run_cli("models", "diff", "churn#canary", "HEAD", cwd=cwd, home=plain_home)
    assert bad.returncode == 2 and "no version of churn is in stage 'canary'" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = run_cli("models", "history", "nope", cwd=cwd, home=plain_home)
    assert missing.returncode == 2 and "no artifact or tracked output named 'nope'" in missing.stderr


def test_not_a_repository(plain_home, tmp_path):
    done = run_cli("models", "list", "--repo", str(tmp_path), cwd=tmp_path, home=plain_home)
    assert done.returncode == 3
    assert f"{tmp_path} is not a git repository" in done.stderr and "Traceback" not in done.stderr
    gone = run_cli("models", "list", "--repo", str(tmp_path / "missing"), cwd=tmp_path, home=plain_home)
    assert gone.returncode == 3 and "does not exist" in gone.stderr


def test_never_modifies_the_repository(registry_repo, plain_home):
    root = registry_repo.root
    status = registry_repo.run("git", "status", "--porcelain", "--ignored")
    before = snapshot_files(root)
    source = ModelRepository(str(root))
    source.load()
    source.history("churn")
    source.diff("churn@v1.0.0", "churn#prod")
    run_cli("models", "list", cwd=root, home=plain_home)
    assert snapshot_files(root) == before
    assert registry_repo.run("git", "status", "--porcelain", "--ignored") == status


def test_shallow_clone_note(registry_repo, plain_home, tmp_path):
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{registry_repo.root}", str(clone)], check=True,
                   env=tool_env(plain_home), capture_output=True)
    snapshot = ModelRepository(str(clone)).load()
    assert snapshot.shallow
    assert any(n.startswith("shallow clone: history before") for n in snapshot.notes)
    done = run_cli("models", "list", cwd=clone, home=plain_home)
    assert done.returncode == 0 and "note: shallow clone" in done.stderr


def _git_repo(path, home) -> Builder:
    path.mkdir()
    b = Builder(path, tool_env(home))
    b.run("git", "init", "-q", "-b", "main")
    return b


def test_git_repo_without_dvc(plain_home, tmp_path):
    b = _git_repo(tmp_path / "plain", plain_home)
    b.write("README.md", "hello\n")
    b.commit("first")
    snapshot = ModelRepository(str(b.root)).load()
    assert snapshot.artifacts == [] and not snapshot.dvc
    assert any("does not use DVC" in n for n in snapshot.notes)
    empty = _git_repo(tmp_path / "empty", plain_home)
    assert ModelRepository(str(empty.root)).load().notes == ["the repository has no commits yet"]


def test_malformed_dvc_files_are_reported_not_raised(plain_home, tmp_path):
    b = _git_repo(tmp_path / "broken", plain_home)
    b.write("data.csv.dvc", "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 3\n  path: data.csv\n")
    b.commit("track data")
    b.write("dvc.lock", "stages: [unclosed\n")
    (b.root / "model.bin.dvc").write_bytes(b"\x00\xff\xfe binary \x1b[31m")
    b.commit("break things")
    b.write("dvc.lock", "schema: '2.0'\nstages:\n  train:\n    outs:\n    - path: m.pkl\n      md5: abc\n      size: 7\n")
    b.commit("fix \x1b[2J\x1b]0;pwned\x07 the lock [bold]")
    source = ModelRepository(str(b.root))
    snapshot = source.load()
    unreadable = [n for n in snapshot.notes if n.startswith("unreadable:")]
    assert any("dvc.lock" in n for n in unreadable) and any("model.bin.dvc" in n for n in unreadable)
    arts = {a.name: a for a in snapshot.artifacts}
    assert arts["data.csv"].size == 3 and arts["m.pkl"].md5 == "abc"
    done = run_cli("models", "list", cwd=b.root, home=plain_home)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "\x1b" not in done.stdout + done.stderr
    history = run_cli("models", "history", "m.pkl", cwd=b.root, home=plain_home)
    assert history.returncode == 0
    assert "fix ␛[2J␛]0;pwned␇ the lock [bold]" in history.stdout  # shown literally, never interpreted
    assert "\x1b" not in history.stdout and "\x07" not in history.stdout


def test_partial_clone_never_fetches(registry_repo, plain_home, tmp_path):
    clone = tmp_path / "partial"
    subprocess.run(
        ["git", "clone", "-q", "--filter=blob:none", "--no-checkout", "-u",
         "git -c uploadpack.allowFilter=true upload-pack", f"file://{registry_repo.root}", str(clone)],
        check=True, env=tool_env(plain_home), capture_output=True,
    )

    def missing() -> int:
        out = subprocess.run(["git", "rev-list", "--objects", "--all", "--missing=print"], cwd=clone,
                             capture_output=True, text=True, check=True).stdout
        return sum(1 for line in out.splitlines() if line.startswith("?"))

    before = missing()
    assert before > 0  # really a partial clone
    source = ModelRepository(str(clone))
    snapshot = source.load()
    source.diff("churn@v1.0.0", "churn@v1.2.0")
    assert missing() == before  # no blob was fetched from the remote
    assert any(n.startswith("partial clone:") for n in snapshot.notes)
    # the registry comes from tags alone, so it is whole
    assert snapshot.registry.entries["churn"].stages == {"prod": "v1.1.0", "staging": "v1.2.0"}


def test_subfolder_and_bare_clone_see_the_whole_repository(registry_repo, plain_home, tmp_path):
    bare = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(registry_repo.root), str(bare)], check=True,
                   env=tool_env(plain_home), capture_output=True)
    whole = ModelRepository(str(registry_repo.root)).load()
    expected = [(a.name, a.md5, a.last_commit) for a in whole.artifacts]
    for where in (registry_repo.root / "data", bare):
        seen = ModelRepository(str(where)).load()
        assert [(a.name, a.md5, a.last_commit) for a in seen.artifacts] == expected
        assert {n: e.stages for n, e in seen.registry.entries.items()} == {
            n: e.stages for n, e in whole.registry.entries.items()
        }
