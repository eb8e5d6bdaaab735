"""Shared pieces of the settings model: a strict base and the endpoint of a remote backend."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class Section(BaseModel):
    """A settings section: unknown keys are errors. Field docstrings become the JSON Schema's
    descriptions when the schema is generated (model.json_schema), not at import: pydantic's
    use_attribute_docstrings parses every class's source at start-up, a cost paid on each launch."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


class Endpoint(Section):
    """Where a remote backend answers and how to authenticate against it."""

    name: str = "default"
    """Name used in the status line, the CLI's --source and dashboard panels."""
    url: str = "http://127.0.0.1:9090"
    """Base URL of the server's HTTP API."""
    username: str | None = None
    """User for HTTP basic auth."""
    password: SecretStr | None = None
    """Password for HTTP basic auth (use ${oc.env:VAR} to keep it out of files)."""
    token: SecretStr | None = None
    """Bearer token, sent as `Authorization: Bearer …` (use ${oc.env:VAR} to keep it out of files; an
    Elasticsearch/OpenSearch API key goes in api_key)."""
    ca_file: str | None = None
    """PEM file of a custom certificate authority for TLS."""
    verify_tls: bool = True
    """Verify the server's TLS certificate."""
    ssl_assert_fingerprint: str | None = None
    """SHA-256 fingerprint of the server's certificate or of one in its chain, hex with or without colons (what
    Elasticsearch prints at its first start as `HTTP CA certificate SHA-256 fingerprint`): a server presenting
    no such certificate is refused before any request is sent; the chain is then not checked otherwise (a
    self-signed cluster), and connections are direct (no HTTPS_PROXY)."""
    timeout: float = Field(default=5.0, gt=0)
    """Seconds before a request is abandoned."""
    retries: int = Field(default=3, ge=0)
    """Retries with exponential backoff after a failed request."""

    @field_validator("ssl_assert_fingerprint")
    @classmethod
    def _fingerprint(cls, value: str | None) -> str | None:
        """64 hex digits once colons and spaces are dropped, kept lower case; refused at load otherwise."""
        if value is None:
            return None
        digits = re.sub(r"[\s:]", "", value).lower()
        if not re.fullmatch(r"[0-9a-f]{64}", digits):
            raise ValueError("not a SHA-256 fingerprint: 64 hex digits, colons allowed (AB:CD:...)")
        return digits
