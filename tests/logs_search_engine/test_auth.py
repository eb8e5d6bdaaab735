"""Cluster credentials a real deployment needs: an API key (`api_key`, sent as `Authorization: ApiKey …`,
given encoded or as `id:key`) and Elastic Cloud's Cloud ID (`cloud_id`, decoded by elastic_transport into the
deployment's HTTPS URL). The key is checked on the wire through a recording pass-through in front of the real
OpenSearch (its answers are the engine's own; the engine here runs without its security plugin, so it does not
check the key: what that leaves untested is a cluster that refuses a wrong key, whose 401 other tests cover)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hostile.recorder import RecordingPassThrough
from support.cli import run_cli

from mlops_tui.settings import load_settings

KEY_ID, KEY = "VuaCfGcBCdbkQm-e5aOx", "ui2lp2axTNmsyakw9tvNnw"


@pytest.mark.parametrize("given", [f"{KEY_ID}:{KEY}", base64.b64encode(f"{KEY_ID}:{KEY}".encode()).decode()],
                         ids=["id:key", "encoded"])
def test_every_request_carries_the_api_key_and_no_output_shows_it(tmp_path: Path, opensearch, given: str):
    proxy = RecordingPassThrough(opensearch.url)
    try:
        (tmp_path / "mlops-tui.yaml").write_text(
            f"logs:\n  opensearch:\n    - {{name: prod, url: '{proxy.url}', index: 'logs-*', api_key: '{given}'}}\n")
        result = run_cli(["logs", "search", "log.level: ERROR", "--source", "prod", "--count"], cwd=tmp_path)
        shown = run_cli(["config", "check"], cwd=tmp_path)  # the merged settings, printed
    finally:
        proxy.stop()
    errors = opensearch.seed.level_counts()["ERROR"]
    assert result.returncode == 0 and result.stdout.strip() == str(errors), result.stderr
    encoded = base64.b64encode(f"{KEY_ID}:{KEY}".encode()).decode()
    assert proxy.headers and all(h.get("Authorization") == f"ApiKey {encoded}" for h in proxy.headers)
    for output in (result.stdout, result.stderr, shown.stdout, shown.stderr):
        assert KEY not in output and encoded not in output


def test_a_cloud_id_names_the_deployment_s_https_url(tmp_path: Path):
    cloud_id = "ml-logs:" + base64.b64encode(b"europe-west1.gcp.cloud.es.io:9243$4fa8821e$d1b2c3").decode()
    settings, _ = load_settings(None, [f"logs.elasticsearch=[{{name: cloud, cloud_id: '{cloud_id}'}}]"],
                                environ={}, cwd=tmp_path)
    assert settings.logs.elasticsearch[0].url == "https://4fa8821e.europe-west1.gcp.cloud.es.io:9243"
    plain = "ml-logs:" + base64.b64encode(b"us-east-1.aws.found.io$abc123$def456").decode()
    settings, _ = load_settings(None, [f"logs.elasticsearch=[{{name: cloud, cloud_id: '{plain}'}}]"],
                                environ={}, cwd=tmp_path)
    assert settings.logs.elasticsearch[0].url == "https://abc123.us-east-1.aws.found.io:443"  # 443 unless named


@pytest.mark.parametrize("entry, said", [
    ("{name: cloud, cloud_id: 'not-a-cloud-id'}", "cloud_id: not a Cloud ID"),
    ("{name: cloud, url: 'https://es:9200', cloud_id: 'x:eHgkeXkkeno='}", "cloud_id and url: give one"),
])
def test_a_bad_cloud_id_is_a_settings_error_naming_the_key(tmp_path: Path, entry: str, said: str):
    (tmp_path / "mlops-tui.yaml").write_text(f"logs:\n  elasticsearch:\n    - {entry}\n")
    result = run_cli(["logs", "search", "x", "--source", "cloud"], cwd=tmp_path)
    assert result.returncode == 2 and "logs.elasticsearch.0" in result.stderr and said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
