"""The console pages: Resync says what it queued and links the run; the error queue's Retry and Mark resolved."""
from __future__ import annotations

import pytest
from django.urls import reverse

from syncjobs.models import ErrorItem, SyncRun, Worker
from tests.syncjobs.conftest import visma_employee


@pytest.fixture
def worker_row(synced, mapped) -> Worker:
    return Worker.objects.get(worker_id=synced["workerId"])


def test_resync_worker_queues_a_run_and_links_it(admin_client, worker_row, paychex_sandbox, visma_sandbox, synced,
                                                django_capture_on_commit_callbacks):
    paychex_sandbox.rename(synced["workerId"], family_name="Clicked")
    url = reverse("admin:syncjobs_worker_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"action": "resync", "_selected_action": [worker_row.pk]}, follow=True)

    run = SyncRun.objects.get(trigger="resync")
    page = response.content.decode()
    assert "Resync queued for 1 worker(s)" in page
    assert reverse("admin:syncjobs_syncrun_change", args=[run.pk]) in page
    assert (run.started_by, run.status, run.updated) == ("admin", "succeeded", 1)
    assert visma_employee(visma_sandbox, synced["employeeId"])["last_name"] == "Clicked"


@pytest.mark.parametrize("name", ["worker", "notification", "syncrun", "erroritem", "webhookrejection",
                                  "backoffstep"])
def test_every_page_renders(admin_client, worker_row, name):
    assert admin_client.get(reverse(f"admin:syncjobs_{name}_changelist")).status_code == 200


def test_worker_and_run_pages_are_read_only(admin_client, worker_row):
    run = SyncRun.objects.create(trigger="resync")
    page = admin_client.get(reverse("admin:syncjobs_worker_change", args=[worker_row.pk])).content.decode()
    assert 'name="_save"' not in page
    assert admin_client.get(reverse("admin:syncjobs_syncrun_change", args=[run.pk])).status_code == 200
    assert admin_client.get(reverse("admin:syncjobs_worker_add")).status_code == 403


def test_mark_resolved_closes_the_item_with_the_users_name(admin_client, mapped, worker_row):
    item = ErrorItem.objects.create(worker=worker_row, category="permanent", reason="x")

    admin_client.post(reverse("admin:syncjobs_erroritem_changelist"),
                      {"action": "mark_resolved", "_selected_action": [item.pk], "apply": "1",
                       "note": "Fixed in Paychex"})

    item.refresh_from_db()
    assert (item.status, item.resolved_by, item.resolution_note) == ("resolved", "admin", "Fixed in Paychex")


def test_retry_action_re_runs_the_sync(admin_client, mapped, worker_row, paychex_sandbox, visma_sandbox, synced,
                                      django_capture_on_commit_callbacks):
    item = ErrorItem.objects.create(worker=worker_row, category="permanent", reason="x")
    paychex_sandbox.rename(synced["workerId"], given_name="Retried")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:syncjobs_erroritem_changelist"),
                          {"action": "retry", "_selected_action": [item.pk]})

    item.refresh_from_db()
    assert item.status == "resolved"
    assert visma_employee(visma_sandbox, synced["employeeId"])["first_name"] == "Retried"
    assert SyncRun.objects.get(trigger="retry").started_by == "admin"


def test_the_connection_admin_offers_register_webhooks(admin_client, mapped, paychex_sandbox, settings):
    settings.SITE_URL = "https://connector.example.com"

    admin_client.post(reverse("admin:connector_connection_changelist"),
                      {"action": "register_paychex_webhooks", "_selected_action": [mapped.pk]})

    assert len(paychex_sandbox.hooks) == 1
