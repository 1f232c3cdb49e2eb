"""Batches of syncs, each one a SyncRun: notifications, resyncs, backfills, scheduled status changes, retries.

Webhooks: one run per notification (a burst is many small runs; grouping a burst would need a window
and a second claim, and a run per notification keeps the drill-down exact).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from connector.errors import ApiError
from connector.models import Connection
from syncjobs import errorqueue, statuses
from syncjobs.backoff import next_attempt_at
from syncjobs.inbox import CLT_ACCESS
from syncjobs.leases import claim_notification
from syncjobs.models import ErrorItem, Notification, SyncRun, Worker
from syncjobs.queueing import enqueue_on_commit
from syncjobs.services import SyncResult, sync_worker

logger = logging.getLogger(__name__)


def _lease() -> int:
    return settings.SYNCJOBS["RUN_LEASE_SECONDS"]


# --- resync runs (admin, command, mapping changes, schedules, retries) -------------------------------
def queue_resync(
    workers: Iterable[Worker], *, trigger: str, reason: str, username: str = "", started_by: str = "",
    audit_unchanged: bool | None = None,
) -> list[SyncRun]:
    """Create one queued run per connection for these workers and enqueue it after commit.

    Returns the runs (empty when there are no workers); `audit_unchanged` is passed on to sync_worker.
    A double click makes two runs; the second finds Visma already up to date (or coalesces into the
    first) and writes nothing.
    """
    by_connection: dict[int, list[int]] = defaultdict(list)
    for worker in workers:
        by_connection[worker.connection_id].append(worker.pk)
    runs = []
    for connection_id, worker_pks in by_connection.items():
        run = SyncRun.objects.create(
            trigger=trigger, started_by=started_by or username or trigger, connection_id=connection_id,
            params={"worker_pks": worker_pks, "reason": reason, "username": username,
                    "audit_unchanged": audit_unchanged},
        )
        enqueue_on_commit("syncjobs.tasks.run_resync", run.pk)
        runs.append(run)
    return runs


def run_resync(run_id: int) -> SyncRun | None:
    """Run a queued resync run (once: a second task for the same run does nothing)."""
    if not SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(status=SyncRun.Status.RUNNING):
        return None
    run = SyncRun.objects.get(pk=run_id)
    run.start(_lease())
    reason, username = run.params.get("reason", run.trigger), run.params.get("username", "")
    for worker in Worker.objects.filter(pk__in=run.params.get("worker_pks", [])).select_related("connection"):
        sync_worker(worker.connection, worker.worker_id, reason, run=run, username=username,
                    audit_unchanged=run.params.get("audit_unchanged"))
    run.finish()
    return run


# --- notifications ---------------------------------------------------------------------------------
def notification_reason(notification: Notification) -> str:
    return f"Paychex notification {notification.notification_id} ({', '.join(notification.domains)})"


def process_notification(notification_pk: int) -> Notification | None:
    """Process one inbox item if it is due; returns it, or None when another process has it.

    Worker domains sync the worker; CLT_ACCESS backfills or deactivates the company. A temporary failure
    of the notification itself puts it back in the inbox with its next attempt time.
    """
    if not claim_notification(notification_pk):
        return None
    notification = Notification.objects.select_related("connection").get(pk=notification_pk)
    run = SyncRun.objects.create(trigger=SyncRun.Trigger.WEBHOOK, connection=notification.connection,
                                 started_by=f"Paychex notification {notification.notification_id}",
                                 params={"notification_pk": notification_pk})
    run.start(_lease())
    try:
        status, outcome = _dispatch(notification, run)
    except ApiError as exc:  # raised by CLT_ACCESS handling only; worker syncs never raise
        status, outcome = _notification_failed(notification, exc)
        run.finish(error=outcome)
    else:
        if not notification.worker_id or status == Notification.Status.IGNORED:
            SyncRun.objects.filter(pk=run.pk).update(note=outcome[:500])  # no worker items: say what happened
        run.finish()
    _close(notification, status, outcome)
    return notification


def _dispatch(notification: Notification, run: SyncRun) -> tuple[str, str]:
    connection = notification.connection
    problem = _connection_problem(notification)
    if problem:
        return Notification.Status.IGNORED, problem
    if CLT_ACCESS in notification.domains:
        return Notification.Status.DONE, _company_access(connection)
    # A notification on its second attempt may find Visma already written by the attempt that died:
    # record that check in the audit trail too.
    result = sync_worker(connection, notification.worker_id, notification_reason(notification), run=run,
                         notification=notification, audit_unchanged=True if notification.attempts > 1 else None)
    return _status_for(result), f"{result.outcome}: {result.message}"[:500]


def _connection_problem(notification: Notification) -> str:
    connection = notification.connection
    if not connection.is_active:
        return f"Connection {connection.name!r} is inactive."
    if connection.company_id and notification.company_id and notification.company_id != connection.company_id:
        return f"Notification for company {notification.company_id}, but connection {connection.name!r} is for " \
               f"company {connection.company_id}."
    return ""


def _status_for(result: SyncResult) -> str:
    return Notification.Status.FAILED if result.outcome == "failed" else Notification.Status.DONE


def _notification_failed(notification: Notification, exc: ApiError) -> tuple[str, str]:
    when = None if exc.permanent else next_attempt_at(notification.attempts, exc.retry_after)
    if when is not None:
        Notification.objects.filter(pk=notification.pk).update(next_attempt_at=when)
        return Notification.Status.RECEIVED, f"Retrying: {exc.message}"[:500]
    category = ErrorItem.Category.PERMANENT if exc.permanent else ErrorItem.Category.TRANSIENT
    errorqueue.record(category=category, reason=exc.message, connection=notification.connection, error=exc,
                      notification=notification)
    return Notification.Status.FAILED, exc.message[:500]


def _close(notification: Notification, status: str, outcome: str) -> None:
    final = status != Notification.Status.RECEIVED
    Notification.objects.filter(pk=notification.pk).update(
        status=status, outcome=outcome, lease_until=None, processed_at=timezone.now() if final else None
    )
    notification.refresh_from_db()


def _company_access(connection: Connection) -> str:
    """CLT_ACCESS: is the company still visible to the app? Backfill it if so, else deactivate the connection."""
    from connector.services import client_for

    try:
        companies = client_for(connection).companies()
    except ApiError as exc:
        if exc.permanent and exc.status in (401, 403, 404):
            return _deactivate(connection, exc.message)
        raise
    visible = {c.get("companyId") for c in companies if c.get("hasPermission", True) is not False}
    if connection.company_id and connection.company_id not in visible:
        return _deactivate(connection, "the company is no longer among the companies the app may read")
    enqueue_on_commit("syncjobs.tasks.backfill_company", connection.pk)
    return "Company access granted: backfill queued."


def _deactivate(connection: Connection, why: str) -> str:
    Connection.objects.filter(pk=connection.pk).update(is_active=False)
    logger.warning("Paychex connection %s deactivated: access revoked (%s)", connection.name, why)
    return f"Company access revoked ({why}): connection {connection.name!r} marked inactive."


# --- backfill --------------------------------------------------------------------------------------
def backfill_company(connection_id: int, *, started_by: str = "company access granted",
                     trigger: str = SyncRun.Trigger.BACKFILL) -> SyncRun:
    """Sync every worker of a Paychex company page by page (syncjobs.backfill), resuming an interrupted
    run of the same kind; returns the run (the live one when another process is already running it)."""
    from syncjobs import backfill

    connection = Connection.objects.get(pk=connection_id)
    return backfill.backfill(connection, started_by=started_by, trigger=trigger)


# --- scheduled status changes ----------------------------------------------------------------------
def due_status_workers() -> list[Worker]:
    """Workers whose pending status takes effect today or earlier (in TIME_ZONE) and are not in the
    error queue (those are retried from there)."""
    today = timezone.localdate()
    return list(
        Worker.objects.filter(pending_status_date__lte=today, connection__is_active=True)
        .exclude(errors__status__in=[ErrorItem.Status.OPEN, ErrorItem.Status.RETRYING])
        .select_related("connection")
    )


def apply_due_statuses() -> list[SyncRun]:
    """Sync the workers whose future-dated status is due, one "schedule" run per connection."""
    by_connection: dict[int, list[Worker]] = defaultdict(list)
    for worker in due_status_workers():
        by_connection[worker.connection_id].append(worker)
    runs = []
    for workers in by_connection.values():
        run = SyncRun.objects.create(trigger=SyncRun.Trigger.SCHEDULE, connection=workers[0].connection,
                                     started_by="schedule", params={"worker_pks": [w.pk for w in workers]})
        run.start(_lease())
        for worker in workers:
            reason = statuses.describe_pending(worker.pending_status, worker.pending_status_date)
            sync_worker(worker.connection, worker.worker_id, reason, run=run)
        run.finish()
        runs.append(run)
    return runs


# --- error queue retries ---------------------------------------------------------------------------
def retry_error_item(item_pk: int, *, username: str = "") -> SyncRun | None:
    """Re-run what an error item describes: the worker's sync, or the notification. Returns the run."""
    item = ErrorItem.objects.select_related("worker__connection", "notification").filter(pk=item_pk).first()
    if item is None or item.status == ErrorItem.Status.RESOLVED:
        return None
    if item.worker is None:
        return _retry_notification(item, username)
    reason = f"retry from the error queue by {username}" if username else f"automatic retry (attempt {item.attempts + 1})"
    run = SyncRun.objects.create(trigger=SyncRun.Trigger.RETRY, connection=item.worker.connection,
                                 started_by=username or "back-off schedule", params={"worker_pks": [item.worker.pk]})
    run.start(_lease())
    sync_worker(item.worker.connection, item.worker.worker_id, reason, run=run, username=username)
    run.finish()
    return run


def _retry_notification(item: ErrorItem, username: str) -> None:
    if item.notification is None:
        return None
    Notification.objects.filter(pk=item.notification.pk).exclude(status=Notification.Status.PROCESSING).update(
        status=Notification.Status.RECEIVED, next_attempt_at=None, lease_until=None
    )
    errorqueue.mark_resolved([item.pk], username=username or "back-off schedule", note="Notification re-processed.")
    process_notification(item.notification.pk)
    return None
