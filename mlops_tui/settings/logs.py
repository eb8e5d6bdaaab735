"""Logs: local files and Elasticsearch/OpenSearch clusters (the Logs pane, whose `o` key cycles through
them, and `mlops-tui logs search/tail/fields --source NAME`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from mlops_tui.settings.base import Endpoint, Section


class CustomFormat(Section):
    """A log format given by a regular expression with named groups."""

    name: str = "custom"
    """Name shown for records of this format."""
    regex: str = r"(?P<message>.*)"
    """Regex with named groups: timestamp, level, message and any other fields."""
    timestamp_format: str | None = None
    """strptime format of the timestamp group, when it is not ISO 8601."""


class SearchEngine(Endpoint):
    """An Elasticsearch or OpenSearch cluster and the indices searched there; field names follow ECS unless
    remapped."""

    url: str = "http://127.0.0.1:9200"
    """Base URL of the cluster's HTTP API."""
    index: str = "logs-*"
    """Index pattern or data stream to search."""
    timestamp_field: str = "@timestamp"
    """Field holding each document's time."""
    message_field: str = "message"
    """Field shown as the record's message."""
    level_field: str = "log.level"
    """Field holding the record's level."""
    service_field: str = "service.name"
    """Field naming the service that wrote the record."""


class LogsSettings(Section):
    """Where logs come from and how they are read."""

    files: list[str] = Field(default_factory=list)
    """Log files or globs to open; when empty, ./logs/ is searched."""
    follow: bool = True
    """Follow files live when the view is at the end."""
    poll_interval: float = Field(default=0.25, gt=0)
    """Seconds between checks of followed files for new lines and rotations."""
    max_line_display: int = Field(default=4096, gt=80)
    """Characters of a line shown in the list; the detail view has all of it."""
    formats: list[CustomFormat] = Field(default_factory=list)
    """Custom formats tried before the built-in ones."""

    elasticsearch: list[SearchEngine] = Field(default_factory=list)
    """Elasticsearch 8.x clusters: the Logs pane (`v`) and `mlops-tui logs ... --source NAME`."""
    opensearch: list[SearchEngine] = Field(default_factory=list)
    """OpenSearch 2.x clusters: the Logs pane (`v`) and `mlops-tui logs ... --source NAME`."""

    NOT_BUILT: ClassVar[dict[str, str]] = {}
    """Keys a user may expect (they were documented) that nothing reads yet: refused with this reason
    rather than accepted and ignored (settings/loader.py)."""
