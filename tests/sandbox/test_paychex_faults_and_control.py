"""Fault knobs, the request log (redacted) and the HTTP control API of the Paychex simulator."""

import time

import requests

from sandbox import PaychexSandbox
from tests.sandbox.conftest import paychex_sample, paychex_token


def test_error_rate_answers_503_api_66(paychex, paychex_api):
    paychex.faults.error_rate = 1.0
    response = paychex_api.get(paychex.url + "/companies", timeout=5)
    assert response.status_code == 503
    assert response.json() == paychex_sample("error-503-api-66.json")


def test_injected_errors_are_repeatable_for_a_seed():
    def failures():
        with PaychexSandbox(workers=1, seed=3) as px:
            px.faults.error_rate = 0.5
            return [requests.get(px.url + "/companies", timeout=5).status_code == 503 for _ in range(12)]
    first = failures()
    assert first == failures() and any(first) and not all(first)


def test_latency_delays_every_api_call(paychex, paychex_api):
    paychex.faults.latency = 0.2
    started = time.monotonic()
    paychex_api.get(paychex.url + "/companies", timeout=5)
    assert time.monotonic() - started >= 0.2


def test_request_log_redacts_credentials_and_skips_the_control_api(paychex):
    paychex_token(paychex)
    requests.get(paychex.url + "/companies", headers={"Authorization": "Bearer abc.def"}, timeout=5)
    requests.get(paychex.url + "/_sandbox/state", timeout=5)
    token_call, companies_call = paychex.requests
    assert paychex.client_secret not in token_call["body"] and "client_secret=***" in token_call["body"]
    assert companies_call["headers"]["Authorization"] == "Bearer" and companies_call["status"] == 401
    paychex.clear_requests()
    assert paychex.requests == []


def test_control_api_sets_knobs_and_scripts_changes(paychex, paychex_api):
    control = paychex.url + "/_sandbox/"
    assert requests.post(control + "faults", json={"page_cap": 5, "webhook_retry_seconds": 0.5}, timeout=5).json()["page_cap"] == 5
    assert paychex.faults.page_cap == 5 and paychex.webhook_retry_seconds == 0.5
    assert requests.post(control + "faults", json={"no_such_knob": 1}, timeout=5).status_code == 400
    hired = requests.post(control + "hire", json={"given_name": "Åsa", "family_name": "Öberg",
                                                  "hire_date": "2024-03-01"}, timeout=5).json()
    assert hired["hireDate"] == "2024-03-01T00:00:00Z"
    requests.post(control + "terminate", json={"worker_id": hired["workerId"]}, timeout=5)
    fetched = paychex_api.get(f"{paychex.url}/workers/{hired['workerId']}", timeout=5).json()["content"][0]
    assert fetched["currentStatus"]["statusType"] == "TERMINATED"
    state = requests.get(control + "state", timeout=5).json()
    assert state["workers"] == 41 and state["company_id"] == paychex.company_id
    assert [r["path"] for r in requests.get(control + "requests", timeout=5).json()][-1].startswith("/workers/")
    assert requests.post(control + "reset-requests", timeout=5).json() == {"ok": True}
    assert paychex.requests == []
    assert requests.post(control + "terminate", json={"worker_id": "nope"}, timeout=5).status_code == 400


def test_unsupported_method_gets_405_api_59(paychex, paychex_api):
    response = paychex_api.delete(paychex.url + "/companies", timeout=5)
    assert response.status_code == 405
    assert response.json() == paychex_sample("error-405-api-59.json")
