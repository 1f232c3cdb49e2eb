"""Secrets never appear in logs, error messages or the admin page."""
from __future__ import annotations

import logging

import pytest
import responses

from connector.clients.paychex import PaychexClient
from connector.errors import ApiError
from connector.models import Connection
from tests.connector.conftest import COMPANY_ID, PAYCHEX_SECRET, PAYCHEX_TOKEN_URL, PAYCHEX_URL, VISMA_SECRET
from tests.specs import load

TOKEN = "tok-9f8e7d6c5b4a-secret-bearer"


def test_no_secret_or_token_in_logs_across_failing_and_succeeding_flows(paychex, clock, mocked, caplog):
    caplog.set_level(logging.DEBUG)
    mocked.add(responses.POST, PAYCHEX_TOKEN_URL, status=401, json=load("paychex", "error-401-api-102.json"))
    mocked.add(responses.POST, PAYCHEX_TOKEN_URL, json={"access_token": TOKEN, "expires_in": "600"})
    mocked.add(responses.GET, f"{PAYCHEX_URL}/companies/{COMPANY_ID}", status=401, json=load("paychex", "error-401-api-103.json"))
    mocked.add(responses.GET, f"{PAYCHEX_URL}/companies/{COMPANY_ID}", json={"content": [{"companyId": COMPANY_ID}]})
    client = PaychexClient(paychex, clock=clock)

    with pytest.raises(ApiError) as refused:
        client.company()  # token refused
    mocked.add(responses.POST, PAYCHEX_TOKEN_URL, json={"access_token": TOKEN + "-2", "expires_in": "600"})
    client.company()  # token, 401, renewal, retry, success

    text = caplog.text + str(refused.value) + refused.value.request_excerpt + refused.value.response_excerpt
    assert "connector.http" in {r.name for r in caplog.records}
    assert any("status=200" in r.getMessage() for r in caplog.records)
    for secret in (PAYCHEX_SECRET, TOKEN, "client_secret="):
        assert secret not in text
    assert "wrong credentials" in refused.value.message


def test_admin_change_page_never_contains_a_secret(admin_client, paychex, visma):
    paychex.webhook_signing_key = "signing-key-abcdef123"
    paychex.access_token = TOKEN
    paychex.save()

    html = admin_client.get(f"/admin/connector/connection/{paychex.pk}/change/").content.decode()

    assert PAYCHEX_SECRET not in html and "signing-key-abcdef123" not in html and TOKEN not in html
    assert 'name="client_secret"' in html and 'type="password"' in html
    assert "set, changed" in html
    assert 'name="client_secret" value' not in html


def test_admin_list_page_shows_health_not_secrets(admin_client, paychex, visma):
    html = admin_client.get("/admin/connector/connection/").content.decode()
    assert PAYCHEX_SECRET not in html and VISMA_SECRET not in html
    assert "not checked" in html
