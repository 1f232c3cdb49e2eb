"""Paychex OAuth: token shape, lifetime, and the API-102 / API-103 error bodies."""

import time

import requests

from tests.sandbox.conftest import paychex_sample, paychex_token


def test_token_response_has_the_spec_fields_with_expires_in_as_a_string(paychex):
    form = {"grant_type": "client_credentials", "client_id": paychex.client_id, "client_secret": paychex.client_secret}
    response = requests.post(paychex.token_url, data=form, timeout=5)
    body = response.json()
    assert response.status_code == 200
    assert set(body) == set(paychex_sample("auth-token-response.json"))
    assert body["scope"] == "oob" and body["token_type"] == "Bearer"
    assert body["expires_in"] == "3600"


def test_expires_in_can_be_switched_to_a_number(paychex):
    paychex.faults.expires_in_as_number = True
    paychex.faults.token_lifetime = 600
    form = {"grant_type": "client_credentials", "client_id": paychex.client_id, "client_secret": paychex.client_secret}
    assert requests.post(paychex.token_url, data=form, timeout=5).json()["expires_in"] == 600


def test_bad_client_secret_gets_401_api_102(paychex):
    form = {"grant_type": "client_credentials", "client_id": paychex.client_id, "client_secret": "wrong"}
    response = requests.post(paychex.token_url, data=form, timeout=5)
    assert response.status_code == 401
    assert response.json() == paychex_sample("error-401-api-102.json")


def test_unknown_bearer_token_gets_401_api_103(paychex):
    response = requests.get(paychex.url + "/companies", headers={"Authorization": "Bearer nope"}, timeout=5)
    assert response.status_code == 401
    assert response.json() == paychex_sample("error-401-api-103.json")


def test_missing_authorization_gets_401_api_103(paychex):
    response = requests.get(paychex.url + "/companies", timeout=5)
    assert response.status_code == 401


def test_token_expires_after_the_configured_lifetime(paychex):
    paychex.faults.token_lifetime = 0.3
    headers = {"Authorization": f"Bearer {paychex_token(paychex)}"}
    assert requests.get(paychex.url + "/companies", headers=headers, timeout=5).status_code == 200
    time.sleep(0.4)
    response = requests.get(paychex.url + "/companies", headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "API-103"
