"""A stack and its validation: files (or REV:path) then KEY=VALUE overrides, merged and checked against a
Pydantic model or a JSON Schema. The one way to validate a stack: `mlops-tui config validate` and the
Configs pane's merged view both call `validation_target` and `validate_stack`.

The untrusted-model rule lives here once: `validation_target` asks `ConfigsSettings.model_refusal`, and a
refused target never imports its model (`Target.validator` raises `ModelRefused`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlops_tui import paths
from mlops_tui.settings.configs import ConfigsSettings
from mlops_tui.sources.configs.compose import group_option, is_hydra_override
from mlops_tui.sources.configs.errors import ConfigError
from mlops_tui.sources.configs.merge import OVERRIDE, ListMerge, Merged, merge_stack
from mlops_tui.sources.configs.validate import Validator, Violation, make_validator


def is_override(item: str, cwd: Path | None = None) -> bool:
    """Whether a stack item is an override rather than a file: KEY=VALUE, or Hydra's syntax (`+extra=1`, `~key`,
    `trainer@x=ddp`); a file named `a=b` stays a file."""
    return (bool(OVERRIDE.match(item)) or is_hydra_override(item)) and not paths.exists((cwd or Path.cwd()) / item)


def split_items(items: list[str] | tuple[str, ...], cwd: Path | None = None) -> tuple[list[str], list[str]]:
    """(files, overrides) of a stack given as one list, each in the order given."""
    overrides = [item for item in items if is_override(item, cwd)]
    return [item for item in items if item not in overrides], overrides


class ModelRefused(ConfigError):
    """The settings name a validation model that must not be imported (see ConfigsSettings.model_refusal)."""


@dataclass(frozen=True)
class Target:
    """What a stack is validated against: a model (`pkg.mod:Cls`, from `model_path`) or a schema file."""

    model: str | None = None
    model_path: str | None = None
    schema_file: str | None = None
    refusal: str | None = None
    """Why the model must not be imported (a folder's own file named it); None: it may be."""

    @property
    def name(self) -> str:
        return self.model or self.schema_file or ""

    def validator(self, cwd: Path | None = None) -> Validator:
        """The validator, relative paths read from cwd; ModelRefused for a refused model, ConfigError when the
        model cannot be imported or the schema read."""
        if self.refusal:
            raise ModelRefused(self.refusal)
        validator = make_validator(self.model, _under(cwd, self.model_path), _under(cwd, self.schema_file))
        assert validator is not None  # a Target names a model or a schema
        return validator


def _under(cwd: Path | None, path: str | None) -> str | None:
    return str(cwd / path) if path and cwd is not None and not Path(path).is_absolute() else path


def validation_target(settings: ConfigsSettings, model: str | None = None, model_path: str | None = None,
                      schema_file: str | None = None) -> Target | None:
    """The model or schema given (the CLI's options: an explicit request), else the settings' own, with the
    settings' refusal; None when neither names anything. A given model_path applies to either."""
    if not model and not schema_file:
        model, schema_file = settings.model, settings.schema_file
        model_path = model_path or settings.model_path
        if not model and not schema_file:
            return None
        return Target(model, model_path, schema_file, settings.model_refusal())
    return Target(model, model_path, schema_file)


@dataclass
class StackCheck:
    """A merged stack and what validating it found."""

    specs: list[str]
    overrides: list[str]
    merged: Merged
    violations: list[Violation] = field(default_factory=list)
    against: str = ""
    """The model or schema it was checked against; empty: not validated."""
    error: str = ""
    """Why it could not be validated (a refused model, an import error, a bad schema); the merge still shows."""
    skipped: str = ""
    """Why it was not validated although a target is set: a Hydra group option composed alone is a fragment
    that the top-level model does not describe."""
    compose: bool = True
    """False: the files as written, their defaults lists kept as data."""


def validate_stack(specs: list[str], overrides: list[str], target: Target | None, *,
                   list_merge: ListMerge | str = ListMerge.REPLACE, resolve_env: bool = False,
                   cwd: Path | None = None, strict: bool = False, compose: bool = True) -> StackCheck:
    """Merge specs + overrides (composed by Hydra unless `compose` is False) and check the resolved result
    (secrets revealed to the validator only).

    The validator is made first: with `strict` (the CLI) its ConfigError is raised before any file is read;
    otherwise (the pane) its message is `StackCheck.error` and the merged stack is still returned. A stack that
    cannot be merged raises ConfigError. A group option composed alone is not checked: `StackCheck.skipped`
    says why and names the entry config to validate instead."""
    validator, error = None, ""
    if target is not None:
        try:
            validator = target.validator(cwd)
        except ConfigError as exc:
            if strict:
                raise
            error = str(exc)
    merged = merge_stack(specs, overrides, list_merge, resolve_env=resolve_env, cwd=cwd, compose=compose)
    check = StackCheck(list(specs), list(overrides), merged, error=error, compose=compose)
    option = group_option(merged) if target is not None else None
    if option is not None:
        group, _, name = option.rpartition("/")
        check.error = ""  # nothing was checked, so nothing failed
        check.skipped = (f"not validated: {option} is a group option; {target.name} describes the composed entry config "
                         f"(validate that, e.g. train.yaml {group}={name})")
    elif target is not None and validator is not None:
        check.against = target.name
        check.violations = validator.check(merged.tree(resolved=True, reveal=True))
    return check
