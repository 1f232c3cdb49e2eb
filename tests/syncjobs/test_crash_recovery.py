"""Nothing is lost: whatever dies (the queue, the process mid-sync), the reaper finishes the work.

A kill is simulated as the brief of the invariant says: rows left claimed with a lease that has expired
(or a BaseException thrown mid-sync, which nothing in the engine catches), then the reaper runs.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditRecord
from connector.clients.visma import VismaClient
from syncjobs import runs
from syncjobs.models import Notification, SyncRun, Worker
from syncjobs.reaper import reap
from tests.syncjobs.conftest import notification, visma_employee, visma_writes


class Killed(BaseException):
    """The process died here."""


def expire_everything() -> None:
    """Let every lease and every grace period run out, as if the restart came much later."""
    past = timezone.now() - timedelta(seconds=1)
    Notification.objects.exclude(status__in=["done", "ignored"]).update(next_attempt_at=past)
    Notification.objects.filter(status="processing").update(lease_until=past)
    Worker.objects.exclude(lease_until=None).update(lease_until=past)
    SyncRun.objects.filter(status="running").update(lease_until=past)


@pytest.fixture
def reaper(django_capture_on_commit_callbacks):
    def run_reaper():
        with django_capture_on_commit_callbacks(execute=True):
            return reap()

    return run_reaper


def test_a_stored_notification_whose_task_was_lost_is_processed_by_the_reaper(
    mapped, paychex_sandbox, visma_sandbox, post_webhook, monkeypatch, reaper
):
    import django_q.tasks

    hired = paychex_sandbox.hire("Lise", "Lost")
    with monkeypatch.context() as patch:
        patch.setattr(django_q.tasks, "async_task", lambda *a, **k: None)  # the broker swallowed it
        post_webhook(notification(hired["workerId"], "WRKR_ADD"))
    assert reaper().notifications == 0  # within its grace period it is left to the queue

    expire_everything()
    report = reaper()

    assert report.notifications == 1
    assert Notification.objects.get().status == "done"
    assert visma_employee(visma_sandbox, hired["employeeId"])["last_name"] == "Lost"


@pytest.mark.parametrize("dies_in", ["paychex read", "visma read", "after visma write", "audit"])
def test_a_process_killed_anywhere_in_a_sync_is_finished_after_restart_with_one_write(
    mapped, paychex_sandbox, visma_sandbox, post_webhook, monkeypatch, reaper, dies_in
):
    import django_q.tasks

    hired = paychex_sandbox.hire("Kim", "Killed")
    with monkeypatch.context() as patch:
        patch.setattr(django_q.tasks, "async_task", lambda *a, **k: None)
        post_webhook(notification(hired["workerId"], "WRKR_ADD"))
    stored = Notification.objects.get()
    with monkeypatch.context() as patch:
        kill_at(patch, dies_in)
        with pytest.raises(Killed):
            runs.process_notification(stored.pk)
    assert Notification.objects.get().status == "processing"

    expire_everything()
    reaper()

    assert Notification.objects.get().status == "done"
    assert visma_employee(visma_sandbox, hired["employeeId"])["last_name"] == "Killed"
    assert len(visma_writes(visma_sandbox)) == 1
    assert Worker.objects.get(worker_id=hired["workerId"]).lease_until is None
    interrupted = SyncRun.objects.order_by("pk").first()
    assert interrupted.status == "failed" and interrupted.note.startswith("Interrupted")
    # The trail says what happened even when the write itself was done by the process that died.
    assert AuditRecord.objects.filter(worker_id=hired["workerId"]).exists()


def kill_at(patch: pytest.MonkeyPatch, point: str) -> None:
    from connector.clients.paychex import PaychexClient
    from syncjobs import services

    def die(*args, **kwargs):
        raise Killed(point)

    if point == "paychex read":
        patch.setattr(PaychexClient, "worker", die)
    elif point == "visma read":
        patch.setattr(VismaClient, "get_employee", die)
    elif point == "after visma write":
        real = VismaClient.create_employee

        def create_then_die(self, fields):
            real(self, fields)
            raise Killed(point)

        patch.setattr(VismaClient, "create_employee", create_then_die)
    else:
        patch.setattr(services, "audit", die)


def test_a_worker_left_claimed_by_a_dead_process_is_synced_again(synced, mapped, paychex_sandbox, visma_sandbox,
                                                                  reaper):
    paychex_sandbox.rename(synced["workerId"], family_name="Resumed")
    Worker.objects.filter(worker_id=synced["workerId"]).update(
        lease_until=timezone.now() - timedelta(seconds=1), lease_owner="dead-process", resync_requested=True
    )

    report = reaper()

    assert report.workers == 1
    assert visma_employee(visma_sandbox, synced["employeeId"])["last_name"] == "Resumed"
    assert Worker.objects.get(worker_id=synced["workerId"]).lease_until is None


def test_a_live_lease_is_not_taken_over(synced, reaper):
    Worker.objects.filter(worker_id=synced["workerId"]).update(
        lease_until=timezone.now() + timedelta(minutes=5), lease_owner="busy-process"
    )

    assert reaper().workers == 0
    assert Worker.objects.get(worker_id=synced["workerId"]).lease_owner == "busy-process"


def test_a_run_stuck_in_running_is_closed_as_failed_and_its_work_queued_again(synced, mapped, paychex_sandbox,
                                                                             visma_sandbox, reaper):
    paychex_sandbox.rename(synced["workerId"], given_name="Again")
    worker = Worker.objects.get(worker_id=synced["workerId"])
    stuck = SyncRun.objects.create(trigger="resync", connection=mapped, started_by="hr",
                                   params={"worker_pks": [worker.pk], "reason": "manual resync by hr",
                                           "username": "hr"})
    stuck.start(60)
    SyncRun.objects.filter(pk=stuck.pk).update(lease_until=timezone.now() - timedelta(seconds=1))

    report = reaper()

    stuck.refresh_from_db()
    assert (report.runs_closed, report.runs_requeued) == (1, 1)
    assert stuck.status == "failed" and "Interrupted" in stuck.note
    assert visma_employee(visma_sandbox, synced["employeeId"])["first_name"] == "Again"
    assert SyncRun.objects.exclude(pk=stuck.pk).get().status == "succeeded"
