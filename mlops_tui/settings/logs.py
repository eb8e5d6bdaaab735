"""Logs pane: local files and Elasticsearch/OpenSearch."""

from __future__ import annotations

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
    """An Elasticsearch or OpenSearch cluster."""

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
    """Elasticsearch clusters."""
    opensearch: list[SearchEngine] = Field(default_factory=list)
    """OpenSearch clusters."""
