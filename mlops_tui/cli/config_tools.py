"""ML config tools under `mlops-tui config`: diff, merge, validate.

Exit codes: 0 same/valid, 1 they differ (with --exit-code) or the config is invalid,
2 a bad file, revision, override or option, 3 a file could not be read (permissions, git missing).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import click

from mlops_tui import paths
from mlops_tui.cli.common import EXIT_BACKEND, EXIT_FINDING, EXIT_USAGE, emit_json, fail, state


def _fail_config(exc: Exception) -> NoReturn:
    from mlops_tui.sources.configs import ConfigError

    if isinstance(exc, ConfigError):
        fail(str(exc), EXIT_USAGE if exc.usage else EXIT_BACKEND)
    fail(str(exc), EXIT_USAGE)


def _show(value: Any) -> str:
    from mlops_tui.text import sanitize

    return sanitize(json.dumps(value, ensure_ascii=False, default=str), limit=400)


def _is_override(arg: str) -> bool:
    from mlops_tui.sources.configs.merge import _OVERRIDE

    return bool(_OVERRIDE.match(arg)) and not paths.exists(arg)


def _settings_section():
    return state().settings().configs


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@click.option("--ignore-order", is_flag=True, help="Compare lists as multisets: moved items are not changes.")
@click.option("--list-key", metavar="FIELD", help="Match list items by this field (e.g. name); default configs.list_key.")
@click.option("--exit-code", is_flag=True, help="Exit with 1 when the configs differ.")
def diff_command(old: str, new: str, as_json: bool, ignore_order: bool, list_key: str | None, exit_code: bool) -> None:
    """Diff two configs by key path.

    OLD and NEW are files (YAML, JSON, TOML, INI), files at a git revision (HEAD~3:configs/train.yaml),
    directories of configs, or merged stacks (base.yaml+prod.yaml, train.yaml+model=vit_b16). Secrets are masked.
    """
    from mlops_tui.sources.configs import ConfigError, DiffOptions, ListMode, compare

    key = list_key or _settings_section().list_key
    mode = ListMode.SET if ignore_order else (ListMode.KEY if key else ListMode.POSITION)
    try:
        comparison = compare(old, new, DiffOptions(mode, key))
    except ConfigError as exc:
        _fail_config(exc)
    result = comparison.result
    if as_json:
        emit_json({"old": old, "new": new, "differ": result.differ, "counts": result.counts(), "changes": [c.to_json() for c in result.changes]})
    else:
        from mlops_tui.text import sanitize

        click.echo(f"--- {sanitize(old)}\n+++ {sanitize(new)}")
        marks = {"added": "+", "removed": "-", "changed": "~", "type_changed": "!"}
        for change in result.changes:
            before, after = change.shown()
            where = sanitize(change.where)
            kind = change.kind.value
            if kind == "added":
                click.echo(f"+ {where}: {_show(after)}")
            elif kind == "removed":
                click.echo(f"- {where}: {_show(before)}")
            elif kind == "type_changed":
                click.echo(f"! {where}: {_show(before)} -> {_show(after)}  (type {_type(before)} -> {_type(after)})")
            else:
                click.echo(f"{marks[kind]} {where}: {_show(before)} -> {_show(after)}")
        click.echo(result.summary())
    if exit_code and result.differ:
        raise SystemExit(EXIT_FINDING)


def _type(value: Any) -> str:
    from mlops_tui.sources.configs.diff import _kind_of

    return _kind_of(value)


@click.command("merge")
@click.argument("items", nargs=-1, required=True, metavar="FILE... [KEY=VALUE...]")
@click.option("--provenance", is_flag=True, help="Show, for each key, which file or override set it.")
@click.option("--resolve", is_flag=True, help="Resolve interpolations (${data.root}/train).")
@click.option("--env", "resolve_env", is_flag=True, help="Also resolve ${oc.env:VAR} (off by default).")
@click.option("--list-merge", type=click.Choice(["replace", "extend", "extend_unique"]), default="replace", show_default=True, help="How a later list combines with an earlier one.")
@click.option("--no-compose", is_flag=True, help="Keep a `defaults:` list as data instead of composing the files it names.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def merge_command(items: tuple[str, ...], provenance: bool, resolve: bool, resolve_env: bool, list_merge: str, no_compose: bool, as_json: bool) -> None:
    """Merge config files and KEY=VALUE overrides with OmegaConf (later wins); secrets masked.

    A file's Hydra-style `defaults:` list is composed (model/resnet50.yaml into `model`), and an override
    such as model=vit_b16 picks another option of that group. Missing values (???) and interpolations that do not resolve are listed on stderr; with --resolve,
    an interpolation that fails (a cycle, a failing resolver) exits with 2.
    """
    import yaml

    from mlops_tui.sources.configs import ConfigError, merge_stack

    files = [item for item in items if not _is_override(item)]
    overrides = [item for item in items if _is_override(item)]
    if not files:
        fail("give at least one config file before the KEY=VALUE overrides", EXIT_USAGE)
    try:
        merged = merge_stack(files, overrides, list_merge, resolve_env=resolve_env, compose=not no_compose)
    except ConfigError as exc:
        _fail_config(exc)
    from mlops_tui.text import sanitize

    if as_json:
        out: dict[str, Any] = {"sources": merged.sources, "config": merged.tree(resolved=resolve)}
        if provenance or resolve:
            out["keys"] = [e.to_json(provenance=provenance) for e in merged.entries]
        out["problems"] = [e.to_json() for e in merged.problems]
        emit_json(out)
    elif provenance:
        width = min(48, max((len(e.key) for e in merged.entries), default=0))
        for entry in merged.entries:
            value = entry.shown_value() if resolve and entry.interpolated and entry.error is None and not entry.env_pending else entry.shown_raw()
            line = f"{entry.key.ljust(width)} = {_show(value)}"
            if resolve and entry.interpolated:
                line += f"  (raw {_show(entry.shown_raw())})"
            click.echo(sanitize(f"{line}  # {entry.source}"))
    else:
        text = yaml.safe_dump(merged.tree(resolved=resolve), sort_keys=False, allow_unicode=True, width=120)
        click.echo(sanitize(text.rstrip()))
    failed = False
    for entry in merged.problems:
        if entry.missing:
            click.echo(sanitize(f"mlops-tui: {entry.key}: missing value (???), set by {entry.source}"), err=True)
        elif entry.env_pending:
            if resolve:
                click.echo(sanitize(f"mlops-tui: {entry.key}: needs ${{oc.env:...}}; not resolved without --env"), err=True)
        elif entry.error and resolve:
            failed = True
            click.echo(sanitize(f"mlops-tui: {entry.key}: {entry.error}"), err=True)
    if failed:
        raise SystemExit(EXIT_USAGE)


@click.command("validate")
@click.argument("items", nargs=-1, required=True, metavar="FILE... [KEY=VALUE...]")
@click.option("--model", metavar="PKG.MOD:CLASS", help="Pydantic model class (default configs.model).")
@click.option("--model-path", metavar="DIR", help="Folder to import the model from (default configs.model_path).")
@click.option("--schema", "schema_file", metavar="FILE", help="JSON Schema file (default configs.schema_file).")
@click.option("--env", "resolve_env", is_flag=True, help="Resolve ${oc.env:VAR} before validating.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def validate_command(items: tuple[str, ...], model: str | None, model_path: str | None, schema_file: str | None, resolve_env: bool, as_json: bool) -> None:
    """Validate a config (or a merged stack) against a Pydantic model or a JSON Schema.

    Interpolations are resolved first. Exit 0 when valid, 1 with the errors by key path.
    """
    from mlops_tui.sources.configs import ConfigError, make_validator, merge_stack

    section = _settings_section()
    if model and schema_file:
        fail("give --model or --schema, not both", EXIT_USAGE)
    if not model and not schema_file:
        model, schema_file = section.model, section.schema_file
        model_path = model_path or section.model_path
        refusal = section.model_refusal()
        if refusal:
            fail(refusal + " (or give --model on the command line)", EXIT_USAGE)
    if not model and not schema_file:
        fail("nothing to validate against: give --model pkg.mod:Class or --schema FILE (or set configs.model / configs.schema_file)", EXIT_USAGE)
    files = [item for item in items if not _is_override(item)]
    overrides = [item for item in items if _is_override(item)]
    if not files:
        fail("give at least one config file", EXIT_USAGE)
    try:
        validator = make_validator(model, model_path, schema_file)
        merged = merge_stack(files, overrides, resolve_env=resolve_env)
    except ConfigError as exc:
        _fail_config(exc)
    violations = validator.check(merged.tree(resolved=True, reveal=True))
    from mlops_tui.text import sanitize

    if as_json:
        emit_json({"valid": not violations, "against": validator.name, "errors": [v.to_json() for v in violations]})
    elif violations:
        for violation in violations:
            click.echo(sanitize(f"{violation.key}: {violation.message}"))
        click.echo(f"{len(violations)} error{'s' if len(violations) != 1 else ''} against {sanitize(validator.name)}")
    else:
        click.echo(f"valid against {sanitize(validator.name)}")
    if violations:
        raise SystemExit(EXIT_FINDING)


def register(group: click.Group) -> None:
    """Add the config tools' commands to the `config` group."""
    for command in (diff_command, merge_command, validate_command):
        group.add_command(command)
