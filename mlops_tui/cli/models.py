"""`mlops-tui models`: DVC/GTO model and data versions."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any

import click

from mlops_tui.cli.common import EXIT_BACKEND, EXIT_FINDING, EXIT_OK, EXIT_USAGE, emit_json, fail, state

repo_option = click.option(
    "--repo", metavar="PATH", default=None, help="Git repository that uses DVC/GTO (default: models.repo)."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _open(repo: str | None):
    from mlops_tui.sources.models import ModelsError
    from mlops_tui.sources.models.controller import open_repository

    settings = state().settings().models
    try:
        source, snapshot = open_repository(repo or settings.repo, settings.stale_after_days)
    except ModelsError as exc:
        fail(_message(exc), EXIT_BACKEND)
    for note in snapshot.notes:
        click.echo(f"note: {_clean(note)}", err=True)
    return source, snapshot


def _message(exc: Exception) -> str:
    hint = getattr(exc, "hint", "")
    return _clean(str(exc)) + (f"\n{_clean(hint)}" if hint else "")


def _clean(value: Any, limit: int | None = 200) -> str:
    from mlops_tui.text import sanitize

    return sanitize("" if value is None else value, limit)


def _plain(value: Any) -> Any:
    """Dataclasses as dicts without asdict's deep copies (histories have thousands of rows)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def _size(value: int | None) -> str:
    from mlops_tui.sources.units import human_bytes

    return human_bytes(value)


def _table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


@click.group()
def models() -> None:
    """Model and data versions from DVC and GTO."""


@models.command("list")
@repo_option
@json_option
def list_(repo: str | None, as_json: bool) -> None:
    """Artifacts (DVC outputs, declared artifacts, GTO names) and the registry's versions and stages."""
    from mlops_tui.sources.models.controller import assigned_stages, registry_frequencies

    source, snapshot = _open(repo)
    registry = snapshot.registry
    frequency = registry_frequencies(source)
    if as_json:
        emit_json(_plain({
            "repo": snapshot.root,
            "notes": snapshot.notes,
            "artifacts": snapshot.artifacts,
            "registry": {
                name: {"version": e.latest, "stage": e.stages, "registered": e.registered, "active": e.active}
                for name, e in registry.entries.items()
            },
            "stages": registry.stages,
            "frequency": frequency,
        }))
        return
    if not snapshot.artifacts:
        click.echo("no artifacts: no DVC-tracked outputs, dvc.yaml artifacts or GTO tags")
        return
    rows = []
    for art in snapshot.artifacts:
        entry = registry.entries.get(art.name)
        stages = ", ".join(f"{s}={v}" for s, v in assigned_stages(entry).items())
        rows.append([
            _clean(art.name, 40), _clean(art.path or "-", 40), _clean(art.type or "-", 12),
            (entry.latest or "-") if entry else "-",
            _clean(stages or "-", 40) if entry and entry.active else ("deprecated" if entry else "-"),
            (art.md5 or "-")[:8], _size(art.size), _date(art.last_date),
        ])
    _table(["NAME", "PATH", "TYPE", "LATEST", "STAGES", "HASH", "SIZE", "CHANGED"], rows)
    stale = [f for f in frequency.values() if f.stale]
    for f in stale:
        click.echo(f"warning: {_clean(f.name)}: newest version is {f.age_days:.0f} days old "
                   f"(models.stale_after_days={source.stale_after_days:g})", err=True)


@models.command()
@click.argument("name_or_path")
@repo_option
@json_option
def history(name_or_path: str, repo: str | None, as_json: bool) -> None:
    """Every commit that changed an artifact, newest first, with its tags and the deps/params changed with it."""
    from mlops_tui.sources.models import ModelsError
    from mlops_tui.sources.models.controller import artifact_details, assigned_stages, format_value

    source, _ = _open(repo)
    try:
        found = artifact_details(source, name_or_path)
    except ModelsError as exc:
        fail(_message(exc), EXIT_USAGE)
    artifact, entries, frequency, entry = found.artifact, found.history, found.frequency, found.entry
    details = {}
    for version in entry.versions if entry else []:
        if version.registered and version.active:
            try:
                details[version.version] = source.details_at(version.commit)
            except ModelsError as exc:
                click.echo(f"note: {version.version}: {_message(exc)}", err=True)
    if as_json:
        emit_json(_plain({
            "artifact": artifact,
            "history": entries,
            "versions": entry.versions if entry else [],
            "version_details": details,
            "stages": entry.stages if entry else {},
            "events": entry.events if entry else [],
            "frequency": frequency,
        }))
        return
    click.echo(f"{_clean(artifact.name)}  {_clean(artifact.path or '')}  {_clean(artifact.desc or '')}".rstrip())
    rows = [
        [h.commit[:8], _date(h.date), _clean(h.author, 20), h.change, (h.md5 or "-")[:8], _size(h.size),
         _clean(", ".join(h.tags), 40) or "-", _clean(", ".join(h.deps_changed + h.params_changed), 40) or "-",
         _clean(h.message, 50)]
        for h in entries
    ]
    _table(["COMMIT", "DATE", "AUTHOR", "CHANGE", "HASH", "SIZE", "TAGS", "CHANGED WITH", "MESSAGE"], rows)
    if entry:
        current = ", ".join(f"{s}: {v}" for s, v in assigned_stages(entry).items()) or "no stage assigned"
        click.echo(f"\nlatest {entry.latest or '-'}; {current}")
    if details:
        click.echo("")
        rows = []
        for version, d in details.items():
            metrics = " ".join(f"{k}={format_value(v)}" for m in d.metrics.values() for k, v in m.items())
            params = " ".join(f"{k}={format_value(v)}" for p in d.params.values() for k, v in p.items())
            rows.append([version, d.commit[:8], _clean(metrics or "-", 60), _clean(params or "-", 60)])
        _table(["VERSION", "COMMIT", "METRICS", "PARAMS"], rows)
    if frequency.median_gap_days is not None:
        click.echo(
            f"trained every {frequency.median_gap_days:.1f} days (median), last gap "
            f"{frequency.last_gap_days:.1f} days, newest {frequency.age_days:.1f} days old"
            + (" - STALE" if frequency.stale else "")
        )


@models.command()
@click.argument("a")
@click.argument("b")
@repo_option
@json_option
@click.option("--all", "with_unchanged", is_flag=True, help="Also list unchanged params and metrics.")
def diff(a: str, b: str, repo: str | None, as_json: bool, with_unchanged: bool) -> None:
    """Params, metrics and tracked outputs from A to B (revisions, tags, name@vX.Y.Z, name#stage).

    Exit code 1 when something differs, 0 when nothing does.
    """
    from mlops_tui.sources.models import ModelsError
    from mlops_tui.sources.models.controller import diff_rows

    source, _ = _open(repo)
    try:
        result = source.diff(a, b, with_unchanged=with_unchanged)
    except ModelsError as exc:
        fail(_message(exc), EXIT_USAGE)
    for error in result.errors:
        click.echo(f"note: {_clean(error)}", err=True)
    if as_json:
        emit_json(_plain(result))
    else:
        click.echo(f"{_clean(result.a.label)} ({result.a.commit[:8]}) -> {_clean(result.b.label)} ({result.b.commit[:8]})")
        changed = diff_rows(result)
        for title, kind in (("params", "param"), ("metrics", "metric")):
            rows = [[_clean(r.file, 40), _clean(r.key, 40), _clean(r.old), _clean(r.new), r.change]
                    for r in changed if r.kind == kind]
            if rows:
                click.echo(f"\n{title}:")
                _table(["FILE", "KEY", "OLD", "NEW", "CHANGE"], rows)
        outs = [[r.change, _clean(r.file, 80)] for r in changed if r.kind == "out"]
        if outs:
            click.echo("\noutputs:")
            _table(["CHANGE", "PATH"], outs)
        if result.empty:
            click.echo("no difference in params, metrics or tracked outputs")
    raise SystemExit(EXIT_OK if result.empty else EXIT_FINDING)

