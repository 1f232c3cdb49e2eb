"""Claims with expiry: at most one holder of a worker (or an inbox item) at a time, across processes.

A claim is one conditional UPDATE whose row count says who won, so it works the same on SQLite and
PostgreSQL without holding a transaction open during the HTTP calls of a sync. A lease that expires
(its process was killed) can be taken over by the next claimant.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from syncjobs.models import Notification, Worker

MAX_CLAIM_ROUNDS = 5


def _seconds(name: str) -> int:
    return settings.SYNCJOBS[name]


def new_owner() -> str:
    return uuid.uuid4().hex


def _free(now) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def claim_worker(worker_pk: int, owner: str) -> bool:
    """Take the worker's lease for `owner`, or ask the current holder for one more sync.

    Returns True when `owner` now holds the lease. Returns False when another live holder has it; the
    holder's `resync_requested` flag is then set, so it syncs once more before releasing (notifications
    that arrive during a sync coalesce into at most one follow-up sync).
    """
    for _ in range(MAX_CLAIM_ROUNDS):
        now = timezone.now()
        until = now + timedelta(seconds=_seconds("WORKER_LEASE_SECONDS"))
        if Worker.objects.filter(_free(now), pk=worker_pk).update(
            lease_until=until, lease_owner=owner, resync_requested=False  # the sync about to run covers any request
        ):
            return True
        # Only flag a lease that is still held; if it was released in between, try to claim again.
        if Worker.objects.filter(pk=worker_pk, lease_until__gte=now).update(resync_requested=True):
            return False
    return False


def renew_worker(worker_pk: int, owner: str) -> bool:
    """Extend the lease of `owner`; False if it was lost (expired and taken over)."""
    until = timezone.now() + timedelta(seconds=_seconds("WORKER_LEASE_SECONDS"))
    return bool(Worker.objects.filter(pk=worker_pk, lease_owner=owner).update(lease_until=until))


def release_worker(worker_pk: int, owner: str) -> bool:
    """Release the lease unless a follow-up sync was requested meanwhile.

    Returns True when released. Returns False when `resync_requested` was set: the flag is cleared and
    `owner` keeps the lease and must sync once more. (One UPDATE each, so a request that arrives
    between the check and the release cannot be lost.)
    """
    released = Worker.objects.filter(pk=worker_pk, lease_owner=owner, resync_requested=False).update(
        lease_until=None, lease_owner=""
    )
    if released:
        return True
    return not Worker.objects.filter(pk=worker_pk, lease_owner=owner).update(
        resync_requested=False, lease_until=timezone.now() + timedelta(seconds=_seconds("WORKER_LEASE_SECONDS"))
    )


def claim_notification(notification_pk: int) -> bool:
    """Move an inbox item to PROCESSING if it is due (new, its retry time has come, or its lease expired).

    Returns True for the one caller that won; a duplicate task or a second reaper gets False.
    """
    now = timezone.now()
    due = Q(status=Notification.Status.RECEIVED) & (
        Q(attempts=0) | Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    stuck = Q(status=Notification.Status.PROCESSING, lease_until__lt=now)
    until = now + timedelta(seconds=_seconds("NOTIFICATION_LEASE_SECONDS"))
    return bool(
        Notification.objects.filter(due | stuck, pk=notification_pk).update(
            status=Notification.Status.PROCESSING, lease_until=until, attempts=F("attempts") + 1
        )
    )
