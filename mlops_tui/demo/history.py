"""The demo repository's story: thirteen commits over twelve weeks and the GTO tags around them.

Two models in use (churn, trained by the DVC pipeline; fraud, tracked with a .dvc file) and a
baseline (churn-baseline) registered, deprecated, then removed from the tree.

`build_history(cache)` replays the story, writing every DVC object into `cache`, and returns the git
trees of each commit, the annotated tags, and the untracked DVC outputs of the last commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mlops_tui.demo import content
from mlops_tui.demo.dvcfiles import (
    DVC_CONFIG,
    DVC_GITIGNORE,
    DVCIGNORE,
    Cache,
    dump_yaml,
    dvc_file,
    file_out,
    lock_entry,
)

DANA = ("Dana Ortiz", "dana.ortiz@example.com")
SAM = ("Sam Whitfield", "sam.whitfield@example.com")
PRIYA = ("Priya Raman", "priya.raman@example.com")
CI = ("release-bot", "release-bot@example.com")

ARTIFACTS = {
    "churn": {"path": "models/churn.pkl", "type": "model",
              "desc": "Customer churn classifier (gradient boosting), retrained on each monthly partition",
              "labels": ["tabular", "classification", "customers"]},
    "churn-baseline": {"path": "models/churn-baseline.pkl", "type": "model",
                       "desc": "Logistic-regression baseline for churn, kept for comparison until the boosted model settled",
                       "labels": ["tabular", "baseline"]},
    "fraud": {"path": "models/fraud.onnx", "type": "model",
              "desc": "Card fraud detector exported to ONNX by the payments team",
              "labels": ["payments", "onnx"]},
}


def when(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Commit:
    message: str
    date: datetime
    author: tuple[str, str]
    files: dict[str, bytes]


@dataclass
class Tag:
    name: str
    commit: int  # index into History.commits
    date: datetime
    tagger: tuple[str, str]
    message: str


@dataclass
class History:
    commits: list[Commit] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    workspace: dict[str, bytes] = field(default_factory=dict)  # DVC outputs at HEAD, ignored by git


@dataclass
class _State:
    config: int = 1
    script: int = 1
    batch_size: int = 5000
    prod_config: int | None = None
    partitions: dict[str, bytes] = field(default_factory=dict)
    churn: bytes = b""
    metrics: bytes = b""
    fraud: bytes | None = None
    baseline: bytes | None = None


class _Story:
    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.state = _State()
        self.history = History()
        self._counters: dict[str, int] = {}
        self.ml_configs = content.ml_configs()

    # -- changes -------------------------------------------------------------------------------
    def params(self) -> dict[str, Any]:
        return content.params_from_config(content.train_config(self.state.config))

    def retrain(self, version: str, metrics: dict[str, float]) -> None:
        self.state.churn = content.churn_model(version, self.params())
        self.state.metrics = content.metrics_json(metrics)

    # -- rendering -----------------------------------------------------------------------------
    def tree(self) -> tuple[dict[str, bytes], dict[str, bytes]]:
        """(files in git, DVC outputs in the workspace) for the current state."""
        s = self.state
        config = content.train_config(s.config).encode()
        script = content.train_script(s.script)
        params = self.params()
        raw = {f"customers-{month}.csv": data for month, data in sorted(s.partitions.items())}
        raw_out = self.cache.add_dir(raw)
        churn_out = self.cache.add_file(s.churn)
        metrics_out = self.cache.add_file(s.metrics)
        models_ignore = "/churn.pkl\n"
        artifacts = {"churn": ARTIFACTS["churn"]}
        files: dict[str, bytes] = {
            "README.md": content.README.encode(),
            ".gitignore": content.GITIGNORE.encode(),
            ".gto": content.GTO_CONFIG.encode(),
            ".dvc/config": DVC_CONFIG.encode(),
            ".dvc/.gitignore": DVC_GITIGNORE.encode(),
            ".dvcignore": DVCIGNORE.encode(),
            "configs/train.yaml": config,
            "configs/score.yaml": content.score_config(s.batch_size).encode(),
            "params.yaml": dump_yaml(params).encode(),
            "src/train.py": script,
            "data/.gitignore": b"/raw\n",
            "data/raw.dvc": dvc_file("raw", raw_out).encode(),
            "metrics.json": s.metrics,
        }
        files.update({f"configs/ml/{rel}": data for rel, data in self.ml_configs.items()})
        workspace = {f"data/raw/{name}": data for name, data in raw.items()}
        workspace["models/churn.pkl"] = s.churn
        if s.prod_config is not None:
            files["configs/prod/train.yaml"] = content.train_config(s.prod_config).encode()
        if s.baseline is not None:
            baseline_out = self.cache.add_file(s.baseline)
            files["models/churn-baseline.pkl.dvc"] = dvc_file("churn-baseline.pkl", baseline_out).encode()
            workspace["models/churn-baseline.pkl"] = s.baseline
            models_ignore += "/churn-baseline.pkl\n"
            artifacts["churn-baseline"] = ARTIFACTS["churn-baseline"]
        if s.fraud is not None:
            fraud_out = self.cache.add_file(s.fraud)
            files["models/fraud.onnx.dvc"] = dvc_file("fraud.onnx", fraud_out).encode()
            workspace["models/fraud.onnx"] = s.fraud
            models_ignore += "/fraud.onnx\n"
            artifacts["fraud"] = ARTIFACTS["fraud"]
        files["models/.gitignore"] = models_ignore.encode()
        stage = {
            "cmd": "python src/train.py",
            "deps": ["configs/train.yaml", "data/raw", "src/train.py"],
            "params": content.PARAM_KEYS,
            "outs": ["models/churn.pkl"],
            "metrics": [{"metrics.json": {"cache": False}}],
        }
        files["dvc.yaml"] = dump_yaml({"stages": {"train": stage}, "artifacts": artifacts}).encode()
        flat = {key: params[key.split(".")[0]][key.split(".")[1]] for key in content.PARAM_KEYS}
        lock = {
            "schema": "2.0",
            "stages": {"train": {
                "cmd": stage["cmd"],
                "deps": [
                    lock_entry("configs/train.yaml", file_out(config)),
                    lock_entry("data/raw", raw_out),
                    lock_entry("src/train.py", file_out(script)),
                ],
                "params": {"params.yaml": flat},
                "outs": [lock_entry("metrics.json", metrics_out), lock_entry("models/churn.pkl", churn_out)],
            }},
        }
        files["dvc.lock"] = dump_yaml(lock).encode()
        return files, workspace

    def commit(self, date: str, author: tuple[str, str], message: str) -> int:
        files, workspace = self.tree()
        self.history.commits.append(Commit(message, when(date), author, files))
        self.history.workspace = workspace
        return len(self.history.commits) - 1

    # -- GTO tags ------------------------------------------------------------------------------
    def _tag(self, name: str, commit: int, date: str, tagger: tuple[str, str], message: str) -> None:
        self.history.tags.append(Tag(name, commit, when(date), tagger, message))

    def register(self, artifact: str, version: str, commit: int, date: str, tagger=CI) -> None:
        self._tag(f"{artifact}@{version}", commit, date, tagger,
                  f"Registering artifact {artifact} version {version}")

    def deregister(self, artifact: str, version: str, commit: int, date: str, tagger, why: str) -> None:
        self._tag(f"{artifact}@{version}!", commit, date, tagger,
                  f"Deregistering artifact {artifact} version {version}: {why}")

    def deprecate(self, artifact: str, commit: int, date: str, tagger: tuple[str, str]) -> None:
        self._tag(f"{artifact}@deprecated", commit, date, tagger, f"Deprecating artifact '{artifact}'")

    def assign(self, artifact: str, version: str, stage: str, commit: int, date: str, tagger=CI) -> None:
        count = self._counters.get(artifact, 0) + 1
        self._counters[artifact] = count
        self._tag(f"{artifact}#{stage}#{count}", commit, date, tagger,
                  f"Assigning stage {stage} to artifact {artifact} version {version}")


def build_history(cache: Cache) -> History:
    """Replay the story; every version of every DVC output lands in `cache`."""
    story = _Story(cache)
    s = story.state

    s.partitions = {"2026-07": content.partition("2026-07"), "2026-08": content.partition("2026-08")}
    s.baseline = content.baseline_model()
    story.retrain("v1.0.0", {"auc": 0.8412, "f1": 0.6633, "precision": 0.6951, "recall": 0.6342, "log_loss": 0.4187})
    c = story.commit("2026-09-01T09:14:00", DANA, "Churn pipeline: train a gradient-boosting classifier on July and August customers")
    story.register("churn-baseline", "v0.1.0", c, "2026-09-01T09:30:00", DANA)
    story.register("churn", "v1.0.0", c, "2026-09-02T10:02:00")
    story.assign("churn", "v1.0.0", "staging", c, "2026-09-02T10:05:00")
    story.assign("churn", "v1.0.0", "prod", c, "2026-09-04T08:40:00", PRIYA)

    s.fraud = content.fraud_model("v0.1.0", 48_000)
    c = story.commit("2026-09-08T14:31:00", SAM, "Track the fraud detector exported by the payments team")
    story.register("fraud", "v0.1.0", c, "2026-09-08T15:00:00")
    story.assign("fraud", "v0.1.0", "staging", c, "2026-09-09T09:12:00")

    s.partitions["2026-09"] = content.partition("2026-09", duplicated_rows=24)
    story.retrain("v1.1.0", {"auc": 0.8475, "f1": 0.6702, "precision": 0.7013, "recall": 0.6418, "log_loss": 0.4121})
    c = story.commit("2026-09-15T08:50:00", DANA, "Add the September customer partition and retrain churn")
    story.register("churn", "v1.1.0", c, "2026-09-16T10:00:00")
    story.assign("churn", "v1.1.0", "staging", c, "2026-09-16T10:04:00")
    story.assign("churn", "v1.1.0", "prod", c, "2026-09-18T08:35:00", PRIYA)

    s.config = 2
    story.retrain("v1.2.0", {"auc": 0.8391, "f1": 0.6588, "precision": 0.6874, "recall": 0.6325, "log_loss": 0.4230})
    c = story.commit("2026-09-22T16:20:00", DANA, "Tune learning rate and depth; drop last_invoice_days, which leaks the label")
    story.register("churn", "v1.2.0", c, "2026-09-23T10:01:00")
    story.assign("churn", "v1.2.0", "staging", c, "2026-09-23T10:06:00")
    story.deregister("churn", "v1.2.0", c, "2026-09-26T11:45:00", PRIYA,
                     "trained on unseeded CV folds, metrics not reproducible")

    s.script = 2
    story.retrain("v1.3.0", {"auc": 0.8456, "f1": 0.6691, "precision": 0.6987, "recall": 0.6419, "log_loss": 0.4135})
    c = story.commit("2026-09-29T11:05:00", SAM, "train: seed the cross-validation splitter so runs are reproducible")
    story.register("churn", "v1.3.0", c, "2026-09-30T10:00:00")
    story.assign("churn", "v1.3.0", "staging", c, "2026-09-30T10:03:00")
    story.deprecate("churn-baseline", c, "2026-10-01T09:00:00", DANA)

    s.fraud = content.fraud_model("v0.2.0", 52_000)
    c = story.commit("2026-10-06T13:12:00", SAM, "fraud: retrained on Q3 chargebacks")
    story.register("fraud", "v0.2.0", c, "2026-10-06T13:30:00")
    story.assign("fraud", "v0.2.0", "staging", c, "2026-10-07T09:00:00")
    story.assign("fraud", "v0.2.0", "prod", c, "2026-10-09T08:30:00", PRIYA)

    s.partitions["2026-10"] = content.partition("2026-10")
    s.baseline = None
    story.retrain("v1.4.0", {"auc": 0.8533, "f1": 0.6780, "precision": 0.7102, "recall": 0.6486, "log_loss": 0.4052})
    c = story.commit("2026-10-13T08:47:00", DANA,
                     "Add the October customer partition and retrain churn; drop the deprecated logistic baseline")
    story.register("churn", "v1.4.0", c, "2026-10-14T10:00:00")
    story.assign("churn", "v1.4.0", "staging", c, "2026-10-14T10:02:00")
    story.assign("churn", "v1.4.0", "prod", c, "2026-10-16T08:31:00", PRIYA)

    s.script = 3
    story.retrain("v1.5.0", {"auc": 0.8561, "f1": 0.6812, "precision": 0.7125, "recall": 0.6525, "log_loss": 0.4019})
    c = story.commit("2026-10-20T15:40:00", SAM, "train: support a tenure_bucket feature")
    story.register("churn", "v1.5.0", c, "2026-10-21T10:00:00")
    story.assign("churn", "v1.5.0", "staging", c, "2026-10-21T10:03:00")

    s.batch_size = 20000
    story.commit("2026-10-27T10:10:00", PRIYA, "Batch scorer: raise batch size to 20000 rows")

    s.partitions["2026-09"] = content.partition("2026-09")
    story.retrain("v1.5.1", {"auc": 0.8584, "f1": 0.6839, "precision": 0.7160, "recall": 0.6546, "log_loss": 0.3991})
    c = story.commit("2026-11-03T09:25:00", DANA, "Fix the September partition: 24 duplicated rows")
    story.register("churn", "v1.5.1", c, "2026-11-04T10:00:00")
    story.assign("churn", "v1.5.1", "staging", c, "2026-11-04T10:02:00")
    story.assign("churn", "v1.5.1", "prod", c, "2026-11-05T08:33:00", PRIYA)

    s.fraud = content.fraud_model("v1.0.0", 96_000)
    c = story.commit("2026-11-10T14:02:00", SAM, "fraud: switch to gradient-boosted trees exported to ONNX")
    story.register("fraud", "v1.0.0", c, "2026-11-10T14:20:00")
    story.assign("fraud", "v1.0.0", "staging", c, "2026-11-11T09:05:00")

    s.partitions["2026-11"] = content.partition("2026-11")
    story.retrain("v1.6.0", {"auc": 0.8602, "f1": 0.6857, "precision": 0.7183, "recall": 0.6559, "log_loss": 0.3974})
    c = story.commit("2026-11-17T08:55:00", DANA, "Add the November customer partition and retrain churn")
    story.register("churn", "v1.6.0", c, "2026-11-18T10:00:00")
    story.assign("churn", "v1.6.0", "staging", c, "2026-11-18T10:03:00")

    s.prod_config, s.config = 2, 3
    story.retrain("v2.0.0", {"auc": 0.8718, "f1": 0.7034, "precision": 0.7301, "recall": 0.6786, "log_loss": 0.3812})
    c = story.commit("2026-11-24T17:30:00", DANA,
                     "Lower the learning rate, add early stopping and tenure buckets; keep prod's config to compare")
    story.register("churn", "v2.0.0", c, "2026-11-25T10:00:00")
    story.assign("churn", "v2.0.0", "staging", c, "2026-11-25T10:04:00")
    return story.history
