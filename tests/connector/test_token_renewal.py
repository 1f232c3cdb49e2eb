"""Tokens are renewed before they expire; a 401 renews once and retries once."""
from __future__ import annotations

from datetime import timedelta

import pytest
import responses

from connector.clients.paychex import PaychexClient
from connector.clients.visma import VismaClient
from connector.errors import ApiError
from connector.models import Connection
from tests.connector.conftest import COMPANY_ID, PAYCHEX_TOKEN_URL, PAYCHEX_URL, VISMA_URL, calls_to, paychex_token, visma_token
from tests.specs import load

COMPANY_URL = f"{PAYCHEX_URL}/companies/{COMPANY_ID}"


class TokenServer:
    """A token endpoint and an API that refuse expired tokens, on the fake clock."""

    def __init__(self, clock, lifetime: str = "600") -> None:
        self.clock, self.lifetime = clock, lifetime
        self.issued: dict[str, object] = {}
        self.refused = 0

    def token(self, request):
        token = f"token-{len(self.issued) + 1}"
        self.issued[token] = self.clock.now() + timedelta(seconds=int(self.lifetime))
        return 200, {}, f'{{"access_token": "{token}", "token_type": "Bearer", "expires_in": "{self.lifetime}"}}'

    def api(self, request):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.issued or self.clock.now() >= self.issued[token]:
            self.refused += 1
            return 401, {}, '{"errors":[{"code":"API-103","description":"Bearer token is expired or invalid."}]}'
        return 200, {}, '{"content":[{"companyId":"%s"}]}' % COMPANY_ID


def test_token_is_renewed_before_expiry_without_any_401(paychex, clock, mocked):
    server = TokenServer(clock)
    mocked.add_callback(responses.POST, PAYCHEX_TOKEN_URL, callback=server.token)
    mocked.add_callback(responses.GET, COMPANY_URL, callback=server.api)
    client = PaychexClient(paychex, clock=clock)

    for _ in range(30):  # 30 calls a minute apart: 30 minutes, five 600-second token lifetimes
        client.company()
        clock.advance(60)

    assert server.refused == 0
    assert 3 <= len(server.issued) <= 6


def test_renewal_happens_inside_the_margin_not_earlier(paychex, clock, mocked):
    server = TokenServer(clock)
    mocked.add_callback(responses.POST, PAYCHEX_TOKEN_URL, callback=server.token)
    mocked.add_callback(responses.GET, COMPANY_URL, callback=server.api)
    client = PaychexClient(paychex, clock=clock)

    client.company()
    clock.advance(600 * 0.8 - 1)  # just before the renewal margin (20% of 600 s)
    client.company()
    assert len(server.issued) == 1
    clock.advance(2)
    client.company()
    assert len(server.issued) == 2


def test_cached_token_is_stored_encrypted_and_shared_by_another_instance(paychex, clock, mocked):
    paychex_token(mocked, token="shared-token-123456")
    mocked.add(responses.GET, COMPANY_URL, json={"content": [{"companyId": COMPANY_ID}]})
    PaychexClient(paychex, clock=clock).company()

    other = Connection.objects.get(pk=paychex.pk)  # as another process would load it
    PaychexClient(other, clock=clock).company()

    assert len(calls_to(mocked, "/token")) == 1
    assert calls_to(mocked, "/companies/")[1].request.headers["Authorization"] == "Bearer shared-token-123456"
    from django.db import connection as db
    with db.cursor() as cursor:
        cursor.execute("SELECT access_token FROM connector_connection WHERE id = %s", [paychex.pk])
        stored = cursor.fetchone()[0]
    assert "shared-token-123456" not in stored and stored.startswith("gAAAAA")


def test_expires_in_as_a_number_is_understood(visma, clock, mocked):
    visma_token(mocked, expires_in=3600)
    mocked.add(responses.GET, f"{VISMA_URL}/v1/branch", json=[])
    VismaClient(visma, clock=clock).branches()

    visma.refresh_from_db()
    assert visma.token_lifetime_seconds == 3600
    assert visma.token_expires_at == clock.now() + timedelta(seconds=3600)


def test_visma_token_request_sends_scope_and_tenant(visma, clock, mocked, settings):
    visma_token(mocked)
    mocked.add(responses.GET, f"{VISMA_URL}/v1/branch", json=[])
    VismaClient(visma, clock=clock).branches()

    form = calls_to(mocked, "/token")[0].request.body
    assert "grant_type=client_credentials" in form
    assert f"tenant_id={visma.tenant_id}" in form
    assert "scope=vismanet_erp_service_api%3Aread" in form


def test_a_401_renews_once_and_retries_once(paychex, clock, mocked):
    paychex_token(mocked, token="first-token-0001")
    paychex_token(mocked, token="second-token-0002")
    mocked.add(responses.GET, COMPANY_URL, status=401, json=load("paychex", "error-401-api-103.json"))
    mocked.add(responses.GET, COMPANY_URL, json={"content": [{"companyId": COMPANY_ID}]})

    company = PaychexClient(paychex, clock=clock).company()

    assert company["companyId"] == COMPANY_ID
    assert len(calls_to(mocked, "/token")) == 2
    api_calls = calls_to(mocked, "/companies/")
    assert [c.request.headers["Authorization"] for c in api_calls] == ["Bearer first-token-0001", "Bearer second-token-0002"]


def test_a_second_401_is_a_permanent_auth_error_without_a_loop(paychex, clock, mocked):
    paychex_token(mocked, token="first-token-0001")
    paychex_token(mocked, token="second-token-0002")
    mocked.add(responses.GET, COMPANY_URL, status=401, json=load("paychex", "error-401-api-103.json"))

    with pytest.raises(ApiError) as caught:
        PaychexClient(paychex, clock=clock).company()

    assert caught.value.permanent and caught.value.status == 401
    assert caught.value.code == "API-103"
    assert len(calls_to(mocked, "/token")) == 2
    assert len(calls_to(mocked, "/companies/")) == 2


def test_an_undecryptable_secret_is_a_clear_error_not_a_token_request(paychex, clock, mocked):
    from django.db import connection as db
    with db.cursor() as cursor:
        cursor.execute("UPDATE connector_connection SET client_secret = %s WHERE id = %s", ["gAAAAA" + "x" * 120, paychex.pk])
    stored = Connection.objects.get(pk=paychex.pk)

    with pytest.raises(ApiError) as caught:
        PaychexClient(stored, clock=clock).company()

    assert caught.value.message == "stored secret cannot be decrypted: re-enter it"
    assert caught.value.permanent
    assert len(mocked.calls) == 0
