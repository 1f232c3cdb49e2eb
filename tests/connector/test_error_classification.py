"""Every failure becomes ApiError: transient or permanent, with the vendor's code and redacted excerpts."""
from __future__ import annotations

import pytest
import requests
import responses

from connector.clients.paychex import PaychexClient
from connector.clients.visma import VismaClient
from connector.errors import ApiError, NotFound, PreconditionFailed
from connector.models import Connection
from tests.connector.conftest import COMPANY_ID, PAYCHEX_URL, VISMA_URL, paychex_token, visma_token
from tests.specs import load

COMPANY_URL = f"{PAYCHEX_URL}/companies/{COMPANY_ID}"


@pytest.fixture
def paychex_client(paychex, clock, mocked):
    paychex_token(mocked)
    return PaychexClient(paychex, clock=clock)


@pytest.fixture
def visma_client(visma, clock, mocked):
    visma_token(mocked)
    return VismaClient(visma, clock=clock)


@pytest.mark.parametrize("status, sample, code", [
    (400, "error-400-api-40.json", "API-40"),
    (403, "error-403-api-2.json", "API-2"),
    (406, "error-406-api-75.json", "API-75"),
    (409, None, "conflict"),
    (422, None, "validation"),
])
def test_client_errors_are_permanent(paychex_client, mocked, status, sample, code):
    body = load("paychex", sample) if sample else {}
    mocked.add(responses.GET, COMPANY_URL, status=status, json=body)

    with pytest.raises(ApiError) as caught:
        paychex_client.company()

    assert caught.value.permanent and caught.value.status == status and caught.value.code == code


def test_404_is_not_found_with_the_vendor_description(paychex_client, mocked):
    mocked.add(responses.GET, f"{PAYCHEX_URL}/workers/W1", status=404, json=load("paychex", "error-404-api-7.json"))

    with pytest.raises(NotFound) as caught:
        paychex_client.worker("W1")

    assert caught.value.permanent and caught.value.code == "API-7"
    assert "GET /workers/W1" in caught.value.message


@pytest.mark.parametrize("status, sample", [(503, "error-503-api-66.json"), (500, "error-500-api-1.json"),
                                            (423, "error-423-api-10.json")])
def test_server_errors_and_paychex_client_lock_are_transient(paychex_client, mocked, status, sample):
    mocked.add(responses.GET, COMPANY_URL, status=status, json=load("paychex", sample))

    with pytest.raises(ApiError) as caught:
        paychex_client.company()

    assert not caught.value.permanent and caught.value.status == status


@pytest.mark.parametrize("exc, code", [(requests.ConnectTimeout("slow"), "timeout"), (requests.ReadTimeout("slow"), "timeout"),
                                       (requests.ConnectionError("dns"), "connection")])
def test_network_failures_are_transient_without_status(paychex_client, mocked, exc, code):
    mocked.add(responses.GET, COMPANY_URL, body=exc)

    with pytest.raises(ApiError) as caught:
        paychex_client.company()

    assert not caught.value.permanent and caught.value.status is None and caught.value.code == code


def test_visma_no_license_is_permanent_with_fault_code(visma_client, mocked):
    mocked.add(responses.GET, f"{VISMA_URL}/v1/branch", status=401,
               json=load("visma", "samples/error-ippexception-no-license-12027.json"))
    mocked.add(responses.GET, f"{VISMA_URL}/v1/branch", status=401,
               json=load("visma", "samples/error-ippexception-no-license-12027.json"))
    visma_token(mocked, token="renewed-token")

    with pytest.raises(ApiError) as caught:
        visma_client.branches()

    assert caught.value.permanent and caught.value.code == "12027"
    assert "No license for this company." in caught.value.message


def test_412_is_precondition_failed(visma_client, mocked):
    mocked.add(responses.PUT, f"{VISMA_URL}/v1/employee/105", status=412)

    with pytest.raises(PreconditionFailed) as caught:
        visma_client.update_employee("105", {"first_name": "Paul"}, etag="AAAAAE0YIiI=")

    assert caught.value.permanent and caught.value.status == 412


def test_excerpts_are_redacted_and_truncated(paychex_client, mocked):
    mocked.add(responses.POST, f"{PAYCHEX_URL}/management/hooks", status=400,
               body='{"echo": {"password": "hook-pass-secret"}, "pad": "' + "x" * 2000 + '"}')

    with pytest.raises(ApiError) as caught:
        paychex_client.register_hook("https://us.test/webhooks/paychex/", ["WRKR_ADD"], username="u",
                                     password="hook-pass-secret")

    error = caught.value
    assert "hook-pass-secret" not in error.request_excerpt + error.response_excerpt + error.message
    assert len(error.response_excerpt) <= 501 and error.request_excerpt.startswith("POST /management/hooks")


def test_health_is_recorded_without_an_update_per_call(paychex_client, paychex, mocked, clock, django_assert_max_num_queries):
    mocked.add(responses.GET, COMPANY_URL, json={"content": [{"companyId": COMPANY_ID}]})
    paychex_client.company()  # first call: token + success written
    with django_assert_max_num_queries(0):
        for _ in range(5):
            paychex_client.company()
    assert Connection.objects.get(pk=paychex.pk).last_success_at == clock.now()

    mocked.replace(responses.GET, COMPANY_URL, status=503, json=load("paychex", "error-503-api-66.json"))
    with pytest.raises(ApiError):
        paychex_client.company()
    stored = Connection.objects.get(pk=paychex.pk)
    assert "503" in stored.last_error and stored.last_error_at == clock.now()


def test_a_failed_health_write_does_not_fail_the_call(paychex_client, mocked, monkeypatch):
    from django.db import OperationalError
    from django.db.models import QuerySet

    def locked(self, **kwargs):
        raise OperationalError("database is locked")

    mocked.add(responses.GET, COMPANY_URL, json={"content": [{"companyId": COMPANY_ID}]})
    monkeypatch.setattr(QuerySet, "update", locked)

    assert paychex_client.company()["companyId"] == COMPANY_ID
