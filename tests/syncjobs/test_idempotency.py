"""Replays, double clicks, out-of-order delivery and notifications during a sync end in one correct record."""
from __future__ import annotations

from connector.clients.visma import VismaClient
from syncjobs.leases import claim_worker
from syncjobs.models import SyncRun, Worker
from syncjobs.runs import queue_resync
from syncjobs.services import sync_worker
from tests.syncjobs.conftest import notification, visma_employee, visma_writes


def test_a_replayed_notification_with_a_new_id_writes_nothing_more(mapped, paychex_sandbox, visma_sandbox,
                                                                    post_webhook):
    hired = paychex_sandbox.hire("Per", "Post")

    post_webhook(notification(hired["workerId"], "WRKR_ADD"))
    post_webhook(notification(hired["workerId"], "WRKR_EMPL"))

    assert len(visma_writes(visma_sandbox)) == 1
    assert [r.status for r in SyncRun.objects.order_by("pk")] == ["succeeded", "no_changes"]


def test_a_double_clicked_resync_makes_one_write(synced, paychex_sandbox, visma_sandbox, mapped,
                                                 django_capture_on_commit_callbacks):
    paychex_sandbox.rename(synced["workerId"], given_name="Tone")
    worker = Worker.objects.filter(worker_id=synced["workerId"])

    with django_capture_on_commit_callbacks(execute=True):
        queue_resync(worker, trigger="resync", reason="manual resync by hr", username="hr")
        queue_resync(worker, trigger="resync", reason="manual resync by hr", username="hr")

    assert len(visma_writes(visma_sandbox)) == 1
    assert visma_employee(visma_sandbox, synced["employeeId"])["first_name"] == "Tone"


def test_out_of_order_notifications_end_in_paychex_current_state(synced, paychex_sandbox, visma_sandbox,
                                                                 post_webhook):
    paychex_sandbox.rename(synced["workerId"], family_name="Earlier")
    older = notification(synced["workerId"], "WRKR_DEM", asOfDate="2024-01-01T00:00:00.000+00:00")
    paychex_sandbox.rename(synced["workerId"], family_name="Latest")
    newer = notification(synced["workerId"], "WRKR_DEM", asOfDate="2024-01-02T00:00:00.000+00:00")

    post_webhook(newer)
    post_webhook(older)  # arrives last, describes an older change

    assert visma_employee(visma_sandbox, synced["employeeId"])["last_name"] == "Latest"
    assert len(visma_writes(visma_sandbox)) == 1


def test_a_sync_while_another_holds_the_worker_coalesces_without_calls(synced, mapped, paychex_sandbox,
                                                                       visma_sandbox):
    worker = Worker.objects.get(worker_id=synced["workerId"])
    assert claim_worker(worker.pk, "other-process")

    result = sync_worker(mapped, synced["workerId"], "test")

    assert result.outcome == "coalesced"
    assert paychex_sandbox.requests == [] and visma_sandbox.requests == []
    assert Worker.objects.get(pk=worker.pk).resync_requested is True


def test_notifications_during_a_sync_coalesce_into_one_follow_up_pass(synced, mapped, paychex_sandbox,
                                                                      visma_sandbox, monkeypatch):
    """Three notifications arrive while the first sync is between its read and its write."""
    real_get = VismaClient.get_employee
    nested = []

    def get_employee_while_paychex_changes(self, employee_cd):
        if not nested:
            paychex_sandbox.rename(synced["workerId"], family_name="Changed-Meanwhile")
            nested.extend(sync_worker(mapped, synced["workerId"], f"notification {n}").outcome for n in range(3))
        return real_get(self, employee_cd)

    monkeypatch.setattr(VismaClient, "get_employee", get_employee_while_paychex_changes)
    paychex_sandbox.rename(synced["workerId"], given_name="First")

    sync_worker(mapped, synced["workerId"], "first notification")

    assert nested == ["coalesced"] * 3
    employee = visma_employee(visma_sandbox, synced["employeeId"])
    assert (employee["first_name"], employee["last_name"]) == ("First", "Changed-Meanwhile")
    assert len(visma_writes(visma_sandbox)) == 2  # the first pass, then exactly one follow-up
    assert Worker.objects.get(worker_id=synced["workerId"]).lease_until is None
