"""check_connection says what is wrong in words a person can act on, and records it."""
from __future__ import annotations

import pytest
import requests
import responses
from django.core.management import call_command
from django.db import connection as db

from connector.models import Connection
from connector.services import WRONG_TENANT_MESSAGE, check_connection, destination_for
from connector.errors import ApiError
from tests.connector.conftest import (COMPANY_ID, PAYCHEX_TOKEN_URL, PAYCHEX_URL, VISMA_TOKEN_URL, VISMA_URL,
                                      paychex_token, visma_token)
from tests.specs import load

COMPANY_URL = f"{PAYCHEX_URL}/companies/{COMPANY_ID}"
BRANCHES = f"{VISMA_URL}/v1/branch"


def test_a_good_paychex_connection_is_ok_and_recorded(paychex, clock, mocked):
    paychex_token(mocked)
    mocked.add(responses.GET, COMPANY_URL, json=load("paychex", "company-get.json"))

    result = check_connection(paychex, clock=clock)

    assert result.ok and result.message.startswith("OK: token obtained and company")
    stored = Connection.objects.get(pk=paychex.pk)
    assert stored.last_check_ok is True and stored.last_check_at == clock.now()


def test_wrong_credentials(paychex, clock, mocked):
    mocked.add(responses.POST, PAYCHEX_TOKEN_URL, status=401, json=load("paychex", "error-401-api-102.json"))

    result = check_connection(paychex, clock=clock)

    assert not result.ok and result.message.startswith("wrong credentials")
    assert Connection.objects.get(pk=paychex.pk).last_check_message == result.message


def test_visma_invalid_client_is_wrong_credentials(visma, clock, mocked):
    mocked.add(responses.POST, VISMA_TOKEN_URL, status=400, json={"error": "invalid_client"})
    assert check_connection(visma, clock=clock).message.startswith("wrong credentials")


def test_wrong_tenant_at_the_token_endpoint(visma, clock, mocked):
    mocked.add(responses.POST, VISMA_TOKEN_URL, status=400, json={"error": "invalid_tenant"})
    result = check_connection(visma, clock=clock)
    assert not result.ok and result.message.startswith("wrong tenant")


def test_api_401_after_a_good_token_is_the_customer_tenant_mistake(visma, clock, mocked):
    visma_token(mocked)
    mocked.add(responses.GET, BRANCHES, status=401, json={"message": "Unauthorized"})

    assert check_connection(visma, clock=clock).message == WRONG_TENANT_MESSAGE


def test_no_license_for_this_company(visma, clock, mocked):
    visma_token(mocked)
    mocked.add(responses.GET, BRANCHES, status=400, json=load("visma", "samples/error-ippexception-no-license-12027.json"))

    assert check_connection(visma, clock=clock).message.startswith("no license for this company")


@pytest.mark.parametrize("status, sample, start", [(404, "error-404-api-7.json", "company not found"),
                                                   (403, "error-403-api-2.json", "not permitted")])
def test_company_not_found_or_not_permitted(paychex, clock, mocked, status, sample, start):
    paychex_token(mocked)
    mocked.add(responses.GET, COMPANY_URL, status=status, json=load("paychex", sample))

    assert check_connection(paychex, clock=clock).message.startswith(start)


@pytest.mark.parametrize("url", [PAYCHEX_TOKEN_URL, COMPANY_URL])
def test_unreachable(paychex, clock, mocked, url):
    paychex_token(mocked)
    mocked.replace(responses.POST, PAYCHEX_TOKEN_URL, body=requests.ConnectionError("dns")) if url == PAYCHEX_TOKEN_URL else None
    mocked.add(responses.GET, COMPANY_URL, body=requests.ConnectTimeout("slow"))

    assert check_connection(paychex, clock=clock).message.startswith("unreachable")


def test_undecryptable_secret_is_reported(paychex, clock, mocked):
    with db.cursor() as cursor:
        cursor.execute("UPDATE connector_connection SET client_secret = %s WHERE id = %s", ["gAAAAA" + "q" * 120, paychex.pk])

    result = check_connection(Connection.objects.get(pk=paychex.pk), clock=clock)

    assert result.message == "stored secret cannot be decrypted: re-enter it" and not result.ok
    assert len(mocked.calls) == 0


def test_check_connections_prints_a_line_each_and_fails_on_any_failure(paychex, visma, mocked, capsys):
    paychex_token(mocked)
    mocked.add(responses.GET, COMPANY_URL, json=load("paychex", "company-get.json"))
    mocked.add(responses.POST, VISMA_TOKEN_URL, status=400, json={"error": "invalid_client"})

    with pytest.raises(SystemExit) as exited:
        call_command("check_connections")

    out = capsys.readouterr().out.splitlines()
    assert exited.value.code == 1
    assert [line[:4] for line in out] == ["OK  ", "FAIL"]
    call_command("check_connections", "--name", "paychex")  # only the good one: exits normally


def test_destination_is_the_named_one_or_the_only_active_visma(paychex, visma):
    assert destination_for(paychex) == visma
    Connection.objects.create(name="visma-2", system="visma", base_url=VISMA_URL, token_url=VISMA_TOKEN_URL, client_id="x")
    with pytest.raises(ApiError, match="several active Visma connections"):
        destination_for(paychex)
    paychex.destination = visma
    assert destination_for(paychex) == visma
