"""The error queue: what did not sync, why (in words a person can act on), and when it is retried.

Temporary errors are retried on the database schedule (BackoffStep) by the reaper, not by the queue;
permanent errors and holds wait for a person (or, for holds, for the mapping to appear).
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from connector.errors import ApiError
from syncjobs.backoff import next_attempt_at
from syncjobs.models import ErrorItem, Notification, SyncRun, Worker

EXCERPT_LIMIT = 2000
UNRESOLVED = ~Q(status=ErrorItem.Status.RESOLVED)


def record(
    *,
    category: str,
    reason: str,
    worker: Worker | None = None,
    connection=None,
    error: ApiError | None = None,
    run: SyncRun | None = None,
    notification: Notification | None = None,
) -> ErrorItem:
    """Open (or update) the unresolved error item of this worker and return it.

    A temporary error gets the next attempt time from the back-off schedule (status RETRYING), or, when
    the schedule is exhausted, becomes OPEN with "gave up" in its reason. Callers hold the worker's lease,
    so two syncs never race on the same item.
    """
    item = _unresolved(worker, notification) or ErrorItem(worker=worker, notification=notification)
    item.attempts += 1
    item.category, item.connection, item.run = category, connection, run
    item.notification = notification or item.notification
    item.code = error.code if error else ""
    item.request_excerpt = (error.request_excerpt if error else "")[:EXCERPT_LIMIT]
    item.response_excerpt = (error.response_excerpt if error else "")[:EXCERPT_LIMIT]
    item.last_seen_at = timezone.now()
    item.status, item.next_attempt_at, item.reason = _schedule(item, category, reason, error)
    item.save()
    return item


def _schedule(item: ErrorItem, category: str, reason: str, error: ApiError | None):
    if category != ErrorItem.Category.TRANSIENT:
        return ErrorItem.Status.OPEN, None, reason[:500]
    when = next_attempt_at(item.attempts, error.retry_after if error else None)
    if when is None:
        return ErrorItem.Status.OPEN, None, f"Gave up after {item.attempts} attempts: {reason}"[:500]
    return ErrorItem.Status.RETRYING, when, f"{reason} Retrying automatically."[:500]


def _unresolved(worker: Worker | None, notification: Notification | None) -> ErrorItem | None:
    if worker is not None:
        return ErrorItem.objects.filter(UNRESOLVED, worker=worker).first()
    if notification is not None:
        return ErrorItem.objects.filter(UNRESOLVED, worker=None, notification=notification).first()
    return None


def resolve_for_worker(worker: Worker, *, by: str = "sync", note: str = "Synced successfully.") -> int:
    """Mark the worker's unresolved items resolved (the worker synced). Returns how many."""
    return ErrorItem.objects.filter(UNRESOLVED, worker=worker).update(
        status=ErrorItem.Status.RESOLVED, resolved_at=timezone.now(), resolved_by=by, resolution_note=note[:500],
        next_attempt_at=None,
    )


def mark_resolved(item_pks: list[int], *, username: str, note: str = "Marked resolved by hand.") -> int:
    """A person says these items need nothing more. Returns how many changed."""
    return ErrorItem.objects.filter(UNRESOLVED, pk__in=item_pks).update(
        status=ErrorItem.Status.RESOLVED, resolved_at=timezone.now(), resolved_by=username, resolution_note=note,
        next_attempt_at=None,
    )


def claim_due_retry(item_pk: int) -> bool:
    """Push a due RETRYING item's next attempt one lease ahead, so the reaper enqueues it once.

    Returns True for the caller that should enqueue it; if that task is lost, the item is due again
    after the lease.
    """
    now = timezone.now()
    later = now + timedelta(seconds=settings.SYNCJOBS["WORKER_LEASE_SECONDS"])
    return bool(
        ErrorItem.objects.filter(pk=item_pk, status=ErrorItem.Status.RETRYING, next_attempt_at__lte=now).update(
            next_attempt_at=later
        )
    )
