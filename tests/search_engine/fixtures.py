"""Session fixtures for tests that need a search cluster with log documents in it.

Import them into a conftest.py to use them elsewhere:

    from search_engine.fixtures import elasticsearch, opensearch  # noqa: F401  (pytest fixtures)

Each cluster is started at most once per test process, however many conftests import the
fixture, and stopped at the end of the session (or when the process exits).

Environment:
- MLOPS_TUI_TEST_OPENSEARCH_URL: use this OpenSearch 2.x cluster instead of starting one.
- MLOPS_TUI_TEST_OPENSEARCH3_URL: use this OpenSearch 3.x cluster instead of starting one.
- MLOPS_TUI_TEST_ES_URL: use this Elasticsearch 8.x cluster instead of starting one.
- MLOPS_TUI_TEST_ES9_URL: use this Elasticsearch 9.x cluster instead of starting one.
- MLOPS_TUI_TEST_TLS_VERIFY=0: do not verify the external cluster's TLS certificate.
Credentials go in the URL (https://elastic:secret@localhost:9200).
The seed then goes under the prefix ``mlops-tui-test-`` (so ``mlops-tui-test-logs-*``), replacing
an earlier run's seed of the same names and deleting it at the end; nothing else is touched.
"""

from __future__ import annotations

import atexit
import os
import warnings
from collections.abc import Callable, Iterator

import httpx
import pytest

from search_engine.cluster import SeededCluster, load_seed, remove_seed, server_info, tls_verify_from_env
from search_engine.engine import EngineKind, ELASTICSEARCH, ELASTICSEARCH9, OPENSEARCH, OPENSEARCH3, start_engine
from search_engine.seed import Layout

EXTERNAL_PREFIX = "mlops-tui-test-"

_clusters: dict[str, SeededCluster] = {}
_cleanups: dict[str, Callable[[], None]] = {}


def _shared(key: str, make: Callable[[], tuple[SeededCluster, Callable[[], None]]]) -> SeededCluster:
    if key not in _clusters:
        cluster, cleanup = make()
        _clusters[key] = cluster
        _cleanups[key] = cleanup
        atexit.register(cleanup)
    return _clusters[key]


def _close(key: str) -> None:
    cleanup = _cleanups.pop(key, None)
    _clusters.pop(key, None)
    if cleanup:
        atexit.unregister(cleanup)
        cleanup()


def _shown(url: str) -> str:
    """The URL without its credentials, for messages."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(username=None, password=None)) if parsed.userinfo else url


def _external(url: str, expect: str) -> tuple[SeededCluster, Callable[[], None]]:
    layout = Layout(EXTERNAL_PREFIX)
    verify = tls_verify_from_env()
    with httpx.Client(base_url=url, verify=verify, timeout=60.0) as client:
        product, version = server_info(client)
        if product != expect:
            raise RuntimeError(f"{_shown(url)} is {product} {version}, not {expect}")
        remove_seed(client, layout)
        seed = load_seed(client, layout)
    cluster = SeededCluster(url, product, version, started_here=False,
                            layout=layout, seed=seed, verify_tls=verify)

    def cleanup() -> None:
        try:
            with httpx.Client(base_url=url, verify=verify, timeout=60.0) as client:
                remove_seed(client, layout)
        except (httpx.HTTPError, RuntimeError) as exc:
            warnings.warn(f"the test seed in {_shown(url)} was left in place: {exc}", stacklevel=1)

    return cluster, cleanup


def _local(
    kind: EngineKind, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SeededCluster, Callable[[], None]]:
    engine = start_engine(kind, tmp_path_factory.mktemp(kind.name))
    try:
        layout = Layout()
        with httpx.Client(base_url=engine.url, timeout=60.0) as client:
            product, version = server_info(client)
            seed = load_seed(client, layout)
    except BaseException:
        engine.stop()
        raise
    cluster = SeededCluster(engine.url, product, version, started_here=True,
                            layout=layout, seed=seed, engine=engine)
    return cluster, engine.stop


def _session_cluster(key: str, env: str, kind: EngineKind, product: str,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededCluster]:
    """The body of each engine's session fixture: the cluster named by the environment variable `env`, else
    one started here, shared by every conftest that imports the fixture and closed at the session's end."""
    external = os.environ.get(env, "").rstrip("/")
    if external:
        yield _shared(key, lambda: _external(external, product))
    else:
        yield _shared(key, lambda: _local(kind, tmp_path_factory))
    _close(key)


@pytest.fixture(scope="session")
def opensearch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededCluster]:
    """A real OpenSearch 2.x with the seed logs: started here, or the one named by
    MLOPS_TUI_TEST_OPENSEARCH_URL."""
    yield from _session_cluster("opensearch", "MLOPS_TUI_TEST_OPENSEARCH_URL", OPENSEARCH, "opensearch", tmp_path_factory)


@pytest.fixture(scope="session")
def opensearch3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededCluster]:
    """A real OpenSearch 3.3 with the seed logs, started here (on Java 21 or newer), or the OpenSearch 3.x
    named by MLOPS_TUI_TEST_OPENSEARCH3_URL."""
    yield from _session_cluster("opensearch3", "MLOPS_TUI_TEST_OPENSEARCH3_URL", OPENSEARCH3, "opensearch",
                                tmp_path_factory)


@pytest.fixture(scope="session")
def elasticsearch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededCluster]:
    """A real Elasticsearch 8 with the seed logs: a single node of 8.15.5 started here from the
    Maven Central jars (server, transport-netty4; GET / from a small stand-in for the unpublished
    rest-root module), or the cluster named by MLOPS_TUI_TEST_ES_URL."""
    yield from _session_cluster("elasticsearch", "MLOPS_TUI_TEST_ES_URL", ELASTICSEARCH, "elasticsearch",
                                tmp_path_factory)


@pytest.fixture(scope="session")
def elasticsearch9(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededCluster]:
    """A real Elasticsearch 9.1 with the seed logs (the same jars-and-stand-in build as 8.15, on Java 21 or
    newer), or the Elasticsearch 9.x named by MLOPS_TUI_TEST_ES9_URL."""
    yield from _session_cluster("elasticsearch9", "MLOPS_TUI_TEST_ES9_URL", ELASTICSEARCH9, "elasticsearch",
                                tmp_path_factory)
