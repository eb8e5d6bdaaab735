"""ML config tools under `mlops-tui config`: diff, merge, validate.

Exit codes: 0 same/valid, 1 they differ (with --exit-code) or the config is invalid,
2 a bad file, revision, override or option, 3 a file could not be read (permissions, git missing).
"""

from __future__ import annotations

import json
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


def _settings_section():
    return state().settings().configs


def _project(settings_needed: bool = True):  # noqa: ANN202 - a context manager
    """The Hydra config folder and primary config named by the settings, while composing. `config merge` needs
    no settings: invalid ones (an unrelated MLOPS_TUI_* variable) leave it composing as if none were set."""
    from mlops_tui.settings import SettingsError
    from mlops_tui.sources.configs.compose import hydra_project

    if settings_needed:
        section = _settings_section()
    else:
        try:
            section = state().load().configs
        except SettingsError:
            return hydra_project(None, None)
    return hydra_project(section.hydra_config_path, section.hydra_config_name, modules=section.hydra_modules,
                         module_path=section.model_path, refusal=section.modules_refusal())


@click.command("diff")
@click.argument("old")
@click.argument("new", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@click.option("--ignore-order", is_flag=True, help="Compare lists as multisets: moved items are not changes.")
@click.option("--list-key", metavar="FIELD", help="Match list items by this field (e.g. name); default configs.list_key.")
@click.option("--exit-code", is_flag=True, help="Exit with 1 when the configs differ.")
def diff_command(old: str, new: str | None, as_json: bool, ignore_order: bool, list_key: str | None, exit_code: bool) -> None:
    """Diff two configs by key path.

    OLD and NEW are files (YAML, JSON, TOML, INI), files at a git revision (HEAD~3:configs/train.yaml),
    directories of configs, or merged stacks (base.yaml+prod.yaml, train.yaml+trainer=ddp). Hydra project files
    are compared as Hydra composes them. OLD may be a Hydra run's output folder (.hydra/config.yaml): alone, it is
    compared with composing its config now with the run's overrides (NEW: the entry config, if it moved). Secrets are masked.
    """
    from mlops_tui.sources.configs import ConfigError, compare
    from mlops_tui.sources.configs.controller import diff_options, list_mode_for
    from mlops_tui.sources.configs.diff import kind_of

    key = list_key or _settings_section().list_key
    try:
        with _project():
            comparison = compare(old, new, diff_options(list_mode_for(ignore_order, key), key))
    except ConfigError as exc:
        _fail_config(exc)
    result = comparison.result
    from mlops_tui.text import sanitize

    for note in comparison.old.notes + comparison.new.notes:
        click.echo(sanitize(f"mlops-tui: {note}"), err=True)
    if as_json:
        emit_json({"old": comparison.old.label, "new": comparison.new.label, "differ": result.differ, "counts": result.counts(), "changes": [c.to_json() for c in result.changes]})
    else:
        click.echo(f"--- {sanitize(comparison.old.label)}\n+++ {sanitize(comparison.new.label)}")
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
                click.echo(f"! {where}: {_show(before)} -> {_show(after)}  (type {kind_of(before)} -> {kind_of(after)})")
            else:
                click.echo(f"{marks[kind]} {where}: {_show(before)} -> {_show(after)}")
        click.echo(result.summary())
    if exit_code and result.differ:
        raise SystemExit(EXIT_FINDING)


@click.command("merge")
@click.argument("items", nargs=-1, required=True, metavar="FILE... [KEY=VALUE...]")
@click.option("--provenance", is_flag=True, help="Show, for each key, which file or override set it.")
@click.option("--resolve", is_flag=True, help="Resolve interpolations (${data.root}/train).")
@click.option("--env", "resolve_env", is_flag=True, help="Also resolve ${oc.env:VAR} (off by default).")
@click.option("--list-merge", type=click.Choice(["replace", "extend", "extend_unique"]), default="replace", show_default=True, help="How a later list combines with an earlier one.")
@click.option("--no-compose", is_flag=True, help="Keep a `defaults:` list as data instead of composing the files it names.")
@click.option("--hydra", "with_hydra", is_flag=True, help="Keep Hydra's own `hydra:` node (its hydra/ group) in the composed config.")
@click.option("--defaults", "show_defaults", is_flag=True, help="Print the defaults list Hydra resolved (the file of each entry, in merge order) instead of the config.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def merge_command(items: tuple[str, ...], provenance: bool, resolve: bool, resolve_env: bool, list_merge: str, no_compose: bool, with_hydra: bool, show_defaults: bool, as_json: bool) -> None:
    """Merge config files and KEY=VALUE overrides with OmegaConf (later wins); secrets masked.

    A file with a `defaults:` list is composed by Hydra, exactly as it runs it; overrides are in Hydra's syntax
    (trainer=ddp, +extra=1, ~key, model.lr=0.1). A group option (configs/trainer/ddp.yaml) is composed on its
    own; an experiment (configs/experiment/x.yaml) through the entry config that chooses it. Missing values (???) and interpolations that do not resolve are listed on stderr; with --resolve,
    a missing value or an interpolation that fails (a cycle, a failing resolver) exits with 2.
    """
    import yaml

    from mlops_tui.sources.configs import ConfigError, merge_stack
    from mlops_tui.sources.configs.stack import split_items

    files, overrides = split_items(items)
    if not files:
        fail("give at least one config file before the KEY=VALUE overrides", EXIT_USAGE)
    try:
        with _project(settings_needed=False):
            merged = merge_stack(files, overrides, list_merge, resolve_env=resolve_env, compose=not no_compose, with_hydra=with_hydra)
    except ConfigError as exc:
        _fail_config(exc)
    from mlops_tui.text import sanitize

    composition = merged.composition
    for note in composition.notes if composition is not None else []:
        click.echo(sanitize(f"mlops-tui: hydra: {note}"), err=True)
    if show_defaults:
        _print_defaults(composition, with_hydra, as_json)
        return
    if as_json:
        out: dict[str, Any] = {"sources": merged.sources, "config": merged.tree(resolved=resolve)}
        if composition is not None:
            from mlops_tui.sources.configs.compose import defaults_rows

            out["defaults"] = [row.to_json() for row in defaults_rows(composition, with_hydra)]
            out["choices"] = composition.choices
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
            failed = failed or resolve  # a resolved config has no value to give for it
            click.echo(sanitize(f"mlops-tui: {entry.missing_text()}"), err=True)
        elif entry.env_pending:
            if resolve:
                click.echo(sanitize(f"mlops-tui: {entry.key}: needs ${{oc.env:...}}; not resolved without --env"), err=True)
        elif entry.error and resolve:
            failed = True
            click.echo(sanitize(f"mlops-tui: {entry.key}: {entry.error}"), err=True)
    if failed:
        raise SystemExit(EXIT_USAGE)


def _print_defaults(composition: Any, with_hydra: bool, as_json: bool) -> None:
    from mlops_tui.sources.configs.compose import defaults_rows
    from mlops_tui.text import sanitize

    if composition is None:
        fail("no defaults list: the file is not composed by Hydra (it has no `defaults:` and is no group option)", EXIT_USAGE)
    rows = defaults_rows(composition, with_hydra)
    if as_json:
        emit_json({"config_name": composition.project.config_name, "defaults": [row.to_json() for row in rows], "choices": composition.choices})
        return
    click.echo(sanitize(f"# defaults of {composition.project.config_name}, in merge order (later wins)"))
    for row in rows:
        click.echo(sanitize(row.line()))


@click.command("validate")
@click.argument("items", nargs=-1, required=True, metavar="FILE... [KEY=VALUE...]")
@click.option("--model", metavar="PKG.MOD:CLASS", help="Pydantic model or structured config (dataclass, attrs) class (default configs.model).")
@click.option("--model-path", metavar="DIR", help="Folder to import the model from (default configs.model_path).")
@click.option("--schema", "schema_file", metavar="FILE", help="JSON Schema file (default configs.schema_file).")
@click.option("--group-schema", "group_schemas", multiple=True, metavar="GROUP=TARGET",
              help="Schema of a Hydra config group (trainer=train_schema:Trainer or trainer=trainer.schema.json); repeatable; default configs.group_schemas.")
@click.option("--env", "resolve_env", is_flag=True, help="Resolve ${oc.env:VAR} before validating.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def validate_command(items: tuple[str, ...], model: str | None, model_path: str | None, schema_file: str | None,
                     group_schemas: tuple[str, ...], resolve_env: bool, as_json: bool) -> None:
    """Validate a config (or a merged stack) against a Pydantic model, a structured config (dataclass) or a JSON Schema.

    Interpolations are resolved first. A Hydra group option on its own (configs/trainer/ddp.yaml) is validated
    only against its group's schema (--group-schema trainer=...), never against the top-level model; a composed
    entry config is validated against the model, and each group's subtree against its group's schema.
    A missing value (???) has nothing to validate: it is named with its file on stderr and exits 2 (noted only
    for a group option alone). Exit 0 when valid, 1 with the errors by key path.
    """
    from mlops_tui.sources.configs import ConfigError
    from mlops_tui.sources.configs.stack import group_targets, parse_group_schemas, split_items, validate_stack, validation_target

    if model and schema_file:
        fail("give --model or --schema, not both", EXIT_USAGE)
    section = _settings_section()
    target = validation_target(section, model, model_path, schema_file)
    if target is not None and target.refusal:
        fail(target.refusal + " (or give --model on the command line)", EXIT_USAGE)
    try:
        groups = group_targets(section, parse_group_schemas(group_schemas), model_path)
    except ConfigError as exc:
        _fail_config(exc)
    if target is None and not groups:
        fail("nothing to validate against: give --model pkg.mod:Class, --schema FILE or --group-schema GROUP=TARGET "
             "(or set configs.model / configs.schema_file / configs.group_schemas)", EXIT_USAGE)
    files, overrides = split_items(items)
    if not files:
        fail("give at least one config file", EXIT_USAGE)
    try:
        with _project():
            check = validate_stack(files, overrides, target, resolve_env=resolve_env, strict=True, groups=groups)
    except ConfigError as exc:
        _fail_config(exc)
    from mlops_tui.text import sanitize

    violations = check.violations
    holes = f"{len(check.missing)} missing value{'s' if len(check.missing) != 1 else ''} (???) not validated"
    if (check.skipped or not check.against) and as_json:
        emit_json({"valid": None, "against": target.name if target else "", "skipped": check.skipped or _nothing_applies(groups), "errors": []})
    elif check.skipped or not check.against:
        click.echo(sanitize(check.skipped or _nothing_applies(groups)))
    elif as_json:
        emit_json({"valid": not violations and not check.missing_fatal, "against": check.against, "errors": [v.to_json() for v in violations],
                   "missing": [{"path": e.key, "source": e.source} for e in check.missing]})
    elif violations:
        for violation in violations:
            click.echo(sanitize(f"{violation.key}: {violation.message}"))
        click.echo(f"{len(violations)} error{'s' if len(violations) != 1 else ''} against {sanitize(check.against)}" + (f"; {holes}" if check.missing else ""))
    elif check.missing:
        click.echo(f"{holes}; the rest is valid against {sanitize(check.against)}")
    else:
        click.echo(f"valid against {sanitize(check.against)}")
    for entry in check.missing:
        note = "" if check.missing_fatal else " (a group option alone: its entry config or the command line may set it)"
        click.echo(sanitize(f"mlops-tui: {entry.missing_text()}{note}"), err=True)
    if check.missing_fatal:
        raise SystemExit(EXIT_USAGE)
    if violations:
        raise SystemExit(EXIT_FINDING)


def _nothing_applies(groups: dict) -> str:
    return f"not validated: no top-level model or schema, and none of the group schemas ({', '.join(sorted(groups))}) applies to it"


def register(group: click.Group) -> None:
    """Add the config tools' commands to the `config` group."""
    for command in (diff_command, merge_command, validate_command):
        group.add_command(command)
