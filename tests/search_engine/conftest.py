"""Search-engine fixtures (defined in search_engine/fixtures.py so other test areas can import them)."""

from search_engine.fixtures import elasticsearch, elasticsearch9, opensearch, opensearch3  # noqa: F401  (pytest fixtures)
