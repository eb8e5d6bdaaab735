"""Figure: structural diff of two 50,000-key configs, mlops-tui vs deepdiff (PyPI) in the same run.

Run: .venv/bin/python bench/configs_diff.py [--keys 50000] [--repeat 3]
Prints the seconds of each (best of --repeat), the ratio, and checks both found the same number of changes.
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
from importlib.metadata import version
from pathlib import Path

from deepdiff import DeepDiff

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import best  # noqa: E402

from mlops_tui.sources.configs import diff  # noqa: E402


def make_config(keys: int, seed: int = 7) -> dict:
    """A Hydra-shaped tree: groups of layers with scalar params and lists of callbacks, `keys` leaves in all."""
    rng = random.Random(seed)
    config: dict = {}
    made = 0
    group = 0
    while made < keys:
        section: dict = {}
        for layer in range(10):
            params = {f"p{i}": rng.choice([rng.random(), rng.randint(0, 10_000), f"value-{rng.randint(0, 99)}", True]) for i in range(8)}
            params["callbacks"] = [{"name": f"cb{j}", "every": rng.randint(1, 10)} for j in range(1)]
            section[f"layer{layer}"] = params
            made += 10
        config[f"group{group}"] = section
        group += 1
    return config


def mutate(config: dict, fraction: float, seed: int = 11) -> dict:
    rng = random.Random(seed)
    new = copy.deepcopy(config)
    groups = list(new)
    for _ in range(int(len(groups) * 10 * 10 * fraction)):
        layer = new[rng.choice(groups)][f"layer{rng.randint(0, 9)}"]
        action = rng.random()
        if action < 0.6:
            layer[f"p{rng.randint(0, 7)}"] = rng.randint(0, 10_000) + 0.5
        elif action < 0.8:
            layer[f"extra{rng.randint(0, 99)}"] = "added"
        else:
            layer.pop(f"p{rng.randint(0, 7)}", None)
    return new


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    old = make_config(args.keys)
    new = mutate(old, 0.01)
    ours_s, ours = best(lambda: diff(old, new), args.repeat)
    theirs_s, theirs = best(lambda: DeepDiff(old, new, verbose_level=2), args.repeat)
    theirs_count = sum(len(v) for v in theirs.values())
    print(f"config diff of two {args.keys:,}-key configs ({len(ours.changes)} changes), best of {args.repeat}:")
    print(f"  mlops-tui diff : {ours_s * 1000:8.1f} ms")
    print(f"  deepdiff {version('deepdiff'):<6}: {theirs_s * 1000:8.1f} ms ({theirs_count} changes)")
    print(f"  ratio          : mlops-tui is {theirs_s / ours_s:.1f}x faster than deepdiff")
    if theirs_count != len(ours.changes):
        print("  WARNING: the two found different numbers of changes")


if __name__ == "__main__":
    main()
