"""A search cluster with the seed documents in it: what the search-engine fixtures hand to tests."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import httpx

from search_engine.engine import EngineProcess
from search_engine.seed import Layout, Seed, generate, index_templates

BULK_CHUNK = 4_000


@dataclass
class SeededCluster:
    """A running cluster holding the seed documents.

    `url` is the base URL (credentials included when the cluster needs them); `indices` maps each
    seeded daily index to its document count; `data_stream`/`data_stream_count` name the data
    stream; `pattern` covers all of them; `seed.documents` are the documents as indexed, from which
    tests compute the answers they expect.
    """

    url: str
    product: str            # "opensearch" or "elasticsearch", as the server reports itself
    version: str
    started_here: bool      # False for an external cluster named by environment variable
    layout: Layout
    seed: Seed
    engine: EngineProcess | None = None
    verify_tls: bool = True

    def __repr__(self) -> str:
        # Never the URL's credentials, never 36,000 documents: this shows in failure reports.
        url = httpx.URL(self.url)
        shown = url.copy_with(username=None, password=None) if url.userinfo else url
        return (
            f"SeededCluster({self.product} {self.version} at {shown}, pattern={self.pattern!r}, "
            f"{self.total} docs, started_here={self.started_here})"
        )

    @property
    def indices(self) -> dict[str, int]:
        return {name: n for name, n in self.seed.counts.items() if name != self.layout.data_stream}

    @property
    def data_stream(self) -> str:
        return self.layout.data_stream

    @property
    def data_stream_count(self) -> int:
        return self.seed.counts[self.layout.data_stream]

    @property
    def pattern(self) -> str:
        return self.layout.pattern

    @property
    def doc_counts(self) -> dict[str, int]:
        """Every seeded target (daily indices and the data stream) with its document count."""
        return dict(self.seed.counts)

    @property
    def total(self) -> int:
        return sum(self.seed.counts.values())

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client for this cluster (base URL, TLS verification as configured)."""
        kwargs.setdefault("timeout", 30.0)
        return httpx.Client(base_url=self.url, verify=self.verify_tls, **kwargs)


def tls_verify_from_env() -> bool:
    return os.environ.get("MLOPS_TUI_TEST_TLS_VERIFY", "1").lower() not in ("0", "false", "no")


def server_info(client: httpx.Client) -> tuple[str, str]:
    """(product, version) from GET /: OpenSearch says so in version.distribution."""
    response = client.get("/")
    response.raise_for_status()
    version = response.json()["version"]
    return version.get("distribution", "elasticsearch"), version["number"]


def _check(response: httpx.Response, what: str) -> dict:
    if response.status_code >= 300:
        raise RuntimeError(f"{what}: HTTP {response.status_code}: {response.text[:2000]}")
    return response.json()


def remove_seed(client: httpx.Client, layout: Layout) -> None:
    """Delete what an earlier run seeded under this layout's names (by exact name only).

    Raises when something that exists could not be deleted, so a re-seed never doubles the data.
    """
    deletions = []
    if client.head(f"/{layout.data_stream}").status_code == 200:
        deletions.append(f"/_data_stream/{layout.data_stream}")
    deletions += [f"/{name}" for name in generate(layout).counts if name != layout.data_stream]
    deletions += [f"/_index_template/{layout.app_template}", f"/_index_template/{layout.serving_template}"]
    for path in deletions:
        response = client.delete(path)
        if response.status_code not in (200, 404):
            raise RuntimeError(f"could not delete {path}: HTTP {response.status_code}: {response.text[:500]}")


def load_seed(client: httpx.Client, layout: Layout) -> Seed:
    """Create the index templates and bulk-index the seed documents; refresh at the end."""
    seed = generate(layout)
    for name, body in index_templates(layout).items():
        _check(client.put(f"/_index_template/{name}", json=body), f"creating template {name}")
    for target, docs in seed.by_target.items():
        # Data streams take only `create`; plain indices get `index`.
        action = "create" if target == layout.data_stream else "index"
        for start in range(0, len(docs), BULK_CHUNK):
            lines = []
            for number, doc in enumerate(docs[start:start + BULK_CHUNK], start):
                # An _id of the seed's own: the engines' tiebreaker after equal timestamps is _id (OpenSearch)
                # or the shard's document order, so ties come out in the same order in every run.
                lines.append(json.dumps({action: {"_index": target, "_id": f"{target}-{number:06d}"}}))
                lines.append(json.dumps(doc, ensure_ascii=False))
            body = ("\n".join(lines) + "\n").encode()
            result = _check(
                client.post("/_bulk", content=body, headers={"Content-Type": "application/x-ndjson"},
                            timeout=300.0),
                f"bulk into {target}",
            )
            if result.get("errors"):
                failed = next(item for item in result["items"] if next(iter(item.values())).get("error"))
                raise RuntimeError(f"bulk into {target} had errors, first: {failed}")
    _check(client.post(f"/{layout.pattern}/_refresh"), "refresh")
    return seed
