"""Visma Connect client-credentials token and bearer checks."""

import time

import requests

from tests.sandbox.conftest import visma_token


def test_token_response_has_the_connect_fields(visma):
    body = visma_token(visma).json()
    assert set(body) == {"access_token", "expires_in", "token_type", "scope"}
    assert body["expires_in"] == 3600 and body["token_type"] == "Bearer"


def test_unknown_tenant_gets_invalid_tenant(visma):
    response = visma_token(visma, tenant_id="af1140c1-52e0-46c7-b684-df894d4b8a5a")
    assert response.status_code == 400 and response.json() == {"error": "invalid_tenant"}


def test_bad_client_gets_invalid_client(visma):
    response = visma_token(visma, client_secret="wrong")
    assert response.status_code == 400 and response.json() == {"error": "invalid_client"}


def test_scope_without_read_is_refused(visma):
    assert visma_token(visma, scope="vismanet_erp_service_api:update").json() == {"error": "invalid_scope"}


def test_expired_or_unknown_bearer_gets_401_with_a_message(visma):
    visma.faults.token_lifetime = 0.3
    headers = {"Authorization": f"Bearer {visma_token(visma).json()['access_token']}"}
    assert requests.get(visma.url + "/v1/branch", headers=headers, timeout=5).status_code == 200
    time.sleep(0.4)
    response = requests.get(visma.url + "/v1/branch", headers=headers, timeout=5)
    assert response.status_code == 401 and set(response.json()) == {"message"}


def test_writing_needs_the_update_scope(visma):
    token = visma_token(visma, scope="vismanet_erp_service_api:read").json()["access_token"]
    response = requests.put(visma.url + "/v1/department/IT", json={"description": {"value": "IT"}},
                            headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert response.status_code == 403
