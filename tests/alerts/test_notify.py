"""Each channel against a real receiver on 127.0.0.1: the HTTP receiver (a stand-in for Slack's, Discord's
and Twilio's servers) and a real SMTP server (aiosmtpd) with STARTTLS, implicit TLS and AUTH."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.receivers import http_receiver, make_certificate, smtp_server

from mlops_tui.settings.alerts import AlertChannel
from mlops_tui.sources.alerts.notify import Alert, Group, send

GROUP = Group("api errors", "critical", "firing", (
    Alert((("service", "api"),), 15.0, 1714572300.0, summary="15 errors in 10m"),
    Alert((("service", "web"),), 3.0, 1714572000.0, ends_at=1714572600.0, summary="3 errors in 10m"),
))
RESOLVED = Group("api errors", "critical", "resolved", (
    Alert((("service", "api"),), 1.0, 1714572300.0, ends_at=1714573000.0, summary="1 errors in 10m"),))


# The implicit-TLS server accepts AUTH on its TLS socket, which aiosmtpd warns about as if it were plain text.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def channel(**fields) -> AlertChannel:
    return AlertChannel.model_validate({"name": "ops", "retries": 2, "timeout": 5, **fields})


def test_webhook_gets_alertmanagers_payload():
    with http_receiver() as receiver:
        outcome = send(channel(kind="webhook", url=receiver.url + "/hook"), GROUP)
    assert outcome.ok and outcome.attempts == 1
    (request,) = receiver.requests
    assert request.path == "/hook" and request.headers["Content-Type"] == "application/json"
    body = request.json()
    assert {k: body[k] for k in ("version", "status", "receiver", "groupLabels", "commonLabels")} == {
        "version": "4", "status": "firing", "receiver": "ops", "groupLabels": {"alertname": "api errors"},
        "commonLabels": {"alertname": "api errors", "severity": "critical"}}
    firing, resolved = body["alerts"]
    assert firing["status"] == "firing" and firing["endsAt"] == "0001-01-01T00:00:00Z"
    assert firing["labels"] == {"alertname": "api errors", "severity": "critical", "service": "api"}
    assert firing["annotations"] == {"summary": "15 errors in 10m"}
    assert firing["startsAt"] == "2024-05-01T14:05:00.000000Z"
    assert resolved["status"] == "resolved" and resolved["endsAt"] == "2024-05-01T14:10:00.000000Z"
    assert len(firing["fingerprint"]) == 16 and firing["fingerprint"] != resolved["fingerprint"]


def test_slack_gets_text_and_discord_content():
    with http_receiver() as receiver:
        assert send(channel(kind="slack", url=receiver.url + "/services/T0/B0/XXXX"), GROUP).ok
        assert send(channel(kind="discord", url=receiver.url + "/api/webhooks/1/tok"), RESOLVED).ok
    slack, discord = receiver.requests
    assert slack.json() == {"text": "[FIRING:1] api errors (critical)\n"
                                    "- firing: 15 errors in 10m (service=api)\n"
                                    "- resolved: 3 errors in 10m (service=web)"}
    assert discord.json() == {"content": "[RESOLVED] api errors (critical)\n- resolved: 1 errors in 10m (service=api)"}


def test_discords_429_retry_after_is_waited_for_then_the_message_goes_through():
    with http_receiver() as receiver:
        receiver.answer_next(429, {"message": "You are being rate limited.", "retry_after": 0.6, "global": False})
        outcome = send(channel(kind="discord", url=receiver.url + "/api/webhooks/1/tok"), GROUP)
    assert outcome.ok and outcome.attempts == 2
    first, second = receiver.requests
    assert second.at - first.at >= 0.6  # not the 0.5 s backoff: the server's own wait
    assert first.body == second.body


def test_retry_after_header_is_honoured_and_failures_say_why_without_the_urls_token():
    with http_receiver() as receiver:
        receiver.answer_next(503, b"", {"Retry-After": "1"})
        for _ in range(3):
            receiver.answer_next(500, b"oops")
        outcome = send(channel(kind="slack", url=receiver.url + "/services/T0/B0/SECRETTOKEN"), GROUP)
    assert not outcome.ok and outcome.attempts == 3
    assert receiver.requests[1].at - receiver.requests[0].at >= 1.0
    assert outcome.detail == f"HTTP 500 Internal Server Error from http://127.0.0.1:{receiver.port}/…"


def test_a_404_is_not_retried():
    with http_receiver() as receiver:
        receiver.answer_next(404, b"no such hook")
        outcome = send(channel(kind="webhook", url=receiver.url + "/x"), GROUP)
    assert (outcome.ok, outcome.attempts, len(receiver.requests)) == (False, 1, 1)
    assert "HTTP 404" in outcome.detail


def test_a_receiver_that_is_down_is_retried_then_recorded():
    from support.ports import free_port

    outcome = send(channel(kind="webhook", url=f"http://127.0.0.1:{free_port()}/hook", retries=1), GROUP)
    assert not outcome.ok and outcome.attempts == 2
    assert outcome.detail.startswith("cannot connect")


def test_a_receiver_slower_than_the_timeout_is_retried_and_the_timeout_recorded():
    with http_receiver() as receiver:
        receiver.answer_next(204, delay=1.5)
        receiver.answer_next(204, delay=1.5)
        outcome = send(channel(kind="discord", url=receiver.url + "/api/webhooks/1/tok", timeout=0.5, retries=1),
                       GROUP)
    assert (outcome.ok, outcome.attempts) == (False, 2)
    assert outcome.detail == "timed out (ReadTimeout)"


def test_sms_posts_twilios_form_to_each_number_with_basic_auth():
    with http_receiver() as receiver:
        outcome = send(channel(kind="sms", url=receiver.url, username="AC123", password="tok",
                               **{"from": "+15550001111"}, to=["+15552223333", "+15554445555"]), RESOLVED)
    assert outcome.ok
    assert [r.path for r in receiver.requests] == ["/2010-04-01/Accounts/AC123/Messages.json"] * 2
    assert [r.form()["To"] for r in receiver.requests] == ["+15552223333", "+15554445555"]
    assert receiver.requests[0].form()["From"] == "+15550001111"
    assert receiver.requests[0].form()["Body"].startswith("[RESOLVED] api errors")
    assert receiver.requests[0].headers["Authorization"] == "Basic QUMxMjM6dG9r"  # AC123:tok


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.mark.parametrize("implicit_tls", [False, True], ids=["starttls", "implicit-tls"])
def test_email_over_tls_with_auth(certificate, implicit_tls):
    cert, key = certificate
    with smtp_server(cert, key, implicit_tls=implicit_tls) as server:
        outcome = send(channel(kind="email", host="127.0.0.1", port=server.port, tls=implicit_tls,
                               starttls=not implicit_tls, ca_file=str(cert), username="alerts", password="s3cret",
                               **{"from": "mlops@example.org"}, to=["oncall@example.org"]), GROUP)
    assert outcome.ok, outcome.detail
    ((sender, recipients, text, login),) = server.messages
    assert (sender, recipients, login) == ("mlops@example.org", ["oncall@example.org"], "alerts")
    assert "Subject: [FIRING:1] api errors (critical)" in text
    assert "- firing: 15 errors in 10m (service=api)" in text


def test_email_with_a_wrong_password_is_refused_once_not_retried(certificate):
    cert, key = certificate
    with smtp_server(cert, key) as server:
        outcome = send(channel(kind="email", host="127.0.0.1", port=server.port, starttls=True, ca_file=str(cert),
                               username="alerts", password="wrong", **{"from": "a@example.org"},
                               to=["b@example.org"]), GROUP)
    assert (outcome.ok, outcome.attempts) == (False, 1)
    assert outcome.detail.startswith(f"127.0.0.1:{server.port} refused the login: 535")
    assert server.messages == []


def test_email_to_a_server_with_an_unknown_certificate_fails_on_tls(certificate):
    cert, key = certificate
    with smtp_server(cert, key) as server:
        outcome = send(channel(kind="email", host="127.0.0.1", port=server.port, starttls=True,
                               username="alerts", password="s3cret", **{"from": "a@example.org"},
                               to=["b@example.org"]), GROUP)
    assert not outcome.ok and "TLS failed" in outcome.detail and "CERTIFICATE_VERIFY_FAILED" in outcome.detail


def test_email_in_plain_text_to_a_server_that_requires_starttls_says_so(certificate):
    cert, key = certificate
    with smtp_server(cert, key) as server:
        outcome = send(channel(kind="email", host="127.0.0.1", port=server.port, username="alerts",
                               password="s3cret", **{"from": "a@example.org"}, to=["b@example.org"]), GROUP)
    assert (outcome.ok, outcome.attempts) == (False, 1)
    assert outcome.detail == (f"127.0.0.1:{server.port}: SMTP AUTH extension not supported by server."
                              " (servers often offer AUTH only over TLS: set starttls or tls)")
    assert server.messages == []
