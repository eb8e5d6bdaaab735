"""`mlops-tui logs`: search and tail log files and search engines."""

from __future__ import annotations

import json
import sys
import time

import click

from mlops_tui.cli.common import EXIT_BACKEND, EXIT_USAGE, emit_json, fail, given, read_failed, refuse_unused, state


@click.group()
def logs() -> None:
    """Search and follow logs."""


def _open(files: tuple[str, ...], follow: bool):
    from mlops_tui.sources.logs import LogOpenError, QueryError, custom_formats, open_files
    from mlops_tui.sources.logs.controller import default_files

    settings = state().settings()
    try:
        formats = custom_formats(settings.logs.formats)
    except QueryError as exc:
        fail(str(exc), EXIT_USAGE)
    patterns = default_files(files, settings.logs.files)
    if not patterns:
        fail("no log files: pass --file F, set logs.files=[PATH,...] or put files in ./logs/", EXIT_USAGE)
    try:
        return open_files(patterns, formats, follow=follow)
    except LogOpenError as exc:
        fail(str(exc), EXIT_BACKEND)


def _line(record, as_json: bool) -> str:
    from mlops_tui.sources.logs.record import masked

    record = masked(record)
    if as_json:
        from mlops_tui.text import escape_json_text

        return escape_json_text(json.dumps(record.to_json(), default=str, ensure_ascii=False))  # C1, bidi: \u
    from mlops_tui.text import sanitize

    stamp = record.timestamp.isoformat(timespec="milliseconds") if record.timestamp else "-"
    level = record.level.label if record.level is not None else "-"
    return sanitize(f"{stamp} {level:<8} {record.source}:{record.line} {record.raw}")


def _index(source) -> None:
    try:
        while source.refresh(None) and not source.complete:
            pass
    except OSError as exc:
        read_failed(source.label, exc)


def _count_one_pass(source, query) -> int | None:
    """The count read in one pass over each file's bytes, no line index built (only the sample that picks
    the format); None when the query needs the index."""
    from mlops_tui.sources.logs import FileSource

    files = getattr(source, "sources", [source])
    if not all(isinstance(f, FileSource) for f in files):
        return None
    total = 0
    try:
        for f in files:
            while not f.detected and not f.complete:
                f.refresh(64 << 10)  # 200 lines pick the format
            found = f.count_unindexed(query)
            if found is None:
                return None
            total += found
    except OSError as exc:
        read_failed(source.label, exc)
    return total


def _fail_if_unread(source) -> None:
    """Exit 3 naming each file read only in part (a truncated or fake .gz, a gzip bomb stopped at its
    bound): what was read is printed first, but no part-read file may pass for a complete answer."""
    problems = [f"{s.label}: {s.error}" for s in getattr(source, "sources", [source]) if getattr(s, "error", None)]
    if problems:
        fail("\n".join(problems), EXIT_BACKEND)


@logs.command()
@click.argument("pattern", default="")
@click.option("--source", "-s", "source_name", metavar="NAME",
              help="Search this logs.elasticsearch / logs.opensearch cluster; PATTERN is then KQL "
                   "(service.name: api and not log.level: debug, status >= 500, message: \"timed out\").")
@click.option("--lucene", is_flag=True, help="With --source: PATTERN is Lucene query-string syntax (log.level:ERROR AND NOT host.name:web-*), not KQL.")
@click.option("--file", "-f", "files", multiple=True, metavar="F", help="Log file or glob (repeatable; .gz too). Default: logs.files.")
@click.option("--regex", "-E", is_flag=True, help="PATTERN is a regular expression.")
@click.option("--ignore-case", "-i", is_flag=True, help="Match PATTERN regardless of case.")
@click.option("--level", metavar="L", help="Keep records at level L or worse (trace debug info notice warn error critical); "
              "records without a level are kept at debug or trace, left out above.")
@click.option("--since", metavar="WHEN", help="Only records since: 10m, 1h, 2d, 14:05 or a timestamp.")
@click.option("--until", metavar="WHEN", help="Only records until: 10m, 1h, 14:05 or a timestamp.")
@click.option("--field", "fields", multiple=True, metavar="K=V", help="Field filter, repeatable: service=api, latency_ms>500, level>=warn, path~^/api.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Stop after N records (0 prints none, as head -n 0).")
@click.option("--count", "count_only", is_flag=True, help="Print only the number of matching records ({\"count\": N} with --json).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines: timestamp, level, message, source, line, fields.")
@click.option("--context", "context_id", metavar="ID", help="With --source: the documents around the one with this _id "
              "(newest first; it is marked with >), instead of a search.")
@click.option("--context-size", type=click.IntRange(min=1, max=1000), default=5, show_default=True,
              help="With --context: documents on each side.")
@click.option("--same", metavar="FIELD", help="With --context: only documents with the same value of FIELD (service.name, host.name).")
def search(pattern: str, source_name: str | None, lucene: bool, files: tuple[str, ...], regex: bool, ignore_case: bool,
           level: str | None, since: str | None, until: str | None, fields: tuple[str, ...], limit: int | None,
           count_only: bool, as_json: bool, context_id: str | None, context_size: int, same: str | None) -> None:
    """Print the records matching PATTERN (empty: every record). PATTERN is read as the Logs pane's search box
    reads it: words like `status>=500` or `service=api` are field filters (as --field gives), the rest is text
    (all of it a regex with --regex). With --source, PATTERN is KQL and the records come newest first, the
    hit count on stderr. Exit 0 even when nothing matched; 2 for a bad query or a field no record has."""
    from mlops_tui.sources.logs import FieldFilter, Mode, Query, QueryError, parse_level
    from mlops_tui.sources.timespec import parse_time

    if context_id is None:
        refuse_unused(given(same="--same", context_size="--context-size"), "with --context only")
    if context_id is not None:
        if source_name is None:
            fail("--context: with --source only (a cluster document's _id)", EXIT_USAGE)
        extra = [flag for flag, used in (("PATTERN", pattern), ("--since", since), ("--until", until),
                                         ("--limit", limit is not None), ("--count", count_only),
                                         ("--lucene", lucene)) if used]
        if extra:
            fail(f"{', '.join(extra)}: not with --context (every document around it counts)", EXIT_USAGE)
        _context(source_name, context_id, context_size, same, as_json)
        return
    if source_name is not None:
        file_only = [flag for flag, used in (("--file", files), ("--regex", regex), ("--ignore-case", ignore_case),
                                             ("--level", level), ("--field", fields)) if used]
        if file_only:
            fail(f"{', '.join(file_only)}: for log files only; with --source, PATTERN is KQL "
                 "(log.level: error, host.name: web-*)", EXIT_USAGE)
        try:
            start = parse_time(since) if since else None
            end = parse_time(until) if until else None
        except ValueError as exc:
            fail(str(exc), EXIT_USAGE)
        _search_engine(source_name, pattern, start, end, limit, count_only, as_json, "lucene" if lucene else "kql")
        return
    if lucene:
        fail("--lucene: for --source only (a cluster's query syntax)", EXIT_USAGE)

    try:
        min_level = None
        if level is not None:
            min_level = parse_level(level)
            if min_level is None:
                raise QueryError(f"unknown level {level!r}: use trace, debug, info, notice, warn, error or critical")
        mode = Mode.REGEX if regex else Mode.IGNORE_CASE if ignore_case else Mode.LITERAL
        # the pane's search syntax: key=value-like words of PATTERN are field filters (not with --regex)
        typed = Query(pattern, mode) if regex else Query.from_text(pattern, mode)
        query = Query(
            pattern=typed.pattern, mode=mode, min_level=min_level,
            since=parse_time(since) if since else None, until=parse_time(until) if until else None,
            filters=typed.filters + tuple(FieldFilter.parse(f) for f in fields),
        )
    except (QueryError, ValueError) as exc:
        fail(str(exc), EXIT_USAGE)
    from mlops_tui.sources.logs.base import search_streaming

    source = _open(files, follow=False)
    try:
        if count_only:
            found = _count_one_pass(source, query)
            if found is None:
                _index(source)
                found = source.count(query)
            if not found:
                _refuse_unknown_fields(source, query)
            _print_count(found, as_json)
        elif limit != 0:
            out = sys.stdout
            number = 0
            for number, hit in enumerate(search_streaming(source, query), 1):  # first hits before the file is all read
                out.write(_line(hit.record, as_json) + "\n")
                if limit is not None and number >= limit:
                    break
            out.flush()
            if not number:
                _refuse_unknown_fields(source, query)
        _fail_if_unread(source)
    except QueryError as exc:  # a regex past limits.regex_seconds: the hits so far are printed, then this
        sys.stdout.flush()
        fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        read_failed(source.label, exc)
    finally:
        source.close()


def _print_count(found: int, as_json: bool) -> None:
    if as_json:
        emit_json({"count": found}, indent=None)
    else:
        click.echo(found)


def _refuse_unknown_fields(source, query) -> None:
    """Nothing matched: if a filter names a field no record has, say so (exit 2) rather than print 0."""
    from mlops_tui.sources.logs.query import unknown_fields

    def every_record():
        for start in range(0, source.row_count(), 1000):
            yield from source.rows(start, 1000, 256)

    unknown = unknown_fields(query, every_record())
    if unknown:
        names = ", ".join(repr(key) for key in unknown)
        fail(f"unknown field {names}: no record in {source.label} has it", EXIT_USAGE)


def _cluster(name: str):
    """The configured cluster called `name` (exit 2 when there is none or its settings are unusable)."""
    from mlops_tui.sources.http import EndpointConfigError
    from mlops_tui.sources.logs import QueryError
    from mlops_tui.sources.logs.search_engine import open_source

    try:
        return open_source(state().settings().logs, name)
    except (QueryError, EndpointConfigError) as exc:
        fail(str(exc), EXIT_USAGE)


def _hit_line(record, as_json: bool) -> str:
    """One hit as `logs search --source` prints it (text or JSON), secrets masked as for files."""
    from mlops_tui.sources.logs.record import masked
    from mlops_tui.text import escape_json_text, sanitize

    record = masked(record)  # secrets in documents, as for files
    if as_json:
        return escape_json_text(json.dumps(record.to_json(), default=str, ensure_ascii=False))
    stamp = record.timestamp.isoformat(timespec="milliseconds") if record.timestamp else "-"
    level = record.level.label if record.level is not None else "-"
    return sanitize(f"{stamp} {level:<8} {record.source} {record.message}")


def _search_engine(name: str, query: str, start, end, limit: int | None, count_only: bool, as_json: bool,
                   syntax: str = "kql") -> None:
    """`logs search --source NAME`: the hits through a point in time (closed at the end), newest first."""
    from mlops_tui.sources.logs import QueryError
    from mlops_tui.sources.logs.search_engine import SearchEngineError

    source = _cluster(name)
    out = sys.stdout
    try:
        if count_only or limit == 0:
            page = source.search(query, start=start, end=end, size=0, syntax=syntax)
            if count_only:
                _print_count(page.total, as_json)
            return
        shown = 0
        page_size = min(limit or 1000, 1000)
        pages = source.pages(query, start=start, end=end, page_size=page_size, syntax=syntax)
        try:
            for page in pages:
                if shown == 0 and not as_json:
                    partial = f" ({page.partial})" if page.partial else ""
                    click.echo(f"{page.total:,} {'hit' if page.total == 1 else 'hits'}{partial}", err=True)
                for record in page.records[:None if limit is None else limit - shown]:
                    out.write(_hit_line(record, as_json) + "\n")
                    shown += 1
                if limit is not None and shown >= limit:
                    break
        finally:
            pages.close()  # closes the point in time
        if shown == 0 and not as_json:
            click.echo("0 hits", err=True)
        out.flush()
    except QueryError as exc:
        fail(str(exc), EXIT_USAGE)
    except SearchEngineError as exc:
        fail(str(exc), EXIT_BACKEND)
    finally:
        source.close()


def _context(name: str, doc_id: str, size: int, same: str | None, as_json: bool) -> None:
    """`logs search --source NAME --context ID`: the documents around one, newest first (the pane's `a`)."""
    from mlops_tui.sources.logs.cluster import surrounding
    from mlops_tui.sources.logs.search_engine import SearchEngineError

    source = _cluster(name)
    try:
        around, window = surrounding(source, doc_id, same=same, size=size)
        window.close()
        click.echo(around.label, err=True)
        sys.stdout.write("".join(("" if as_json else "> " if record is around.anchor else "  ")
                                 + _hit_line(record, as_json) + "\n" for record in around.rows()))
        sys.stdout.flush()
    except SearchEngineError as exc:
        fail(str(exc), EXIT_BACKEND)
    finally:
        source.close()


@logs.command()
@click.argument("query", default="")
@click.option("--source", "-s", "source_name", metavar="NAME",
              help="Follow this logs.elasticsearch / logs.opensearch cluster; QUERY is then KQL (or Lucene with --lucene).")
@click.option("--lucene", is_flag=True, help="With --source: QUERY is Lucene query-string syntax.")
@click.option("--overlap", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="With --source: seconds each poll reaches back before the newest document seen (refresh interval "
                   "plus ingest lag), so a document that becomes searchable late is still printed, once.")
@click.option("--file", "-f", "files", multiple=True, metavar="F", help="Log file or glob (repeatable). Default: logs.files.")
@click.option("--lines", "-n", type=click.IntRange(min=0), default=10, show_default=True, help="Lines (or newest hits) to print before following.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@click.option("--interval", type=click.FloatRange(min=0.01), default=None,
              help="Seconds between checks for new lines (default 0.2; with --source 2).")
@click.option("--for", "duration", type=click.FloatRange(min=0), default=None, help="Stop after this many seconds (default: until Ctrl-C).")
def tail(query: str, source_name: str | None, lucene: bool, overlap: float, files: tuple[str, ...], lines: int,
         as_json: bool, interval: float | None, duration: float | None) -> None:
    """Print the last lines and follow the files, across rotations (rename or copy-truncate); with --source,
    the newest hits of QUERY and then every new one (late ones too), each once."""
    if source_name is not None:
        if files:
            fail("--file: for log files only; with --source, QUERY is KQL", EXIT_USAGE)
        _tail_engine(source_name, query, "lucene" if lucene else "kql", lines, as_json,
                     2.0 if interval is None else interval, duration, overlap)
        return
    if query or lucene:
        fail("QUERY and --lucene: for --source only (files are followed whole; use logs search for a pattern)", EXIT_USAGE)
    refuse_unused(given(overlap="--overlap"), "for --source only (a cluster's late documents)")
    interval = 0.2 if interval is None else interval
    source = _open(files, follow=True)
    out = sys.stdout
    try:
        _index(source)
        shown = max(0, source.row_count() - lines)
        stop = None if duration is None else time.monotonic() + duration
        while True:
            total = source.row_count()
            # the last line may still be written: print it once its newline arrives
            complete_rows = total if _ends_with_newline(source) else total - 1
            while shown < complete_rows:
                batch = source.rows(shown, min(1000, complete_rows - shown))
                if not batch:
                    break
                out.write("".join(_line(r, as_json) + "\n" for r in batch))
                shown += len(batch)
            out.flush()
            if stop is not None and time.monotonic() >= stop:
                break
            time.sleep(interval)
            source.refresh(None)
    except OSError as exc:
        read_failed(source.label, exc)
    finally:
        source.close()


def _tail_engine(name: str, query: str, syntax: str, lines: int, as_json: bool, interval: float,
                 duration: float | None, overlap: float) -> None:
    """`logs tail --source NAME`: the newest `lines` hits, then each new document once (sources/logs/cluster.Tail)."""
    from datetime import timedelta

    from mlops_tui.sources.logs import QueryError
    from mlops_tui.sources.logs.cluster import ClusterQuery, Tail
    from mlops_tui.sources.logs.search_engine import SearchEngineError

    source = _cluster(name)
    out = sys.stdout
    stop = None if duration is None else time.monotonic() + duration
    try:
        tail = Tail(source, ClusterQuery(query, syntax), overlap=timedelta(seconds=overlap))
        newest = source.search(query, size=lines, syntax=syntax).records if lines else []
        tail.prime(newest)
        out.write("".join(_hit_line(r, as_json) + "\n" for r in reversed(newest)))
        out.flush()
        failing = False
        while stop is None or time.monotonic() < stop:
            try:
                fresh = tail.poll()
            except SearchEngineError as exc:
                if not failing:
                    click.echo(f"{exc} (retrying every {interval:g} s)", err=True)
                failing = True
            else:
                if failing:
                    click.echo(f"{name}: answering again", err=True)
                failing = False
                out.write("".join(_hit_line(r, as_json) + "\n" for r in fresh))
                out.flush()
            time.sleep(interval if stop is None else max(0.0, min(interval, stop - time.monotonic())))
    except QueryError as exc:
        fail(str(exc), EXIT_USAGE)
    except SearchEngineError as exc:
        fail(str(exc), EXIT_BACKEND)
    finally:
        source.close()


@logs.command()
@click.argument("field", default="")
@click.option("--source", "-s", "source_name", metavar="NAME", required=True,
              help="The logs.elasticsearch / logs.opensearch cluster.")
@click.option("--query", "-q", default="", help="Only the hits of this query (KQL, or Lucene with --lucene).")
@click.option("--lucene", is_flag=True, help="--query is Lucene query-string syntax.")
@click.option("--since", metavar="WHEN", help="Only documents since: 10m, 1h, 2d, 14:05 or a timestamp.")
@click.option("--until", metavar="WHEN", help="Only documents until: 10m, 1h, 14:05 or a timestamp.")
@click.option("--top", type=click.IntRange(min=1, max=10_000), default=10, show_default=True, help="Values shown for FIELD.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def fields(field: str, source_name: str, query: str, lucene: bool, since: str | None, until: str | None, top: int,
           as_json: bool) -> None:
    """The fields of a cluster's indices (name and type, from _field_caps); with FIELD, its most frequent values
    and how many hits have each, counted over every hit (a terms aggregation, not a sample)."""
    from mlops_tui.cli.common import emit_json
    from mlops_tui.sources.logs import QueryError
    from mlops_tui.sources.logs.search_engine import SearchEngineError
    from mlops_tui.sources.timespec import parse_time
    from mlops_tui.text import sanitize

    try:
        start = parse_time(since) if since else None
        end = parse_time(until) if until else None
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    source = _cluster(source_name)
    try:
        if not field:
            caps = source.field_caps()
            if as_json:
                emit_json([{"name": f.name, "type": f.type, "aggregatable": f.aggregatable} for f in caps])
            else:
                width = max((len(f.name) for f in caps), default=4)
                for f in caps:
                    click.echo(sanitize(f"{f.name:<{width}}  {f.type}"))
            return
        known = {f.name: f for f in source.field_caps()}
        if field not in known:
            fail(f"{source_name}: no field {field!r} in {source.index!r}", EXIT_USAGE)
        if not known[field].aggregatable:
            fail(f"{source_name}: {field!r} is {known[field].type}, which cannot be counted by value "
                 "(a keyword or number field can)", EXIT_USAGE)
        result = source.top_values(field, query, start=start, end=end, size=top, syntax="lucene" if lucene else "kql")
    except QueryError as exc:
        fail(str(exc), EXIT_USAGE)
    except SearchEngineError as exc:
        fail(str(exc), EXIT_BACKEND)
    finally:
        source.close()
    if as_json:
        emit_json({"field": result.field, "hits": result.total, "other": result.other, "missing": result.missing,
                   "values": [{"value": v, "count": c} for v, c in result.values]})
        return
    click.echo(f"{result.total:,} hits", err=True)
    for value, count in result.values:
        click.echo(sanitize(f"{count:>10,}  {value}"))
    if result.other:
        click.echo(f"{result.other:>10,}  (other values)")
    if result.missing:
        click.echo(f"{result.missing:>10,}  (no value)")


def _ends_with_newline(source) -> bool:
    segments = getattr(source, "segments", None)
    if segments is None:
        return all(_ends_with_newline(s) for s in getattr(source, "sources", []))
    index = segments[-1].index
    return index.indexed_to == index.last_line_start


@logs.command()
@click.option("--file", "-f", "files", multiple=True, metavar="F", help="Log file or glob (repeatable; .gz too). Default: logs.files.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Print only the N most frequent templates.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: records, templates, and per template its text, count, share, level, first, last, histogram.")
def patterns(files: tuple[str, ...], limit: int | None, as_json: bool) -> None:
    """Group the records into templates (Drain; variable parts shown as <*>), most frequent first."""
    from mlops_tui.cli.common import emit_json
    from mlops_tui.sources.logs.patterns import mine_patterns
    from mlops_tui.text import sanitize

    source = _open(files, follow=False)
    try:
        _index(source)
        *_, result = mine_patterns(source)
    except OSError as exc:
        fail(f"cannot read {source.label}: {exc.strerror or exc}", EXIT_BACKEND)
    finally:
        source.close()
    shown = result.patterns if limit is None else result.patterns[:limit]
    if as_json:
        emit_json({**result.to_json(), "patterns": [p.to_json() for p in shown]})
        return
    click.echo(f"{len(result.patterns):,} templates in {result.records:,} records ({result.rows:,} lines)")
    if shown:
        click.echo(f"{'COUNT':>8} {'SHARE':>6} {'LEVEL':<8} {'FIRST':<19} {'LAST':<19} TEMPLATE")
    for p in shown:
        first = p.first.strftime("%Y-%m-%d %H:%M:%S") if p.first else "-"
        last = p.last.strftime("%Y-%m-%d %H:%M:%S") if p.last else "-"
        level = p.level.label if p.level is not None else "-"
        click.echo(sanitize(f"{p.count:>8,} {p.share:>6.1%} {level:<8} {first:<19} {last:<19} {p.template}"))
