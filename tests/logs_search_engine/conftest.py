"""Product tests against the real engines: the fixtures of tests/search_engine, imported (never copied)."""

from search_engine.fixtures import elasticsearch, elasticsearch9, opensearch, opensearch3  # noqa: F401  (pytest fixtures)
