"""Visma rate limiting, injected 5xx, the request log, the control API and signed webhooks."""

import base64
import hashlib
import hmac
import time

import requests


def test_every_response_carries_rate_limit_headers(visma, visma_api):
    response = visma_api.get(visma.url + "/v1/branch", timeout=5)
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Policy"):
        assert name in response.headers


def test_calls_beyond_the_limit_get_429_with_retry_after(visma, visma_api):
    visma.faults.rate_limit = 3
    visma.faults.rate_window_seconds = 60
    statuses = [visma_api.get(visma.url + "/v1/branch", timeout=5) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    limited = statuses[-1]
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.json() == {"message": f"Rate limit is exceeded. Try again in {limited.headers['Retry-After']} seconds."}
    assert statuses[2].headers["X-RateLimit-Remaining"] == "0"


def test_the_window_resets(visma, visma_api):
    visma.faults.rate_limit, visma.faults.rate_window_seconds = 1, 0.3
    assert visma_api.get(visma.url + "/v1/branch", timeout=5).status_code == 200
    assert visma_api.get(visma.url + "/v1/branch", timeout=5).status_code == 429
    time.sleep(0.35)
    assert visma_api.get(visma.url + "/v1/branch", timeout=5).status_code == 200


def test_error_rate_answers_500_or_503_with_a_message(visma, visma_api):
    visma.faults.error_rate = 1.0
    response = visma_api.get(visma.url + "/v1/branch", timeout=5)
    assert response.status_code in (500, 503) and "message" in response.json()


def test_control_api_edits_employees_and_is_not_logged(visma, visma_api):
    visma.clear_requests()
    visma_api.post(visma.url + "/v1/employee", timeout=5, json={
        "employeeCd": {"value": "E9"}, "department": {"value": "IT"}, "employeeClass": {"value": "EMPSTAND"},
        "branch": {"value": "1"}, "calendar": {"value": "STANDARD"},
        "contact": {"lastName": {"value": "Lie"}, "email": {"value": "lie@nordvik-industri.no"}}})
    edited = requests.post(visma.url + "/_sandbox/edit_employee", json={"employee_cd": "E9", "lastName": "Lie-Berg"}, timeout=5)
    assert edited.json()["contact"]["lastName"] == "Lie-Berg"
    assert requests.post(visma.url + "/_sandbox/faults", json={"max_page_size": 50}, timeout=5).json()["max_page_size"] == 50
    state = requests.get(visma.url + "/_sandbox/state", timeout=5).json()
    assert state["tenant_id"] == visma.tenant_id and state["job_title_segment"] == ["SUBACCOUNT", 2]
    assert [r["path"] for r in visma.requests] == ["/v1/employee"]
    assert visma.requests[0]["headers"]["Authorization"] == "Bearer"


def test_changes_are_posted_as_one_signed_batch(visma, receiver):
    visma.subscribe(receiver.url, "hmac-key")
    visma.edit_segment_value("SUBACCOUNT", 1, "1100", description="Produksjon Linje 1")
    visma.edit_segment_value("SUBACCOUNT", 2, "AUT", description="Automatiker")
    call = receiver.wait_for(1)[0]
    expected = base64.b64encode(hmac.new(b"hmac-key", call["raw"], hashlib.sha256).digest()).decode()
    assert call["headers"]["X-Visma-Signature"] == expected
    assert isinstance(call["json"], list) and len(call["json"]) == 2
    assert set(call["json"][0]) == {"notificationId", "contextId", "event", "relativeResourceUri", "resourceUri",
                                    "status", "timeStamp"}


def test_dropped_visma_notifications_never_arrive(visma, receiver):
    visma.faults.drop_webhooks = 1.0
    visma.subscribe(receiver.url, "k")
    visma.edit_segment_value("SUBACCOUNT", 1, "1100", description="x")
    assert visma.flush_webhooks(2) and receiver.calls == []
