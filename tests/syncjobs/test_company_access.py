"""CLT_ACCESS: a company granted access is backfilled; one whose access was revoked is marked inactive."""
from __future__ import annotations

from connector.models import Connection
from syncjobs.models import Notification, SyncRun
from tests.syncjobs.conftest import notification


def access_notification(company_id: str) -> dict:
    body = notification("", "CLT_ACCESS", company_id=company_id, notificationType="CLT_ACCESS_MESSAGE")
    body.pop("workerId")
    return body


def test_access_granted_backfills_every_worker_of_the_company(mapped, paychex_sandbox, visma_sandbox, post_webhook):
    response = post_webhook(access_notification(paychex_sandbox.company_id))

    assert response.status_code == 202
    assert Notification.objects.get().outcome == "Company access granted: backfill queued."
    run = SyncRun.objects.get(trigger="backfill")
    workers = paychex_sandbox.workers()
    assert run.seen == len(workers) and run.failed == 0 and run.status == "succeeded"
    assert run.created == len(visma_sandbox.employees()) > 0
    assert run.created + run.skipped + run.held == len(workers)


def test_access_revoked_marks_the_connection_inactive_and_syncs_nothing(mapped, post_webhook, visma_sandbox):
    Connection.objects.filter(pk=mapped.pk).update(company_id="00GONECOMPANY0000000")

    post_webhook(access_notification("00GONECOMPANY0000000"))

    mapped.refresh_from_db()
    assert mapped.is_active is False
    assert "revoked" in Notification.objects.get().outcome
    assert not SyncRun.objects.filter(trigger="backfill").exists()
    assert visma_sandbox.requests == []


def test_a_notification_for_another_company_than_the_connection_is_ignored(mapped, post_webhook, visma_sandbox):
    post_webhook(notification("W1", "WRKR_EMPL", company_id="00SOMEOTHERCOMPANY00"))

    stored = Notification.objects.get()
    assert stored.status == "ignored" and "00SOMEOTHERCOMPANY00" in stored.outcome
    assert visma_sandbox.requests == []


def test_a_paychex_outage_during_access_handling_retries_the_notification_later(mapped, paychex_sandbox,
                                                                                 post_webhook):
    paychex_sandbox.faults.error_rate = 1.0

    post_webhook(access_notification(paychex_sandbox.company_id))

    stored = Notification.objects.get()
    assert stored.status == "received" and stored.outcome.startswith("Retrying")
    assert stored.next_attempt_at is not None and stored.attempts == 1
    assert SyncRun.objects.get().status == "failed"
    mapped.refresh_from_db()
    assert mapped.is_active is True  # an outage is not a revocation
