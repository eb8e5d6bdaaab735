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
from mlops_tui.settings.configs import ConfigsSettings, is_model_name
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


def group_targets(settings: ConfigsSettings, given: dict[str, str] | None = None, model_path: str | None = None) -> dict[str, Target]:
    """Each Hydra group's schema: the settings' `group_schemas` (with their refusal), then the ones given on the
    command line (an explicit request) in their place. A model is imported from model_path or configs.model_path."""
    path = model_path or settings.model_path
    out: dict[str, Target] = {}
    for group, name in settings.group_schemas.items():
        out[group.strip("/")] = _target_of(name, path, settings.group_refusal(group))
    for group, name in (given or {}).items():
        out[group.strip("/")] = _target_of(name, path, None)
    return out


def _target_of(name: str, model_path: str | None, refusal: str | None) -> Target:
    return Target(name, model_path, refusal=refusal) if is_model_name(name) else Target(schema_file=name)


def parse_group_schemas(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """`--group-schema GROUP=TARGET` options as a mapping; ConfigError for one without GROUP= or TARGET."""
    out: dict[str, str] = {}
    for item in items:
        group, sep, name = item.partition("=")
        if not sep or not group.strip("/ ") or not name:
            raise ConfigError(f"--group-schema {item!r}: expected GROUP=package.module:Class or GROUP=schema.json (e.g. trainer=train_schema:Trainer)")
        out[group.strip("/ ")] = name
    return out


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
    missing: list = field(default_factory=list)
    """The `???` values of what was validated (merge.Entry): no value to judge, so not validated; their
    violations are left out."""
    missing_fatal: bool = False
    """The missing values make the config unusable as it stands (an entry config or plain stack validated), so
    the CLI exits 2; a group option alone may get them from its entry config, so they are only noted."""


def validate_stack(specs: list[str], overrides: list[str], target: Target | None, *,
                   list_merge: ListMerge | str = ListMerge.REPLACE, resolve_env: bool = False,
                   cwd: Path | None = None, strict: bool = False, compose: bool = True,
                   groups: dict[str, Target] | None = None) -> StackCheck:
    """Merge specs + overrides (composed by Hydra unless `compose` is False) and check the resolved result
    (secrets revealed to the validator only).

    A group option composed alone (configs/trainer/ddp.yaml) is checked only against its group's schema in
    `groups`, never against target (the top-level model describes the entry config, not a fragment); without
    one, `StackCheck.skipped` says why and names the entry config to validate instead. A composed entry config
    is checked against target, and the subtree each group option was placed at against that group's schema.

    The validators are made first: with `strict` (the CLI) their ConfigError is raised before any file is read;
    otherwise (the pane) its message is `StackCheck.error` and the merged stack is still returned. A stack that
    cannot be merged raises ConfigError."""
    groups = groups or {}
    validators: dict[str, Validator] = {}
    errors: dict[str, str] = {}
    for name, each in [("", target), *groups.items()]:
        if each is None:
            continue
        try:
            validators[name] = each.validator(cwd)
        except ConfigError as exc:
            if strict:
                raise
            errors[name] = str(exc)
    merged = merge_stack(specs, overrides, list_merge, resolve_env=resolve_env, cwd=cwd, compose=compose)
    check = StackCheck(list(specs), list(overrides), merged, compose=compose)
    option = group_option(merged)
    if option is not None:
        group, _, name = option.rpartition("/")
        if group in groups:
            check.error = errors.get(group, "")
            if group in validators:
                check.against = f"{groups[group].name} (group {group})"
                check.violations = validators[group].check(merged.tree(resolved=True, reveal=True))
                _set_missing(check, fatal=False)
        elif target is not None:
            check.skipped = (f"not validated: {option} is a group option; {target.name} describes the composed entry config "
                             f"(validate that, e.g. train.yaml {group}={name}, or give {group} a group schema)")
        return check
    check.error = "; ".join(errors.values())
    tree = merged.tree(resolved=True, reveal=True) if validators else None
    against: list[str] = []
    if target is not None and "" in validators:
        against.append(target.name)
        check.violations += validators[""].check(tree)
    for group, at in _group_packages(merged).items():
        if group in validators:
            part = _subtree(tree, at)
            if part is not None:
                against.append(f"{groups[group].name} at {'.'.join(map(str, at)) or '<root>'}")
                check.violations += [Violation((*at, *v.path), v.message) for v in validators[group].check(part)]
    check.against = ", ".join(against)
    if check.against:
        _set_missing(check, fatal=True)
    return check


def _set_missing(check: StackCheck, fatal: bool) -> None:
    """Record the ??? values and drop the violations at or under them (the schema judged the placeholder)."""
    check.missing = check.merged.missing
    check.missing_fatal = fatal and bool(check.missing)
    holes = [e.path for e in check.missing]
    check.violations = [v for v in check.violations if not any(tuple(v.path[: len(h)]) == tuple(h) for h in holes)]


def _group_packages(merged: Merged) -> dict[str, tuple[str, ...]]:
    """Group -> the key path its chosen option was placed at, for each group of a composed config chosen once."""
    composition = merged.composition
    if composition is None:
        return {}
    out: dict[str, tuple[str, ...] | None] = {}
    for row in composition.defaults:
        if "/" not in row.config_path or row.is_hydra:
            continue
        group = row.config_path.rpartition("/")[0]
        if row.parent.rpartition("/")[0] == group:
            continue  # an option inheriting another of its group (defaults: [default]) is part of that option
        at = tuple(part for part in row.package.split(".") if part) if row.package else ()
        out[group] = None if group in out and out[group] != at else at
    return {group: at for group, at in out.items() if at is not None and at}


def _subtree(tree: object, path: tuple[str, ...]) -> object:
    for part in path:
        if not isinstance(tree, dict) or part not in tree:
            return None
        tree = tree[part]
    return tree
