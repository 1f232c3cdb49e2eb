"""The reaper: after a crash, a lost task or an expired lease, every piece of stored work gets done.

Runs on a schedule. Everything it enqueues is claimed by its task with a conditional UPDATE, so
enqueueing twice is harmless.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from syncjobs import errorqueue
from syncjobs.models import ErrorItem, Notification, SyncRun, Worker
from syncjobs.queueing import enqueue_on_commit
from syncjobs.runs import queue_resync

logger = logging.getLogger(__name__)
RESUME_REASON = "resumed: an earlier sync of this worker was interrupted"
RESTARTABLE = (SyncRun.Trigger.RESYNC, SyncRun.Trigger.MAPPING, SyncRun.Trigger.COMMAND)
# The task that runs a queued run, by trigger (the others are resync runs).
QUEUED_TASKS = {SyncRun.Trigger.BACKFILL: "syncjobs.tasks.run_backfill", SyncRun.Trigger.RECONCILE: "syncjobs.tasks.run_backfill"}


@dataclass
class ReapReport:
    notifications: int = 0
    workers: int = 0
    runs_closed: int = 0
    runs_requeued: int = 0
    retries: int = 0


def reap() -> ReapReport:
    """Enqueue due inbox items, resume workers and runs whose lease expired, and enqueue due retries."""
    report = ReapReport()
    report.notifications = _inbox()
    report.workers = _expired_workers()
    report.runs_closed, report.runs_requeued = _expired_runs()
    report.retries = _due_retries()
    if any(vars(report).values()):
        logger.info("Reaper: %s", report)
    return report


def _inbox() -> int:
    now = timezone.now()
    due = Q(status=Notification.Status.RECEIVED, next_attempt_at__lte=now) | Q(
        status=Notification.Status.PROCESSING, lease_until__lt=now
    )
    pks = list(Notification.objects.filter(due).values_list("pk", flat=True)[:1000])
    for pk in pks:
        enqueue_on_commit("syncjobs.tasks.process_notification", pk)
    return len(pks)


def _expired_workers() -> int:
    """A worker whose lease expired was being synced by a process that died: sync it again."""
    now = timezone.now()
    expired = list(Worker.objects.filter(lease_until__lt=now).select_related("connection")[:1000])
    # Clear each expired lease conditionally, so the next pass does not resume the same worker again.
    resumed = [w for w in expired if Worker.objects.filter(pk=w.pk, lease_until__lt=now).update(
        lease_until=None, lease_owner="")]
    queue_resync(resumed, trigger=SyncRun.Trigger.RESYNC, reason=RESUME_REASON, started_by="reaper",
                 audit_unchanged=True)
    return len(resumed)


def _expired_runs() -> tuple[int, int]:
    """Close runs whose process died (never shown as succeeded) and start again the ones that can be."""
    now = timezone.now()
    closed = requeued = 0
    for run in SyncRun.objects.filter(status=SyncRun.Status.RUNNING, lease_until__lt=now):
        run.finish(error="Interrupted: the process running it stopped (lease expired). The work was resumed.")
        closed += 1
        requeued += _restart(run)
    grace = now - timedelta(seconds=settings.SYNCJOBS["INBOX_GRACE_SECONDS"])
    for run in SyncRun.objects.filter(status=SyncRun.Status.QUEUED, created_at__lt=grace):
        enqueue_on_commit(QUEUED_TASKS.get(run.trigger, "syncjobs.tasks.run_resync"), run.pk)  # its task was lost
        requeued += 1
    return closed, requeued


def _restart(run: SyncRun) -> int:
    if run.trigger in QUEUED_TASKS and run.params.get("connection_id"):
        # Resumes from the interrupted run's checkpoint (its finished workers are not redone).
        enqueue_on_commit("syncjobs.tasks.backfill_company", run.params["connection_id"], trigger=run.trigger)
        return 1
    if run.trigger in RESTARTABLE and run.params.get("worker_pks"):
        workers = Worker.objects.filter(pk__in=run.params["worker_pks"])
        queue_resync(workers, trigger=run.trigger, reason=run.params.get("reason", RESUME_REASON),
                     username=run.params.get("username", ""), started_by=f"reaper (run {run.pk} interrupted)")
        return 1
    return 0  # webhook runs: the notification's own lease brings it back; schedule/retry: their schedules


def _due_retries() -> int:
    pks = list(
        ErrorItem.objects.filter(status=ErrorItem.Status.RETRYING, next_attempt_at__lte=timezone.now())
        .values_list("pk", flat=True)[:1000]
    )
    claimed = [pk for pk in pks if errorqueue.claim_due_retry(pk)]
    for pk in claimed:
        enqueue_on_commit("syncjobs.tasks.retry_error_item", pk)
    return len(claimed)
