"""What the demo repository holds: deterministic data, models, scripts and configs.

Everything here is a pure function of its arguments (seeded RNGs, no clock), so two sandboxes built
from the same code are byte-identical.
"""

from __future__ import annotations

import json
import pickle
import random
import struct
from pathlib import Path
from typing import Any

import yaml

from mlops_tui.paths import package_data

FEATURES = ["tenure_months", "monthly_charges", "total_charges", "contract", "payment_method",
            "support_tickets", "last_invoice_days", "tenure_bucket"]
CONTRACTS = ["month-to-month", "one-year", "two-year"]
PAYMENTS = ["card", "bank-transfer", "invoice", "wallet"]


def demo_configs() -> Path:
    """Folder of the demo's training configs shipped with the product (configs/demo)."""
    return package_data("configs") / "demo"


def ml_configs() -> dict[str, bytes]:
    """The product's example ML configs (configs/ml: Hydra groups, versions, schemas), by relative path."""
    root = package_data("configs") / "ml"
    if not root.is_dir():
        return {}
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}


def train_config(version: int) -> str:
    """Text of the Hydra-style training config, version 1, 2 or 3."""
    return (demo_configs() / f"train-v{version}.yaml").read_text(encoding="utf-8")


def score_config(batch_size: int) -> str:
    text = (demo_configs() / "score.yaml").read_text(encoding="utf-8")
    return text.replace("batch_size: 20000", f"batch_size: {batch_size}")


def params_from_config(config_text: str) -> dict[str, Any]:
    """params.yaml: the hyperparameters of a training config that DVC tracks."""
    config = yaml.safe_load(config_text)
    model = config["model"]
    return {
        "data": {"test_size": config["data"]["test_size"]},
        "train": {
            "learning_rate": model["learning_rate"],
            "max_depth": model["max_depth"],
            "n_estimators": model["n_estimators"],
            "seed": config["seed"],
            "subsample": model["subsample"],
        },
    }


PARAM_KEYS = ["data.test_size", "train.learning_rate", "train.max_depth", "train.n_estimators",
              "train.seed", "train.subsample"]


def partition(month: str, duplicated_rows: int = 0) -> bytes:
    """One month of customers as CSV; `duplicated_rows` repeats rows, the bug a later commit fixes."""
    rng = random.Random(f"customers-{month}")
    lines = ["customer_id,tenure_months,monthly_charges,total_charges,contract,payment_method,"
             "support_tickets,last_invoice_days,churned"]
    year, mon = (int(x) for x in month.split("-"))
    for i in range(160):
        tenure = rng.randint(1, 72)
        monthly = round(rng.uniform(19.0, 119.0), 2)
        contract = rng.choices(CONTRACTS, weights=[5, 3, 2])[0]
        tickets = min(int(rng.expovariate(0.8)), 9)
        risk = 0.35 * (contract == "month-to-month") + 0.05 * tickets - 0.004 * tenure
        churned = int(rng.random() < 0.15 + risk)
        lines.append(f"C{year % 100:02d}{mon:02d}{i:04d},{tenure},{monthly},{round(monthly * tenure, 2)},"
                     f"{contract},{rng.choice(PAYMENTS)},{tickets},{rng.randint(0, 60)},{churned}")
    lines += lines[1:1 + duplicated_rows]
    return ("\n".join(lines) + "\n").encode()


LIVE_SAMPLE = "outputs/serving/customers-live.csv"  # captured by the serving job; git ignores outputs/
LIVE_REFERENCE = "data/raw/customers-2026-11.csv"  # the prod model's newest training partition (DVC-tracked)
LIVE_COLUMNS = ["tenure_months", "monthly_charges", "total_charges", "contract", "payment_method",
                "support_tickets", "last_invoice_days"]


def live_sample(reference: bytes) -> bytes:
    """What the churn model sees in production now: the rows of its training partition `reference` (CSV as
    `partition` writes it), drifted in two columns (many more month-to-month contracts, about twice the
    support tickets); every other column is as in training."""
    rng = random.Random("customers-live")
    header, *rows = reference.decode().splitlines()
    names = header.split(",")
    contract, tickets = names.index("contract"), names.index("support_tickets")
    out = [header]
    for row in rows:
        fields = row.split(",")
        fields[contract] = rng.choices(CONTRACTS, weights=[8, 1, 1])[0]
        fields[tickets] = str(min(int(rng.expovariate(0.4)), 9))
        out.append(",".join(fields))
    return ("\n".join(out) + "\n").encode()


def train_script(version: int) -> bytes:
    """src/train.py; version 2 seeds the CV splitter, version 3 knows the tenure_bucket feature."""
    seeded = "StratifiedKFold(n_splits=cfg.trainer.cv_folds, shuffle=True, random_state=cfg.seed)" \
        if version >= 2 else "StratifiedKFold(n_splits=cfg.trainer.cv_folds, shuffle=True)"
    bucket = (
        "    if \"tenure_bucket\" in cfg.data.features:\n"
        "        frame[\"tenure_bucket\"] = pd.cut(frame.tenure_months, [0, 6, 12, 24, 48, 72], labels=False)\n"
    ) if version >= 3 else ""
    text = f'''"""Train the churn classifier from data/raw with the Hydra config configs/train.yaml."""

import json
import pickle
from pathlib import Path

import hydra
import pandas as pd
from hydra.utils import instantiate
from sklearn.metrics import f1_score, log_loss, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split


def load(cfg):
    files = sorted(Path(cfg.data.path).glob(cfg.data.pattern))
    frame = pd.concat(pd.read_csv(f) for f in files)
    frame = pd.get_dummies(frame, columns=["contract", "payment_method"])
{bucket}    return frame


@hydra.main(config_path="../configs", config_name="train", version_base="1.3")
def main(cfg):
    frame = load(cfg)
    features = [c for c in frame.columns if c.split("_")[0] in {{f.split("_")[0] for f in cfg.data.features}}]
    x_train, x_test, y_train, y_test = train_test_split(
        frame[features], frame[cfg.data.target], test_size=cfg.data.test_size, random_state=cfg.seed
    )
    folds = {seeded}
    model = instantiate(cfg.model)
    for train_idx, _ in folds.split(x_train, y_train):
        model.fit(x_train.iloc[train_idx], y_train.iloc[train_idx])
    proba = model.predict_proba(x_test)[:, 1]
    predicted = proba > 0.5
    metrics = {{
        "auc": round(roc_auc_score(y_test, proba), 4),
        "f1": round(f1_score(y_test, predicted), 4),
        "precision": round(precision_score(y_test, predicted), 4),
        "recall": round(recall_score(y_test, predicted), 4),
        "log_loss": round(log_loss(y_test, proba), 4),
    }}
    Path(cfg.trainer.output).parent.mkdir(parents=True, exist_ok=True)
    Path(cfg.trainer.output).write_bytes(pickle.dumps(model))
    Path(cfg.trainer.metrics_file).write_text(json.dumps(metrics, indent=2) + "\\n")


if __name__ == "__main__":
    main()
'''
    return text.encode()


def churn_model(version: str, params: dict[str, Any]) -> bytes:
    """models/churn.pkl: a pickle of plain data (no code), shaped like a boosted-trees model."""
    rng = random.Random(f"churn-{version}")
    train = params["train"]
    trees = [[round(rng.gauss(0, 1), 5) for _ in range(2 ** min(train["max_depth"], 4))]
             for _ in range(train["n_estimators"] // 4)]
    payload = {"estimator": "sklearn.ensemble.GradientBoostingClassifier", "version": version,
               "params": train, "feature_names": FEATURES, "trees": trees}
    return pickle.dumps(payload, protocol=4)


def baseline_model() -> bytes:
    """models/churn-baseline.pkl: logistic-regression coefficients, pickled as plain data."""
    rng = random.Random("churn-baseline")
    payload = {"estimator": "sklearn.linear_model.LogisticRegression", "version": "v0.1.0",
               "feature_names": FEATURES[:7], "coef": [round(rng.gauss(0, 0.5), 5) for _ in FEATURES[:7]],
               "intercept": -1.2}
    return pickle.dumps(payload, protocol=4)


def fraud_model(version: str, size: int) -> bytes:
    """models/fraud.onnx: an opaque binary of a given size with an ONNX-like header."""
    rng = random.Random(f"fraud-{version}")
    header = b"\x08\x07\x12\x07pytorch\x1a\x03" + version.encode() + struct.pack("<I", size)
    return header + rng.randbytes(size - len(header))


def metrics_json(metrics: dict[str, float]) -> bytes:
    return (json.dumps(metrics, indent=2) + "\n").encode()


README = """# churn-platform (mlops-tui demo)

A sandbox repository made by `mlops-tui demo`: a churn classifier trained by a DVC pipeline
(`dvc.yaml`, `params.yaml`, `metrics.json`), a fraud model tracked with a `.dvc` file, monthly
customer partitions under `data/raw/`, and GTO tags that register versions and promote them to
`staging` and `prod`. Everything is made up.

Try: `dvc status`, `dvc params diff HEAD~4`, `dvc metrics diff HEAD~4`, `gto show`, `gto history churn`.
"""

GITIGNORE = "/logs/\n/outputs/\n__pycache__/\n"

GTO_CONFIG = "stages: [dev, staging, prod]\ntypes: [model, dataset]\n"
