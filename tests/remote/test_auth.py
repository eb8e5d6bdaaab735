"""Basic auth and a custom CA against a real Prometheus serving TLS; tokens as the servers expect them."""

from __future__ import annotations

import base64
import ssl
import subprocess
import urllib.request
import warnings

import pytest
from remote.servers import start_prometheus

from mlops_tui.settings.metrics import InfluxSource, PrometheusSource
from mlops_tui.sources.http import BackendError
from mlops_tui.sources.metrics.remote.influx import InfluxQLBackend
from mlops_tui.sources.metrics.remote.prometheus import PrometheusBackend

PASSWORD = "s3cret-pw"


def bcrypt_hash(password: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt  # libxcrypt does bcrypt; Prometheus wants bcrypt hashes for basic_auth_users

        return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))


@pytest.fixture(scope="module")
def secured_prometheus(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("prometheus-tls")
    cert, key = workdir / "ca.pem", workdir / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    config = workdir / "web.yml"
    config.write_text(f"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n"
                      f"basic_auth_users:\n  ops: '{bcrypt_hash(PASSWORD)}'\n")
    context = ssl.create_default_context(cafile=str(cert))
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
    opener.addheaders = [("Authorization", "Basic " + base64.b64encode(f"ops:{PASSWORD}".encode()).decode())]
    server = start_prometheus(workdir, workdir / "data", web_config=config, opener=opener)
    yield server, cert
    server.stop()


def test_basic_auth_over_tls_with_a_custom_ca(secured_prometheus):
    server, cert = secured_prometheus
    backend = PrometheusBackend(PrometheusSource(url=server.url, username="ops", password=PASSWORD,
                                                 ca_file=str(cert), retries=0))
    assert backend.instant("vector(42)")[0].last() == 42.0
    backend.close()


def test_wrong_password_is_a_clear_401(secured_prometheus):
    server, cert = secured_prometheus
    backend = PrometheusBackend(PrometheusSource(url=server.url, username="ops", password="nope",
                                                 ca_file=str(cert), retries=0))
    with pytest.raises(BackendError, match="HTTP 401 Unauthorized"):
        backend.instant("vector(1)")
    backend.close()


def test_unknown_ca_is_refused(secured_prometheus):
    server, _ = secured_prometheus
    backend = PrometheusBackend(PrometheusSource(url=server.url, username="ops", password=PASSWORD, retries=0))
    with pytest.raises(BackendError, match="CERTIFICATE_VERIFY_FAILED"):
        backend.instant("vector(1)")
    backend.close()


def test_tokens_are_sent_as_each_server_expects(misbehaving):
    # Prometheus has no token auth of its own (a proxy in front checks Bearer); InfluxDB wants "Token"
    prom = PrometheusBackend(PrometheusSource(url=misbehaving.url("500"), token="prom-tok", retries=0))
    with pytest.raises(BackendError):
        prom.instant("up")
    assert misbehaving.requests[-1][1]["Authorization"] == "Bearer prom-tok"
    influx = InfluxQLBackend(InfluxSource(url=misbehaving.url("500"), token="influx-tok", retries=0))
    with pytest.raises(BackendError):
        influx.one("SHOW DATABASES")
    assert misbehaving.requests[-1][1]["Authorization"] == "Token influx-tok"
