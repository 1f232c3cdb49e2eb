"""The polling, reconciliation and pruning schedules; pruning keeps the audit trail."""
from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils import timezone
from django_q.models import Schedule, Success

from audit.services import record as audit
from audit.models import AuditRecord
from syncjobs import pruning
from syncjobs.models import Notification, RunItem, SyncRun
from syncjobs.schedules import ensure_schedules


def test_the_polling_reconciliation_and_prune_schedules_are_created_once_with_their_intervals(db, settings):
    settings.SYNCJOBS = {**settings.SYNCJOBS, "VISMA_POLL_MINUTES": 3, "CATALOG_POLL_MINUTES": 20,
                         "PAYCHEX_RECONCILE_MINUTES": 240, "PRUNE_MINUTES": 720}

    ensure_schedules()
    ensure_schedules()

    schedules = {s.func: s.minutes for s in Schedule.objects.filter(func__startswith="syncjobs.")}
    mine = ("syncjobs.tasks.poll_visma", "syncjobs.tasks.poll_catalog", "syncjobs.tasks.reconcile_paychex",
            "syncjobs.tasks.prune")
    assert {func: schedules[func] for func in mine} == {
        "syncjobs.tasks.poll_visma": 3, "syncjobs.tasks.poll_catalog": 20,
        "syncjobs.tasks.reconcile_paychex": 240, "syncjobs.tasks.prune": 720}
    assert Schedule.objects.filter(func="syncjobs.tasks.poll_visma").count() == 1


def test_pruning_deletes_old_logs_and_never_the_audit_trail(db, paychex):
    long_ago = timezone.now() - timedelta(days=91)
    run = SyncRun.objects.create(trigger="backfill")
    old_item, new_item = (RunItem.objects.create(run=run, outcome="unchanged") for _ in range(2))
    RunItem.objects.filter(pk=old_item.pk).update(created_at=long_ago)
    done, failed = (Notification.objects.create(notification_id=f"n{i}", connection=paychex, status=status,
                                                received_at=long_ago) for i, status in enumerate(("done", "failed")))
    Success.objects.create(id="a" * 32, name="old", func="x", started=long_ago, stopped=long_ago, success=True)
    old_audit = audit(AuditRecord.Action.UNCHANGED, reason="old")
    with connection.cursor() as cursor:  # the trail refuses ORM updates; backdate it underneath
        cursor.execute(f"UPDATE {AuditRecord._meta.db_table} SET created_at = %s WHERE id = %s", [long_ago, old_audit.pk])

    report = pruning.prune()

    assert (report.run_items, report.notifications, report.queue_successes) == (1, 1, 1)
    assert list(RunItem.objects.values_list("pk", flat=True)) == [new_item.pk]
    assert list(Notification.objects.values_list("pk", flat=True)) == [failed.pk]
    assert AuditRecord.objects.count() == 1
