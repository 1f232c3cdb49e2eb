"""Admin: an empty secret box keeps the stored secret, a new value replaces it, undecryptable is shown."""
from __future__ import annotations

import responses
from django.db import connection as db

from connector.models import Connection
from tests.connector.conftest import COMPANY_ID, PAYCHEX_SECRET, PAYCHEX_URL, paychex_token


def form_data(connection: Connection, **overrides: str) -> dict:
    data = {"name": connection.name, "system": connection.system, "is_active": "on", "base_url": connection.base_url,
            "token_url": connection.token_url, "client_id": connection.client_id, "client_secret": "",
            "company_id": connection.company_id, "tenant_id": connection.tenant_id, "destination": "",
            "webhook_signing_key": ""}
    return {**data, **overrides}


def change_url(connection: Connection) -> str:
    return f"/admin/connector/connection/{connection.pk}/change/"


def test_saving_with_an_empty_secret_box_keeps_the_stored_secret(admin_client, paychex):
    response = admin_client.post(change_url(paychex), form_data(paychex, client_id="renamed-client"))

    assert response.status_code == 302
    stored = Connection.objects.get(pk=paychex.pk)
    assert stored.client_id == "renamed-client" and stored.client_secret == PAYCHEX_SECRET


def test_entering_a_secret_replaces_it_and_forgets_the_token(admin_client, paychex):
    paychex.access_token = "old-token-xyz123"
    paychex.save()

    admin_client.post(change_url(paychex), form_data(paychex, client_secret="brand-new-secret"))

    stored = Connection.objects.get(pk=paychex.pk)
    assert stored.client_secret == "brand-new-secret" and stored.access_token is None
    assert stored.secret_changed_at is not None


def test_undecryptable_secret_is_shown_and_other_edits_still_save(admin_client, paychex):
    with db.cursor() as cursor:
        cursor.execute("UPDATE connector_connection SET client_secret = %s WHERE id = %s", ["gAAAAA" + "y" * 120, paychex.pk])

    html = admin_client.get(change_url(paychex)).content.decode()
    response = admin_client.post(change_url(paychex), form_data(paychex, client_id="still-editable"))

    assert "undecryptable — re-enter" in html
    assert response.status_code == 302
    assert Connection.objects.get(pk=paychex.pk).client_id == "still-editable"


def test_a_paychex_connection_without_company_id_is_refused(admin_client, paychex):
    response = admin_client.post(change_url(paychex), form_data(paychex, company_id=""))
    assert response.status_code == 200 and "needs its companyId" in response.content.decode()


def test_test_connection_action_reports_per_connection(admin_client, paychex, mocked):
    paychex_token(mocked)
    mocked.add(responses.GET, f"{PAYCHEX_URL}/companies/{COMPANY_ID}",
               json={"content": [{"companyId": COMPANY_ID, "displayId": "17006543", "legalName": "Acme"}]})

    response = admin_client.post("/admin/connector/connection/",
                                 {"action": "test_connection", "_selected_action": [paychex.pk], "index": 0, "select_across": 0}, follow=True)

    assert "paychex: ok: token obtained and company 17006543 acme is readable" in response.content.decode().lower()
    assert Connection.objects.get(pk=paychex.pk).last_check_ok is True
