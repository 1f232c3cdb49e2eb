"""Registering hooks: the offered intersection of our domains, fresh Basic credentials, no pile-up."""
from __future__ import annotations

import pytest
from django.core.management import call_command

from connector.models import Connection
from syncjobs.models import Notification
from syncjobs.webhooks import register_webhooks
from tests.syncjobs.conftest import visma_employee

PUBLIC = "https://connector.example.com"


def test_registering_twice_leaves_one_hook_with_the_new_credentials(mapped, paychex_sandbox):
    first = register_webhooks(mapped, PUBLIC)
    old_password = Connection.objects.get(pk=mapped.pk).webhook_password
    second = register_webhooks(Connection.objects.get(pk=mapped.pk), PUBLIC)

    hooks = list(paychex_sandbox.hooks.values())
    assert len(hooks) == 1 and hooks[0]["hookId"] == second.hook_ids[0] != first.hook_ids[0]
    assert second.removed == first.hook_ids
    stored = Connection.objects.get(pk=mapped.pk)
    assert stored.registered_hook_ids == second.hook_ids
    assert hooks[0]["uri"] == "https://connector.example.com/webhooks/paychex/"
    assert hooks[0]["authentication"] == {"authType": "BASIC_AUTH", "username": stored.webhook_username,
                                          "password": stored.webhook_password}
    assert stored.webhook_password != old_password and len(stored.webhook_password) >= 32
    assert hooks[0]["domains"] == ["WRKR_ADD", "WRKR_EMPL", "WRKR_DEM", "WRKR_ASGN", "WRKR_CMP", "CLT_ACCESS"]


def test_a_foreign_hook_on_our_uri_is_replaced_too(mapped, paychex_sandbox):
    from connector.services import client_for

    client_for(mapped).register_hook(PUBLIC + "/webhooks/paychex/", ["WRKR_DEM"], username="a", password="b")

    register_webhooks(mapped, PUBLIC)

    assert len(paychex_sandbox.hooks) == 1


def test_the_password_is_stored_encrypted(mapped, paychex_sandbox):
    from django.db import connection as db

    register_webhooks(mapped, PUBLIC)

    with db.cursor() as cursor:
        cursor.execute("SELECT webhook_password FROM connector_connection WHERE id = %s", [mapped.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("gAAAAA") and Connection.objects.get(pk=mapped.pk).webhook_password not in raw


def test_the_command_needs_a_public_url(mapped, settings):
    from django.core.management.base import CommandError

    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="public-url"):
        call_command("register_webhooks")


def test_the_command_registers_each_active_paychex_connection(mapped, paychex_sandbox, capsys):
    call_command("register_webhooks", "--public-url", PUBLIC, "--connection", mapped.name)

    assert "Paychex test: hook" in capsys.readouterr().out
    assert len(paychex_sandbox.hooks) == 1


@pytest.mark.django_db(transaction=True)
def test_paychex_delivers_a_hire_to_the_live_receiver_end_to_end(mapped, paychex_sandbox, visma_sandbox, live_server):
    register_webhooks(mapped, live_server.url)

    hired = paychex_sandbox.hire("Eva", "Endtoend")
    assert paychex_sandbox.flush_webhooks(timeout=10)

    assert {n.domains[0] for n in Notification.objects.all()} == {"WRKR_ADD", "WRKR_EMPL"}
    assert visma_employee(visma_sandbox, hired["employeeId"])["last_name"] == "Endtoend"
    assert all(d["status"] in (200, 202) for d in paychex_sandbox.deliveries)


def test_the_replaced_credentials_are_accepted_for_the_grace_period_only(mapped, paychex_sandbox, post_webhook,
                                                                        settings):
    from datetime import timedelta

    from django.utils import timezone

    from syncjobs.api.auth import credentials
    from tests.syncjobs.conftest import active_worker, basic, notification

    register_webhooks(mapped, PUBLIC)
    old = Connection.objects.get(pk=mapped.pk)
    old_auth = basic(old.webhook_username, old.webhook_password)
    register_webhooks(old, PUBLIC)
    credentials.clear()
    worker_id = active_worker(paychex_sandbox)["workerId"]

    # Paychex retries a delivery queued for the replaced hook with the old credentials: still accepted.
    assert post_webhook(notification(worker_id), auth=old_auth).status_code == 202

    Connection.objects.filter(pk=mapped.pk).update(previous_webhook_valid_until=timezone.now() - timedelta(seconds=1))
    credentials.clear()
    assert post_webhook(notification(worker_id), auth=old_auth).status_code == 401
    assert Notification.objects.count() == 1
