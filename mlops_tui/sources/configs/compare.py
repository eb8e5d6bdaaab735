"""What `diff A B` compares: two files, a file at two revisions, two directories, or two merged stacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops_tui import paths
from mlops_tui.sources.configs.diff import DiffOptions, DiffResult, diff, diff_documents
from mlops_tui.sources.configs.errors import ConfigError
from mlops_tui.sources.configs.loading import join, list_configs, load

STACK_SEPARATOR = "+"


@dataclass
class Side:
    """One side of a comparison: its label, its data (one document, or documents by file name)."""

    label: str
    data: Any
    is_dir: bool = False
    notes: list[str] = field(default_factory=list)  # files of a folder compared as written (Hydra could not compose them)


@dataclass
class Comparison:
    old: Side
    new: Side
    result: DiffResult


def _stack_parts(spec: str, cwd: Path | None) -> list[str] | None:
    base = cwd or Path.cwd()
    if STACK_SEPARATOR not in spec or paths.exists(base / spec):
        return None
    return [part for part in spec.split(STACK_SEPARATOR) if part]


def read_side(spec: str, cwd: Path | None = None) -> Side:
    """Load one side: a directory (or REV:dir), a merged stack `base.yaml+prod.yaml` (overrides too:
    `train.yaml+model=vit_b16`), a Hydra run's output folder (its recorded .hydra/config.yaml), or one file
    (or REV:file). Hydra project files are compared as Hydra composes them (interpolations as written)."""
    from mlops_tui.sources.configs.compose import compose_folder, is_hydra_project_file, recorded_run
    from mlops_tui.sources.configs.merge import merge_stack
    from mlops_tui.sources.configs.stack import split_items

    stack = _stack_parts(spec, cwd)
    if stack:
        files, overrides = split_items(stack, cwd)
        if not files:
            raise ConfigError(f"{spec}: a stack needs at least one file before its KEY=VALUE overrides")
        merged = merge_stack(files, overrides, cwd=cwd)
        return Side(spec, merged.tree(resolved=merged.composition is None, reveal=True))
    run = recorded_run(spec, cwd) if ":" not in spec or paths.exists((cwd or Path.cwd()).joinpath(spec)) else None
    if run is not None:
        return Side(f"{spec} (recorded run)", run.config)
    names = list_configs(spec, cwd)
    if names is not None:
        notes: list[str] = []
        return Side(spec, compose_folder(spec, names, cwd, notes), is_dir=True, notes=notes)
    doc = load(spec, cwd)
    if is_hydra_project_file(spec, doc.data, cwd):
        return Side(spec, merge_stack([spec], cwd=cwd).tree(resolved=False, reveal=True))
    return Side(spec, doc.data)


def _is_entry_for_run(spec: str, cwd: Path | None) -> bool:
    """NEW given with a recorded run: an entry config to compose with the run's overrides."""
    from mlops_tui.sources.configs.compose import is_hydra_project_file

    try:
        return is_hydra_project_file(spec, load(spec, cwd).data, cwd)
    except ConfigError:
        return False


def compare(old_spec: str, new_spec: str | None, options: DiffOptions | None = None, cwd: Path | None = None) -> Comparison:
    """Diff two configs (or two directories of configs) by key path. Without new_spec, old_spec is a Hydra
    run's output folder, compared with composing its config now with the run's overrides."""
    old = read_side(old_spec, cwd)
    if new_spec is None or (old.label.endswith("(recorded run)") and new_spec and _is_entry_for_run(new_spec, cwd)):
        from mlops_tui.sources.configs.compose import compose_run_now, recorded_run

        run = recorded_run(old_spec, cwd)
        if run is None:
            raise ConfigError(f"{old_spec}: give two configs, or a Hydra run's output folder (with .hydra/config.yaml) alone")
        label, data = compose_run_now(run, new_spec, cwd)
        new = Side(label, data)
    else:
        new = read_side(new_spec, cwd)
    if old.is_dir != new.is_dir:
        which = old_spec if old.is_dir else new_spec
        raise ConfigError(f"{which} is a directory and the other side is a file: compare two files or two directories")
    result = diff_documents(old.data, new.data, options) if old.is_dir else diff(old.data, new.data, options)
    return Comparison(old, new, result)
