"""The sender checks the collector's answer and says why a report was not delivered."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests

from agent.delivery.transport import AgentRefused, Rejected, ServerBusy, Unreachable, send_report
from tests.agent.hostile import acknowledgement_of
from tests.builders import make_report


def test_delivered_report_returns_the_answer(fake_collector):
    url, answers, received, _ = fake_collector
    answers.append((201, acknowledgement_of))
    report = make_report()
    assert send_report(url, report) == acknowledgement_of(report)
    assert received == [("/api/v1/reports", report)]


def test_rejection_carries_the_collectors_reason(fake_collector):
    url, answers, _, _ = fake_collector
    answers.append((422, {"ok": False, "error": "the report does not follow schema version 1"}))
    with pytest.raises(Rejected, match="422 the report does not follow") as caught:
        send_report(url, make_report())
    assert caught.value.retry is False


@pytest.mark.parametrize("status", [500, 503, 429])
def test_temporary_failures_can_be_retried(fake_collector, status):
    url, answers, _, _ = fake_collector
    answers.append((status, {"ok": False, "error": "busy"}))
    with pytest.raises(ServerBusy) as caught:
        send_report(url, make_report())
    assert caught.value.retry is True


def test_unreachable_collector():
    with pytest.raises(Unreachable, match="cannot reach"):
        send_report("http://127.0.0.1:9", make_report(), timeout=2)


def test_token_goes_in_a_bearer_header_and_verify_is_passed_on():
    class Session:
        def post(self, url, **kwargs):
            self.kwargs = kwargs
            raise requests.ConnectionError("recorded")

    session = Session()
    with pytest.raises(Unreachable):
        send_report(
            "https://c.example",
            make_report(),
            session=session,
            token="t0k",
            verify="/etc/avroll/ca.pem",
        )
    assert session.kwargs["headers"]["Authorization"] == "Bearer t0k"
    assert session.kwargs["verify"] == "/etc/avroll/ca.pem"
    with pytest.raises(Unreachable):
        send_report("https://c.example", make_report(), session=session)
    assert "Authorization" not in session.kwargs["headers"]
    assert session.kwargs["verify"] is True
    sent_at = datetime.fromisoformat(session.kwargs["headers"]["X-Avroll-Sent-At"])
    assert abs((datetime.now(timezone.utc) - sent_at).total_seconds()) < 60


@pytest.mark.parametrize("status", [401, 403, 404])
def test_a_refused_agent_is_not_a_refused_report(fake_collector, status):
    url, answers, _, _ = fake_collector
    answers.append((status, {"ok": False, "error": "unknown token"}))
    with pytest.raises(AgentRefused, match=f"{status} unknown token"):
        send_report(url, make_report())
