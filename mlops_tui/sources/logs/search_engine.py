"""Log records from Elasticsearch (8.x) and OpenSearch (2.x) over plain httpx: one query builder for both.

The official `elasticsearch` client refuses OpenSearch (it wants `X-Elastic-Product`), so a thin path of
our own serves both engines; `sources/http.py` gives it its client (auth, TLS, timeout) and retries.

- `build_search` is the one query builder: a KQL query (`kql.to_dsl`) inside a bool filter with the time
  range, newest first, `track_total_hits: true` (an exact count, never "10,000+"), and for paging a point
  in time with `search_after` and the engine's tiebreaker.
- Where the engines differ (checked against the real ones in tests/logs_search_engine/):
  Elasticsearch opens a point in time with `POST /<index>/_pit` (answer `id`), closes it with
  `DELETE /_pit {"id"}` and breaks sort ties with `_shard_doc`; OpenSearch 2.x opens with
  `POST /<index>/_search/point_in_time` (answer `pit_id`), closes with
  `DELETE /_search/point_in_time {"pit_id": [...]}` and rejects `_shard_doc`, so its ties are broken by
  `_id` (unique within an index) after `_index`.
- `SearchEngineSource.search` gives one page; `.pages` walks every hit through a point in time that is
  always closed (also when the caller stops early: close the generator, or let it finish).
- Failures raise `SearchEngineError` (a `BackendError`) whose str() is the message: the engine's reason
  for a 400, authentication (401) and permission (403), an unreachable cluster, an index pattern that
  matches nothing.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from mlops_tui.settings.base import Endpoint
from mlops_tui.sources.http import Answer, BackendError, RetryPolicy, client_for, fetch, json_object, with_retries
from mlops_tui.sources.logs import kql
from mlops_tui.sources.logs.record import LogRecord, parse_level

KEEP_ALIVE = "2m"
"""How long a point in time lives between two pages (each page renews it)."""

SYNTAXES = ("kql", "lucene")
"""Query languages: KQL (translated here, kql.py) and Lucene query-string syntax (the engine parses it)."""


class SearchEngineError(BackendError):
    """A search that did not succeed; str() is the message shown to the user."""


@dataclass(frozen=True)
class FieldNames:
    """Where the record's parts are in a document (ECS by default)."""

    timestamp: str = "@timestamp"
    level: str = "log.level"
    message: str = "message"
    service: str = "service.name"


@dataclass(frozen=True)
class Engine:
    """What `GET /` said: the product and its version."""

    product: str  # "elasticsearch" or "opensearch"
    version: str

    @property
    def major(self) -> int:
        head = self.version.split(".", 1)[0]
        return int(head) if head.isdigit() else 0

    @property
    def is_opensearch(self) -> bool:
        return self.product == "opensearch"

    def tiebreaker(self) -> list[dict]:
        """Sort keys after the timestamp that make the order total inside a point in time."""
        if self.is_opensearch:
            return [{"_index": "desc"}, {"_id": "desc"}]
        return [{"_shard_doc": "desc"}]


@dataclass
class SearchPage:
    """One page of hits, newest first, and the count of every hit that matches."""

    records: list[LogRecord]
    total: int
    took_ms: int = 0
    shards_total: int = 0
    shards_failed: int = 0
    sort_after: list | None = None
    aggregations: dict = field(default_factory=dict)
    sorts: list[list] = field(default_factory=list)  # each record's sort values (inside its point in time)

    @property
    def partial(self) -> str:
        """"3 of 5 shards answered" when some shards failed, else ""."""
        if not self.shards_failed:
            return ""
        return f"{self.shards_total - self.shards_failed} of {self.shards_total} shards answered"


@dataclass
class PointInTime:
    """An open point in time; `close_pit` closes it (once, however often it is called)."""

    id: str
    engine: Engine
    keep_alive: str = KEEP_ALIVE
    closed: bool = field(default=False)


@dataclass(frozen=True)
class FieldInfo:
    """One field as `_field_caps` describes it (types joined with "|" when indices disagree)."""

    name: str
    type: str
    aggregatable: bool


@dataclass
class TopValues:
    """The most frequent values of a field over every hit of a search (a terms aggregation: exact counts for
    the values shown, not a sample of documents)."""

    field: str
    total: int                      # hits of the search
    values: list[tuple[Any, int]]   # (value, documents with it), most frequent first
    other: int                      # documents whose value is not among those shown
    missing: int                    # hits without the field


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Always with milliseconds: for `lte` the engines round missing parts UP (09:30:00 means 09:30:00.999).
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def query_dsl(query: str, syntax: str = "kql") -> dict[str, Any]:
    """The query DSL of a query in `syntax` ("kql" or "lucene"). KQL raises kql.KqlSyntaxError here; a Lucene
    query goes to the engine as `query_string`, whose 400 answer carries the reason for a syntax error."""
    if syntax == "lucene":
        text = query.strip()
        return {"query_string": {"query": text}} if text else {"match_all": {}}
    if syntax != "kql":
        raise ValueError(f"unknown query syntax {syntax!r} (kql or lucene)")
    return kql.to_dsl(query)


@dataclass(frozen=True)
class Chip:
    """A filter on one field's exact value (Kibana's filter pill): `negated` keeps the documents without it;
    a disabled chip is shown but not applied."""

    field: str
    value: Any
    negated: bool = False
    enabled: bool = True

    def text(self) -> str:
        return f"{'NOT ' if self.negated else ''}{self.field}: {self.value}" + ("" if self.enabled else " (off)")


def build_search(
    engine: Engine,
    query: str,
    fields: FieldNames = FieldNames(),
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    size: int = 100,
    pit_id: str | None = None,
    search_after: list | None = None,
    track_total_hits: bool = True,
    syntax: str = "kql",
    chips: tuple[Chip, ...] = (),
    keep_alive: str = KEEP_ALIVE,
    ascending: bool = False,
) -> dict[str, Any]:
    """The search body for a query over [start, end], newest first (oldest first when `ascending`), with the
    enabled chips. Raises kql.KqlSyntaxError for a KQL query that does not parse."""
    filters: list[dict] = []
    must_not: list[dict] = []
    dsl = query_dsl(query, syntax)
    if dsl != {"match_all": {}}:
        filters.append(dsl)
    for chip in chips:
        if chip.enabled:
            (must_not if chip.negated else filters).append({"term": {chip.field: chip.value}})
    if start is not None or end is not None:
        bounds: dict[str, str] = {"format": "strict_date_optional_time"}
        if start is not None:
            bounds["gte"] = _iso(start)
        if end is not None:
            bounds["lte"] = _iso(end)
        filters.append({"range": {fields.timestamp: bounds}})
    order = "asc" if ascending else "desc"
    sort: list[dict] = [{fields.timestamp: {"order": order, "unmapped_type": "date"}}]
    boolean: dict[str, Any] = {}
    if filters:
        boolean["filter"] = filters
    if must_not:
        boolean["must_not"] = must_not
    body: dict[str, Any] = {
        "size": size,
        "query": {"bool": boolean} if boolean else {"match_all": {}},
        "sort": sort,
        "track_total_hits": track_total_hits,
    }
    if pit_id is not None:
        sort.extend({key: order} for tie in engine.tiebreaker() for key in tie)
        body["pit"] = {"id": pit_id, "keep_alive": keep_alive}
    if search_after is not None:
        body["search_after"] = search_after
    return body


def _get_path(document: Mapping[str, Any], path: str) -> Any:
    """A dotted field from a document whose objects may be nested ({"log": {"level": x}}) or flat
    ({"log.level": x}) or a mix."""
    if path in document:
        return document[path]
    head, dot, rest = path.partition(".")
    while dot:
        value = document.get(head)
        if isinstance(value, Mapping):
            found = _get_path(value, rest)
            if found is not None:
                return found
        more, dot, rest = rest.partition(".")
        head = f"{head}.{more}"
    return None


def flatten(document: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted keys; lists and scalars as they are."""
    out: dict[str, Any] = {}
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def to_record(hit: Mapping[str, Any], row: int, fields: FieldNames, engine: Engine) -> LogRecord:
    """A LogRecord from a search hit; `line` is its 1-based rank in the result, `fields` every field of the
    document flattened, plus `_index` and `_id`."""
    source = hit.get("_source")
    source = source if isinstance(source, Mapping) else {}
    message = _get_path(source, fields.message)
    level = _get_path(source, fields.level)
    flat = flatten(source)
    flat["_index"] = hit.get("_index")
    flat["_id"] = hit.get("_id")
    return LogRecord(
        source=str(hit.get("_index", "")),
        line=row,
        offset=0,
        raw=json.dumps(source, ensure_ascii=False),
        format=engine.product,
        timestamp=_timestamp(_get_path(source, fields.timestamp)),
        level=parse_level(level[0] if isinstance(level, list) and level else level),
        message="" if message is None else str(message),
        fields=flat,
    )


def _reason(body: Mapping[str, Any]) -> str:
    """The engine's own reason in an error answer: the deepest one that says something."""
    error = body.get("error")
    if isinstance(error, str):
        return error
    if not isinstance(error, Mapping):
        return ""
    for shard in error.get("failed_shards") or []:
        caused = (shard.get("reason") or {}) if isinstance(shard, Mapping) else {}
        while isinstance(caused, Mapping) and isinstance(caused.get("caused_by"), Mapping):
            caused = caused["caused_by"]
        if isinstance(caused, Mapping) and caused.get("reason"):
            return str(caused["reason"])
    roots = error.get("root_cause") or []
    if roots and isinstance(roots[0], Mapping) and roots[0].get("reason"):
        return str(roots[0]["reason"])
    caused = error.get("caused_by")
    if isinstance(caused, Mapping) and caused.get("reason"):
        return str(caused["reason"])
    return str(error.get("reason") or error.get("type") or "")


class SearchEngineSource:
    """One Elasticsearch or OpenSearch cluster and the index pattern (or data stream) searched there."""

    def __init__(
        self,
        endpoint: Endpoint,
        index: str,
        fields: FieldNames = FieldNames(),
        *,
        client: httpx.Client | None = None,
        policy: RetryPolicy | None = None,
        expect: str | None = None,
    ) -> None:
        """`expect`: "elasticsearch" or "opensearch" when the settings say which (a mismatch is an error)."""
        self.expect = expect
        self.endpoint = endpoint
        self.index = index
        self.fields = fields
        self.label = endpoint.name
        self.policy = policy or RetryPolicy(retries=endpoint.retries)
        self._client = client or client_for(endpoint)
        self._engine: Engine | None = None

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SearchEngineSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- HTTP -------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: dict | None = None, params: dict | None = None) -> dict:
        def call() -> dict:
            # through http.fetch, as every backend call: the answer held to limits.http_answer_bytes as it
            # streams in, the whole call (retries too) to limits.http_deadline
            response = fetch(self._client, path, params, where=self.label, method=method, json_body=body)
            return self._answer(response, path)

        try:
            return with_retries(call, self.policy)
        except SearchEngineError:
            raise
        except BackendError as exc:  # transport failures, already one line
            raise SearchEngineError(f"{self.label}: {exc} ({self.endpoint.url})",
                                    status=exc.status, retryable=exc.retryable) from None

    def _answer(self, response: httpx.Response | Answer, path: str) -> dict:
        status = response.status_code
        if status < 400:
            return json_object(response, self.label, path)
        try:
            body = response.json()
        except (ValueError, RecursionError):
            body = {}
        reason = _reason(body) if isinstance(body, Mapping) else ""
        error_type = ""
        if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
            error_type = str(body["error"].get("type", ""))
        if status == 401:
            message = f"{self.label}: authentication failed (HTTP 401): check the username and password or token"
        elif status == 403:
            message = f"{self.label}: permission denied (HTTP 403)" + (f": {reason}" if reason else "")
        elif status == 404 and error_type == "index_not_found_exception":
            message = f"{self.label}: no index matches {self.index!r}"
        elif status == 400:
            message = f"{self.label}: the engine refused the query: {reason or 'HTTP 400'}"
        else:
            message = f"{self.label}: HTTP {status}" + (f": {reason}" if reason else f" {response.reason_phrase}")
        raise SearchEngineError(message, status=status, retryable=status in (429, 502, 503, 504))

    # -- the engine -------------------------------------------------------------------------------

    def engine(self) -> Engine:
        """Which engine answers (GET /, asked once)."""
        if self._engine is None:
            body = self._request("GET", "/")
            version = body.get("version") if isinstance(body.get("version"), Mapping) else {}
            product = str(version.get("distribution") or "elasticsearch").lower()
            engine = Engine(product, str(version.get("number", "")))
            if self.expect and engine.product != self.expect:
                raise SearchEngineError(f"{self.label}: {self.endpoint.url} is {engine.product} {engine.version}, "
                                        f"but it is configured under logs.{self.expect}")
            self._engine = engine
        return self._engine

    def _check_shards(self, body: Mapping[str, Any]) -> tuple[int, int]:
        shards = body.get("_shards") if isinstance(body.get("_shards"), Mapping) else {}
        total = int(shards.get("total", 0) or 0)
        if total == 0:
            raise SearchEngineError(f"{self.label}: no index matches {self.index!r}")
        return total, int(shards.get("failed", 0) or 0)

    def _page(self, body: Mapping[str, Any], first_row: int, total: int | None) -> SearchPage:
        shards_total, shards_failed = self._check_shards(body)
        hits = body.get("hits") if isinstance(body.get("hits"), Mapping) else {}
        raw_hits = hits.get("hits") if isinstance(hits.get("hits"), list) else []
        if total is None:
            count = hits.get("total")
            total = int(count.get("value", 0)) if isinstance(count, Mapping) else int(count or 0)
        engine = self.engine()
        records = [to_record(hit, first_row + i, self.fields, engine) for i, hit in enumerate(raw_hits)]
        sort_after = raw_hits[-1].get("sort") if raw_hits else None
        aggs = body.get("aggregations") if isinstance(body.get("aggregations"), Mapping) else {}
        sorts = [hit.get("sort") if isinstance(hit.get("sort"), list) else [] for hit in raw_hits]
        return SearchPage(records, total, int(body.get("took", 0) or 0), shards_total, shards_failed, sort_after,
                          dict(aggs), sorts)

    # -- searching --------------------------------------------------------------------------------

    def search(self, query: str, *, start: datetime | None = None, end: datetime | None = None,
               size: int = 100, syntax: str = "kql", chips: tuple[Chip, ...] = ()) -> SearchPage:
        """The newest `size` hits of a query over [start, end], and the exact count of all of them."""
        body = build_search(self.engine(), query, self.fields, start=start, end=end, size=size, syntax=syntax,
                            chips=chips)
        return self._page(self._request("POST", f"/{self.index}/_search", body), 1, None)

    def pages(self, query: str, *, start: datetime | None = None, end: datetime | None = None,
              page_size: int = 1000, syntax: str = "kql", chips: tuple[Chip, ...] = ()) -> Iterator[SearchPage]:
        """Every hit, newest first, page by page through a point in time (no 10,000-hit cap).

        The point in time is closed when the generator ends, fails or is closed."""
        engine = self.engine()
        build_search(engine, query, self.fields, syntax=syntax)  # a syntax error before anything is opened
        pit = self.open_pit()
        try:
            search_after: list | None = None
            total: int | None = None
            row = 1
            while True:
                page = self.page_in(pit, query, start=start, end=end, size=page_size, search_after=search_after,
                                    total=total, first_row=row, syntax=syntax, chips=chips)
                total = page.total
                if page.records:
                    yield page
                if len(page.records) < page_size or page.sort_after is None:
                    break
                search_after = page.sort_after
                row += len(page.records)
        except BaseException:  # also GeneratorExit: the reader stopped early
            # A failure to close must not hide why paging stopped; the engine drops the point in time
            # itself after KEEP_ALIVE.
            with contextlib.suppress(SearchEngineError):
                self.close_pit(pit)
            raise
        self.close_pit(pit)

    def page_in(self, pit: PointInTime, query: str, *, start: datetime | None = None, end: datetime | None = None,
                size: int = 100, search_after: list | None = None, total: int | None = None, first_row: int = 1,
                syntax: str = "kql", chips: tuple[Chip, ...] = (), aggs: dict | None = None) -> SearchPage:
        """One page inside a point in time, after `search_after`; the exact total is asked only when `total`
        is None (else it is carried over); `aggs` ride along (the page's `aggregations`)."""
        body = build_search(pit.engine, query, self.fields, start=start, end=end, size=size, pit_id=pit.id,
                            search_after=search_after, track_total_hits=total is None, syntax=syntax,
                            chips=chips, keep_alive=pit.keep_alive)
        if aggs:
            body["aggs"] = aggs
        answer = self._request("POST", "/_search", body)
        pit.id = str(answer.get("pit_id") or pit.id)
        return self._page(answer, first_row, total)

    def sort_values(self, pit: PointInTime, query: str, *, start: datetime | None = None,
                    end: datetime | None = None, size: int = 10_000, search_after: list | None = None,
                    syntax: str = "kql", chips: tuple[Chip, ...] = ()) -> list[list]:
        """Only the sort values of the next `size` hits (no documents): where later pages start, cheaply."""
        body = build_search(pit.engine, query, self.fields, start=start, end=end, size=size, pit_id=pit.id,
                            search_after=search_after, track_total_hits=False, syntax=syntax, chips=chips,
                            keep_alive=pit.keep_alive)
        body["_source"] = False
        answer = self._request("POST", "/_search", body, params={"filter_path": "pit_id,hits.hits.sort"})
        pit.id = str(answer.get("pit_id") or pit.id)
        hits = answer.get("hits") if isinstance(answer.get("hits"), Mapping) else {}
        return [hit["sort"] for hit in hits.get("hits") or [] if isinstance(hit, Mapping) and "sort" in hit]

    def neighbours(self, pit: PointInTime, sort: list, *, newer: bool, size: int = 10,
                   chips: tuple[Chip, ...] = ()) -> SearchPage:
        """The `size` documents next to the one whose sort values (in `pit`) are `sort`: the older ones
        newest first, or (`newer`) the newer ones oldest first. Every document of the point in time counts
        (the user's query does not), narrowed only by `chips` (Kibana's context view)."""
        body = build_search(pit.engine, "", self.fields, size=size, pit_id=pit.id, search_after=sort,
                            track_total_hits=False, chips=chips, keep_alive=pit.keep_alive, ascending=newer)
        answer = self._request("POST", "/_search", body)
        pit.id = str(answer.get("pit_id") or pit.id)
        return self._page(answer, 1, 0)

    def open_pit(self, keep_alive: str = KEEP_ALIVE) -> PointInTime:
        engine = self.engine()
        try:
            return self._open_pit_once(engine, keep_alive)
        except SearchEngineError as exc:
            if exc.status == 400:
                # OpenSearch 2.x answers a pattern that matches nothing with "invalid id: [null]": ask a
                # plain search, which says "no index matches" when that is the cause.
                self._check_shards(self._request("POST", f"/{self.index}/_search", {"size": 0}))
            raise

    def _open_pit_once(self, engine: Engine, keep_alive: str) -> PointInTime:
        if engine.is_opensearch:
            answer = self._request("POST", f"/{self.index}/_search/point_in_time", params={"keep_alive": keep_alive})
            pit_id = answer.get("pit_id")
        else:
            answer = self._request("POST", f"/{self.index}/_pit", params={"keep_alive": keep_alive})
            pit_id = answer.get("id")
        if not pit_id:
            raise SearchEngineError(f"{self.label}: the engine opened no point in time on {self.index!r}")
        return PointInTime(str(pit_id), engine, keep_alive)

    def close_pit(self, pit: PointInTime) -> None:
        """Close the point in time (no request when it is closed already)."""
        if pit.closed:
            return
        pit.closed = True
        try:
            if pit.engine.is_opensearch:
                self._request("DELETE", "/_search/point_in_time", {"pit_id": [pit.id]})
            else:
                self._request("DELETE", "/_pit", {"id": pit.id})
        except SearchEngineError as exc:
            if exc.status != 404:  # expired already: nothing left open
                raise

    # -- fields and their values ------------------------------------------------------------------

    def field_caps(self) -> list[FieldInfo]:
        """The fields of the indices searched, by name, with their types (metadata and object fields left
        out)."""
        answer = self._request("GET", f"/{self.index}/_field_caps", params={"fields": "*"})
        caps = answer.get("fields") if isinstance(answer.get("fields"), Mapping) else {}
        if not caps and not answer.get("indices"):
            raise SearchEngineError(f"{self.label}: no index matches {self.index!r}")
        out = []
        for name, by_type in sorted(caps.items()):
            if not isinstance(by_type, Mapping) or name.startswith("_"):
                continue
            types = sorted(t for t in by_type if t not in ("object", "nested"))
            if not types:
                continue
            aggregatable = all(bool((by_type[t] or {}).get("aggregatable")) for t in types)
            out.append(FieldInfo(name, "|".join(types), aggregatable))
        return out

    def top_values(self, name: str, query: str = "", *, start: datetime | None = None,
                   end: datetime | None = None, size: int = 10, syntax: str = "kql",
                   chips: tuple[Chip, ...] = ()) -> TopValues:
        """The `size` most frequent values of field `name` over every hit, with absolute counts."""
        body = build_search(self.engine(), query, self.fields, start=start, end=end, size=0, syntax=syntax,
                            chips=chips)
        del body["sort"]
        body["aggs"] = {"top": {"terms": {"field": name, "size": size}},
                        "missing": {"missing": {"field": name}}}
        answer = self._request("POST", f"/{self.index}/_search", body)
        page = self._page(answer, 1, None)
        aggs = answer.get("aggregations") if isinstance(answer.get("aggregations"), Mapping) else {}
        top = aggs.get("top") if isinstance(aggs.get("top"), Mapping) else {}
        values = [(bucket.get("key_as_string", bucket.get("key")), int(bucket.get("doc_count", 0)))
                  for bucket in top.get("buckets") or [] if isinstance(bucket, Mapping)]
        missing = aggs.get("missing") if isinstance(aggs.get("missing"), Mapping) else {}
        return TopValues(name, page.total, values, int(top.get("sum_other_doc_count", 0) or 0),
                         int(missing.get("doc_count", 0) or 0))

    def aggregate(self, aggs: dict, query: str = "", *, start: datetime | None = None, end: datetime | None = None,
                  syntax: str = "kql", chips: tuple[Chip, ...] = ()) -> dict:
        """The `aggregations` of a size-0 search with `aggs` over the query's hits."""
        body = build_search(self.engine(), query, self.fields, start=start, end=end, size=0, syntax=syntax,
                            chips=chips, track_total_hits=False)
        del body["sort"]
        body["aggs"] = aggs
        answer = self._request("POST", f"/{self.index}/_search", body)
        self._check_shards(answer)
        aggregations = answer.get("aggregations")
        return dict(aggregations) if isinstance(aggregations, Mapping) else {}

    # -- live tail --------------------------------------------------------------------------------

    def poll(self, query: str, since: datetime, *, size: int = 1000, syntax: str = "kql",
             chips: tuple[Chip, ...] = ()) -> list[LogRecord]:
        """The oldest `size` hits at or after `since`, oldest first (a tail's window; no point in time, which
        would never see new documents)."""
        body = build_search(self.engine(), query, self.fields, start=since, size=size, syntax=syntax, chips=chips,
                            ascending=True, track_total_hits=False)
        return self._page(self._request("POST", f"/{self.index}/_search", body), 0, 0).records


def open_source(logs: Any, name: str) -> SearchEngineSource:
    """The cluster called `name` in the logs settings (`logs.elasticsearch` or `logs.opensearch`).

    Raises QueryError when there is none by that name; EndpointConfigError for unusable TLS settings."""
    from mlops_tui.sources.logs.query import QueryError

    known: list[str] = []
    for kind in ("elasticsearch", "opensearch"):
        for engine in getattr(logs, kind):
            if engine.name == name:
                fields = FieldNames(engine.timestamp_field, engine.level_field, engine.message_field,
                                    engine.service_field)
                return SearchEngineSource(engine, engine.index, fields, expect=kind)
            known.append(engine.name)
    hint = f" (known: {', '.join(known)})" if known else " (none configured: add one under logs.elasticsearch or logs.opensearch)"
    raise QueryError(f"no search-engine source named {name!r}{hint}")
