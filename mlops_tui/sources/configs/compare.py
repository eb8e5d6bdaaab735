"""What `diff A B` compares: two files, a file at two revisions, two directories, or two merged stacks."""

from __future__ import annotations

from dataclasses import dataclass
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
    `train.yaml+model=vit_b16`), or one file (or REV:file)."""
    stack = _stack_parts(spec, cwd)
    if stack:
        from mlops_tui.sources.configs.merge import _OVERRIDE, merge_stack

        base = cwd or Path.cwd()
        overrides = [part for part in stack if _OVERRIDE.match(part) and not paths.exists(base / part)]
        files = [part for part in stack if part not in overrides]
        if not files:
            raise ConfigError(f"{spec}: a stack needs at least one file before its KEY=VALUE overrides")
        return Side(spec, merge_stack(files, overrides, cwd=cwd).tree(resolved=True, reveal=True))
    names = list_configs(spec, cwd)
    if names is not None:
        return Side(spec, {name: load(join(spec, name), cwd).data for name in names}, is_dir=True)
    return Side(spec, load(spec, cwd).data)


def compare(old_spec: str, new_spec: str, options: DiffOptions | None = None, cwd: Path | None = None) -> Comparison:
    """Diff two configs (or two directories of configs) by key path."""
    old, new = read_side(old_spec, cwd), read_side(new_spec, cwd)
    if old.is_dir != new.is_dir:
        which = old_spec if old.is_dir else new_spec
        raise ConfigError(f"{which} is a directory and the other side is a file: compare two files or two directories")
    result = diff_documents(old.data, new.data, options) if old.is_dir else diff(old.data, new.data, options)
    return Comparison(old, new, result)
