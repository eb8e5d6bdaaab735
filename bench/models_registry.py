"""Figure: time to list the model registry and one artifact's whole history, vs `gto show` and `dvc diff`.

A repository with 2,000 commits, 5 DVC-tracked models and 200 GTO tags is generated with
`git fast-import` (valid for dvc and gto: .dvc files, dvc.yaml artifacts/params/metrics, annotated tags),
then each tool is timed on it in the same run.

    .venv/bin/python bench/models_registry.py [--commits 2000] [--models 5] [--tags 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
BASE = 1_767_600_000  # 2026-01-05


def blob_text(model: int, i: int) -> str:
    md5 = hashlib.md5(f"m{model}-{i}".encode()).hexdigest()
    return f"outs:\n- md5: {md5}\n  size: {1000 + i}\n  hash: md5\n  path: m{model}.pkl\n"


def generate(root: Path, commits: int, models: int, tags: int) -> list[str]:
    """fast-import stream: commit i changes model i % models, params every 10th commit; tags spread over models."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    out: list[str] = []

    def data(text: str) -> None:
        raw = text.encode()
        out.append(f"data {len(raw)}\n{text}\n")

    dvc_yaml = "params:\n  - params.yaml\nmetrics:\n  - metrics.json\nartifacts:\n" + "".join(
        f"  m{k}:\n    path: models/m{k}.pkl\n    type: model\n" for k in range(models)
    )
    per_model_tags = tags // models
    versions_per_model = per_model_tags * 3 // 4
    stage_tags = per_model_tags - versions_per_model
    version_commits: dict[int, list[int]] = {k: [] for k in range(models)}
    for i in range(commits):
        model = i % models
        t = BASE + i * 3600
        out.append(f"commit refs/heads/main\nmark :{i + 1}\nauthor Bench <bench@example.com> {t} +0000\n"
                   f"committer Bench <bench@example.com> {t} +0000\n")
        data(f"train m{model} #{i}")
        if i == 0:
            out.append("deleteall\n")
            for path, text in ((".dvc/config", "[core]\n    analytics = false\n"), (".dvc/.gitignore", "/cache\n/tmp\n"),
                               ("dvc.yaml", dvc_yaml), (".dvcignore", ""),
                               *((f"models/m{k}.pkl.dvc", blob_text(k, 0)) for k in range(models))):
                out.append(f"M 100644 inline {path}\n")
                data(text)
        out.append(f"M 100644 inline models/m{model}.pkl.dvc\n")
        data(blob_text(model, i))
        if i % 10 == 0:
            out.append("M 100644 inline params.yaml\n")
            data(f"train:\n  lr: {0.001 * (i % 97 + 1):.3f}\n  epochs: {10 + i % 7}\n")
            out.append("M 100644 inline metrics.json\n")
            data(json.dumps({"acc": round(0.5 + (i % 50) / 100, 4), "loss": round(0.5 - (i % 50) / 200, 4)}))
        version_commits[model].append(i + 1)
    tag_names = []
    for k in range(models):
        marks = version_commits[k]
        step = max(1, len(marks) // versions_per_model)
        chosen = marks[::step][:versions_per_model]
        for n, mark in enumerate(chosen):
            name = f"m{k}@v1.{n}.0"
            t = BASE + (mark - 1) * 3600 + 60
            out.append(f"tag {name}\nfrom :{mark}\ntagger Bench <bench@example.com> {t} +0000\n")
            data(f"Registering artifact m{k} version v1.{n}.0")
            tag_names.append(name)
        for s in range(stage_tags):
            stage = "prod" if s % 2 else "staging"
            mark = chosen[min(len(chosen) - 1, (s + 1) * len(chosen) // (stage_tags + 1))]
            name = f"m{k}#{stage}#{s + 1}"
            t = BASE + (mark - 1) * 3600 + 120 + s
            out.append(f"tag {name}\nfrom :{mark}\ntagger Bench <bench@example.com> {t} +0000\n")
            data(f"Assigning stage {stage} to artifact m{k}")
            tag_names.append(name)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input="".join(out).encode(), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    return tag_names


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def run(*args: str, cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--models", type=int, default=5)
    parser.add_argument("--tags", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from mlops_tui.sources.models import ModelRepository

    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
           "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    with tempfile.TemporaryDirectory(prefix="models-bench-") as tmp:
        root = Path(tmp) / "repo"
        start = time.perf_counter()
        tags = generate(root, args.commits, args.models, args.tags)
        print(f"generated {args.commits} commits, {args.models} models, {len(tags)} GTO tags "
              f"in {time.perf_counter() - start:.2f} s")

        def ours_registry():
            return ModelRepository(str(root)).load()

        def ours_history():
            repo = ModelRepository(str(root))
            repo.load()
            return repo.history("m0")

        t_list, snap = timed(ours_registry, args.repeat)
        t_hist, hist = timed(ours_history, args.repeat)
        t_cli, cli_out = timed(lambda: run(sys.executable, "-m", "mlops_tui", "models", "list", "--json",
                                           "--repo", str(root), cwd=root, env=env), args.repeat)
        t_cli_hist, _ = timed(lambda: run(sys.executable, "-m", "mlops_tui", "models", "history", "m0", "--json",
                                          cwd=root, env=env), args.repeat)
        t_cli_diff, _ = timed(lambda: run(sys.executable, "-m", "mlops_tui", "models", "diff", "HEAD~100", "HEAD",
                                          "--json", cwd=root, env=env), args.repeat)
        t_gto, gto_out = timed(lambda: run(str(VENV_BIN / "gto"), "show", "--json", cwd=root, env=env), args.repeat)
        t_gto_hist, _ = timed(lambda: run(str(VENV_BIN / "gto"), "history", "m0", "--json", cwd=root, env=env),
                              args.repeat)
        t_dvc, _ = timed(lambda: run(str(VENV_BIN / "dvc"), "diff", "HEAD~100", "HEAD", "--json", cwd=root, env=env),
                         args.repeat)
        theirs = json.loads(gto_out)
        ours = {n: {"version": e.latest, "stage": e.stages, "registered": e.registered, "active": e.active}
                for n, e in snap.registry.entries.items() if e.active}
        agree = "yes" if ours == theirs else "NO"
        print(f"history of m0: {len(hist)} commits; registry agrees with gto show: {agree}")
        print(f"in-process: registry + all artifacts' history {t_list * 1000:.0f} ms; "
              f"one artifact's full history {t_hist * 1000:.0f} ms")
        print(f"CLI (python start + imports included): models list --json {t_cli:.2f} s; "
              f"models history m0 --json {t_cli_hist:.2f} s (with params/metrics of every version); "
              f"models diff HEAD~100 HEAD --json {t_cli_diff:.2f} s")
        print(f"peers: gto show --json {t_gto:.2f} s; gto history m0 --json {t_gto_hist:.2f} s; "
              f"dvc diff HEAD~100 HEAD --json {t_dvc:.2f} s")
        print(f"ratio gto show / our whole history (in-process): {t_gto / t_list:.1f}x; "
              f"gto show / models list CLI: {t_gto / t_cli:.1f}x; dvc diff / models diff CLI: {t_dvc / t_cli_diff:.1f}x")
        print(f"(median of {args.repeat} runs each)")


if __name__ == "__main__":
    main()
