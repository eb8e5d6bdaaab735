"""`ssl_assert_fingerprint`: a cluster's TLS certificate pinned by its SHA-256 fingerprint, as elasticsearch-py's
option of that name and as Elasticsearch prints it at its first start (`HTTP CA certificate SHA-256
fingerprint`). The cluster is the real OpenSearch, behind a recording pass-through that answers over HTTPS with
certificates made here by `openssl` (a CA and a certificate it signed, as Elasticsearch's own security setup
makes them); the engine itself runs without its security plugin, so what this leaves untested is the engine's
own TLS. A server that presents another certificate is refused after the handshake: no request, so no
credential, reaches it."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest
from hostile.recorder import RecordingPassThrough
from support.cli import run_cli

PASSWORD = "pinned-secret-7f3a"


def openssl(*args: str, cwd: Path) -> str:
    return subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> dict:
    """A CA, a server certificate it signed (for 127.0.0.1), their chain file, and each one's fingerprint as
    openssl prints it (AB:CD:...)."""
    folder = tmp_path_factory.mktemp("tls")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=cluster CA", cwd=folder)
    openssl("req", *ec, "-keyout", "node.key", "-out", "node.csr", "-subj", "/CN=127.0.0.1", cwd=folder)
    openssl("x509", "-req", "-in", "node.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "node.crt", "-days", "2", cwd=folder)
    (folder / "chain.crt").write_text((folder / "node.crt").read_text() + (folder / "ca.crt").read_text())
    openssl("req", "-x509", *ec, "-keyout", "other.key", "-out", "other.crt", "-days", "2", "-subj", "/CN=other", cwd=folder)

    def fingerprint(name: str) -> str:
        return openssl("x509", "-in", name, "-noout", "-fingerprint", "-sha256", cwd=folder).strip().split("=", 1)[1]

    return {"folder": folder, "ca": fingerprint("ca.crt"), "node": fingerprint("node.crt"), "other": fingerprint("other.crt")}


@pytest.fixture
def https(opensearch, certificates):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    folder = certificates["folder"]
    context.load_cert_chain(folder / "chain.crt", folder / "node.key")
    proxy = RecordingPassThrough(opensearch.url, tls=context)
    yield proxy
    proxy.stop()


def count(tmp_path: Path, url: str, fingerprint: str):
    (tmp_path / "mlops-tui.yaml").write_text(
        "logs:\n  opensearch:\n"
        f"    - {{name: prod, url: '{url}', index: 'logs-*', username: ops, password: '{PASSWORD}',"
        f" ssl_assert_fingerprint: '{fingerprint}'}}\n")
    return run_cli(["logs", "search", "log.level: ERROR", "--source", "prod", "--count"], cwd=tmp_path)


@pytest.mark.parametrize("pinned", ["ca", "node", "ca-plain"])
def test_the_pinned_certificate_or_its_ca_lets_the_search_through(tmp_path: Path, opensearch, certificates, https,
                                                                   pinned: str) -> None:
    fingerprint = certificates[pinned.removesuffix("-plain")]
    if pinned.endswith("-plain"):  # as Elasticsearch prints it: hex, no colons, lower case
        fingerprint = fingerprint.replace(":", "").lower()
    result = count(tmp_path, https.url, fingerprint)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(opensearch.seed.level_counts()["ERROR"])
    assert https.requests  # over HTTPS, through the pass-through


def test_another_certificate_is_refused_before_any_request(tmp_path: Path, certificates, https) -> None:
    result = count(tmp_path, https.url, certificates["other"])
    assert result.returncode == 3, result.stderr
    assert f"not ssl_assert_fingerprint {certificates['other']}" in result.stderr
    assert certificates["node"] in result.stderr and certificates["ca"] in result.stderr  # what it presented
    assert not https.requests and not https.headers  # refused after the handshake: no request, no password sent
    assert PASSWORD not in result.stderr and "Traceback" not in result.stderr


def test_a_fingerprint_that_is_not_one_is_a_settings_error(tmp_path: Path) -> None:
    result = count(tmp_path, "https://127.0.0.1:9", "AB:CD")
    assert result.returncode == 2, result.stderr
    assert "ssl_assert_fingerprint" in result.stderr and "not a SHA-256 fingerprint" in result.stderr
