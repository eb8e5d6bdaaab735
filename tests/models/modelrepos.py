"""Real DVC/GTO repositories made with the real `git`, `dvc` and `gto` CLIs, and running the CLI.

Every commit and tag gets its own fixed date, so answers (and snapshots) never depend on the clock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
BASE = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)

TRAIN_PY = """\
import json, yaml
p = yaml.safe_load(open("params.yaml"))
raw = open("data/raw.csv").read()
import os
os.makedirs("models", exist_ok=True)
with open("models/churn.pkl", "w") as f:
    f.write(f"model lr={p['train']['lr']} epochs={p['train']['epochs']} rows={len(raw.splitlines())}\\n")
acc = round(0.5 + p['train']['lr'] + len(raw.splitlines()) / 100, 4)
json.dump({"acc": acc, "loss": round(1 - acc, 4), "epochs": p['train']['epochs']}, open("metrics.json", "w"))
"""

DVC_YAML = """\
stages:
  train:
    cmd: python train.py
    deps:
      - train.py
      - data/raw.csv
    params:
      - train.lr
      - train.epochs
    outs:
      - models/churn.pkl
    metrics:
      - metrics.json:
          cache: false
artifacts:
  churn:
    path: models/churn.pkl
    type: model
    desc: Customer churn classifier
"""


def tool_env(home: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "DVC_", "GTO_"))
    }
    env.update(
        PATH=f"{VENV_BIN}:{env.get('PATH', '/usr/bin:/bin')}",
        HOME=str(home),
        DVC_NO_ANALYTICS="1",
        DVC_SITE_CACHE_DIR=str(home / "dvc-site-cache"),
        GIT_AUTHOR_NAME="Ada Trainer",
        GIT_AUTHOR_EMAIL="ada@example.com",
        GIT_COMMITTER_NAME="Ada Trainer",
        GIT_COMMITTER_EMAIL="ada@example.com",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


@dataclass
class Builder:
    """Runs git/dvc/gto in one repository with a clock that moves one hour per step."""

    root: Path
    env: dict[str, str]
    step: int = 0
    log: list[str] = field(default_factory=list)

    def tick(self, hours: float = 24) -> str:
        self.step += hours
        stamp = int(BASE.timestamp() + self.step * 3600)
        date = f"@{stamp} +0000"
        self.env["GIT_AUTHOR_DATE"] = date
        self.env["GIT_COMMITTER_DATE"] = date
        return date

    def run(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(args, cwd=self.root, env=self.env, capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {proc.stdout}\n{proc.stderr}")
        return proc.stdout

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def commit(self, message: str, hours: float = 24) -> str:
        self.tick(hours)
        self.run("git", "add", "-A")
        self.run("git", "commit", "-q", "-m", message)
        return self.run("git", "rev-parse", "HEAD").strip()

    def gto(self, *args: str, hours: float = 1) -> None:
        """Run gto, then give the tags it made this step's date (gto stamps tags with the wall clock)."""
        self.tick(hours)
        before = set(self.run("git", "tag", "-l").split())
        self.run("gto", *args)
        for tag in sorted(set(self.run("git", "tag", "-l").split()) - before):
            target = self.run("git", "rev-parse", f"{tag}^{{commit}}").strip()
            message = self.run("git", "tag", "-l", "--format=%(contents)", tag).rstrip("\n")
            self.run("git", "tag", "-a", "-f", "-m", message, tag, target)

    def json(self, *args: str) -> object:
        return json.loads(self.run(*args))


def build_registry_repo(root: Path, home: Path) -> Builder:
    """A DVC pipeline repository with two models, GTO versions, stages, unassignment and deprecation."""
    root.mkdir(parents=True)
    b = Builder(root, tool_env(home))
    b.run("git", "init", "-q", "-b", "main")
    b.run("dvc", "init", "-q")
    b.run("dvc", "config", "core.analytics", "false")
    b.write(".gitignore", "")
    b.write("train.py", TRAIN_PY)
    b.write("dvc.yaml", DVC_YAML)
    b.write("params.yaml", "train:\n  lr: 0.1\n  epochs: 10\nseed: 1\n")
    b.write("data/raw.csv", "id,y\n1,0\n2,1\n")
    b.run("dvc", "add", "-q", "data/raw.csv")
    b.run("dvc", "repro", "-q")
    b.commit("Train churn v1 on the first extract")
    b.gto("register", "churn", "HEAD", "--version", "v1.0.0")
    b.gto("assign", "churn", "--version", "v1.0.0", "--stage", "staging")

    b.write("models/ranker.bin", "ranker weights 1\n")
    b.run("dvc", "add", "-q", "models/ranker.bin")
    b.commit("Add the ranker model")
    b.gto("register", "ranker", "HEAD", "--version", "v0.1.0")

    b.write("params.yaml", "train:\n  lr: 0.2\n  epochs: 10\nseed: 1\n")
    b.run("dvc", "repro", "-q")
    b.commit("Raise the learning rate")
    b.gto("register", "churn", "HEAD", "--version", "v1.1.0")
    b.gto("assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    b.gto("assign", "churn", "--version", "v1.1.0", "--stage", "staging")

    b.write("data/raw.csv", "id,y\n1,0\n2,1\n3,1\n4,0\n")
    b.run("dvc", "add", "-q", "data/raw.csv")
    b.write("params.yaml", "train:\n  lr: 0.2\n  epochs: 20\nseed: 1\n")
    b.run("dvc", "repro", "-q")
    b.commit("Retrain on the November extract with more epochs")
    b.gto("register", "churn", "HEAD", "--version", "v1.2.0")
    b.gto("assign", "churn", "--version", "v1.1.0", "--stage", "prod")
    b.gto("deprecate", "churn", "v1.1.0", "staging")  # unassign staging from v1.1.0
    b.gto("assign", "churn", "--version", "v1.2.0", "--stage", "staging", "--simple", "true")

    b.write("models/ranker.bin", "ranker weights 2\n")
    b.run("dvc", "add", "-q", "models/ranker.bin")
    for n in range(3):
        b.write(f"data/images/img{n}.txt", f"pixels {n}\n")
    b.run("dvc", "add", "-q", "data/images")
    b.commit("Ranker: new weights")
    b.gto("register", "ranker", "HEAD", "--version", "v0.2.0")
    b.gto("assign", "ranker", "--version", "v0.2.0", "--stage", "prod")
    b.gto("register", "ranker", "HEAD~1", "--version", "v0.1.1")
    b.gto("deprecate", "ranker", "v0.1.1")  # deregister a version

    b.write("models/legacy.bin", "old\n")
    b.run("dvc", "add", "-q", "models/legacy.bin")
    b.commit("Keep the legacy model for reference")
    b.gto("register", "legacy", "HEAD", "--version", "v0.0.1")
    b.gto("deprecate", "legacy")  # the whole artifact
    b.tick(1)
    return b


def run_cli(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`mlops-tui ARGS` as a user runs it, in cwd, with no user settings file."""
    env = tool_env(home)
    env["XDG_CONFIG_HOME"] = str(home / "config")
    return subprocess.run(
        [sys.executable, "-m", "mlops_tui", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def snapshot_files(root: Path) -> dict[str, tuple[int, int]]:
    """mtime and size of every file under root, .git included."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            st = path.stat()
            found[str(path.relative_to(root))] = (st.st_mtime_ns, st.st_size)
    return found


def build_edge_repo(root: Path, home: Path) -> Builder:
    """GTO alone on plain git: prereleases, a stage on an unregistered commit, unassignment falling back to an
    older version, deregistration and an artifact in a subfolder (`dir:name`, tagged `dir=name`)."""
    root.mkdir(parents=True)
    b = Builder(root, tool_env(home))
    b.run("git", "init", "-q", "-b", "main")
    shas = []
    for n in range(4):
        b.write("README.md", f"step {n}\n")
        shas.append(b.commit(f"step {n}"))
    b.gto("register", "nn", shas[0], "--version", "v0.1.0")
    b.gto("register", "nn", shas[1], "--version", "v0.2.0-rc.1")
    b.gto("register", "nn", shas[2], "--version", "v0.2.0")
    b.gto("assign", "nn", shas[3], "--stage", "dev", "--sr")
    b.gto("assign", "nn", "--version", "v0.1.0", "--stage", "prod")
    b.gto("assign", "nn", "--version", "v0.2.0", "--stage", "prod")
    b.gto("deprecate", "nn", "v0.2.0", "prod")
    b.gto("deprecate", "nn", "v0.2.0-rc.1")
    b.gto("register", "models/sub:enc", shas[1], "--version", "v1.0.0")
    b.gto("assign", "models/sub:enc", "--version", "v1.0.0", "--stage", "prod", "--simple", "true")
    return b
