"""What the pane's workers compute (in threads): plain results for the views to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlops_tui.settings.configs import ConfigsSettings
from mlops_tui.sources.configs import ConfigError, DiffOptions, ListMode, compare, list_configs, make_validator, merge_stack
from mlops_tui.sources.configs.compare import Comparison
from mlops_tui.sources.configs.merge import Merged
from mlops_tui.sources.configs.validate import Violation
from mlops_tui.widgets.configs.rows import RevealAll, SideBySide, side_by_side

MAX_FILES = 2000


@dataclass
class DiffWork:
    old: str
    new: str
    comparison: Comparison
    side: SideBySide | None = None  # built in the worker for two files; per file on demand for folders


@dataclass
class MergeWork:
    specs: list[str]
    overrides: list[str]
    merged: Merged
    violations: list[Violation] = field(default_factory=list)
    against: str = ""
    validation_error: str = ""
    compose: bool = True  # False: the files as written, their defaults lists kept as data
    validation_note: str = ""  # why validation was not run (a group option alone)


def diff_options(settings: ConfigsSettings, mode: ListMode) -> DiffOptions:
    return DiffOptions(mode, settings.list_key if mode is ListMode.KEY else None)


def run_diff(old: str, new: str, options: DiffOptions, cwd: Path | None, reveal_all: bool = False) -> DiffWork:
    comparison = compare(old, new, options, cwd)
    reveal = RevealAll() if reveal_all else None
    side = None if comparison.old.is_dir else side_by_side(comparison.old.data, comparison.new.data, comparison.result, reveal=reveal)
    return DiffWork(old, new, comparison, side)


def run_merge(settings: ConfigsSettings, specs: list[str], overrides: list[str], resolve_env: bool, cwd: Path | None, compose: bool = True) -> MergeWork:
    merged = merge_stack(specs, overrides, settings.list_merge, resolve_env=resolve_env, cwd=cwd, compose=compose)
    work = MergeWork(specs, overrides, merged, compose=compose)
    from mlops_tui.sources.configs.compose import group_option

    option = group_option(merged)
    if option and (settings.model or settings.schema_file):
        work.validation_note = f"not validated: {option} is a group option; the schema describes the composed entry config"
        return work
    if settings.model or settings.schema_file:
        refusal = settings.model_refusal()
        if refusal:
            work.validation_error = refusal
            return work
        try:
            model_path = settings.model_path
            if model_path and cwd is not None and not Path(model_path).is_absolute():
                model_path = str(cwd / model_path)
            schema = settings.schema_file
            if schema and cwd is not None and not Path(schema).is_absolute():
                schema = str(cwd / schema)
            validator = make_validator(settings.model, model_path, schema)
        except ConfigError as exc:
            work.validation_error = str(exc)
            return work
        if validator is not None:
            work.against = settings.model or settings.schema_file or ""
            work.violations = validator.check(merged.tree(resolved=True, reveal=True))
    return work


def find_files(paths: list[str], cwd: Path | None) -> list[str]:
    """Config files named by the settings: files as given, folders expanded (at most MAX_FILES)."""
    out: list[str] = []
    for spec in paths:
        try:
            names = list_configs(spec, cwd)
        except ConfigError:
            names = None
        if names is None:
            base = cwd or Path.cwd()
            if (base / spec).is_file() or ":" in spec:
                out.append(spec)
            continue
        out.extend(name if spec in (".", "./") else f"{spec.rstrip('/')}/{name}" for name in names)
        if len(out) >= MAX_FILES:
            break
    return out[:MAX_FILES]

