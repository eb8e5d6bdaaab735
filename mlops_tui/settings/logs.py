"""Logs: local files and Elasticsearch/OpenSearch clusters (the Logs pane, whose `v` key cycles through
them, and `mlops-tui logs search/tail/fields --source NAME`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, model_validator

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
    cloud_id: str | None = None
    """Elastic Cloud's Cloud ID (`name:base64…`, from the deployment's page) in place of url: the deployment's
    Elasticsearch endpoint over HTTPS (decoded by elastic_transport, as the official client does)."""
    api_key: SecretStr | None = None
    """API key, sent as `Authorization: ApiKey …`: the encoded form Kibana shows, or `id:key` (encoded here);
    use ${oc.env:VAR} to keep it out of files."""
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

    @model_validator(mode="after")
    def _cloud_id(self) -> "SearchEngine":
        """A Cloud ID sets url; both given is refused (which one would be meant?), as is one that does not decode."""
        if self.cloud_id is None:
            return self
        if "url" in self.model_fields_set:
            raise ValueError("cloud_id and url: give one (a Cloud ID names the deployment's URL)")
        from elastic_transport.client_utils import parse_cloud_id

        try:
            host, port = parse_cloud_id(self.cloud_id).es_address or ("", 0)
        except ValueError:
            raise ValueError("cloud_id: not a Cloud ID (NAME:BASE64 from the deployment's page)") from None
        if not host:
            raise ValueError("cloud_id: it names no Elasticsearch endpoint")
        self.url = f"https://{host}:{port}"
        return self


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
