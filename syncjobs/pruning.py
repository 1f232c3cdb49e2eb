"""Pruning old logs: run items, finished notifications, the queue's successes and old headcount reports.

The audit trail is never pruned (it is append-only by design), nor are open error items, workers or runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from syncjobs.models import HeadcountReport, Notification, RunItem

FINISHED = (Notification.Status.DONE, Notification.Status.IGNORED)


@dataclass
class PruneReport:
    run_items: int = 0
    notifications: int = 0
    queue_successes: int = 0
    headcount_reports: int = 0


def prune(days: int | None = None) -> PruneReport:
    """Delete what is older than `days` (default PRUNE_DAYS). Returns how many of each were deleted."""
    cutoff = timezone.now() - timedelta(days=settings.SYNCJOBS["PRUNE_DAYS"] if days is None else days)
    from django_q.models import Success

    report = PruneReport()
    report.run_items = RunItem.objects.filter(created_at__lt=cutoff).delete()[0]
    # A finished notification is only a log by now; failed ones stay (an error item may point at them).
    report.notifications = Notification.objects.filter(status__in=FINISHED, received_at__lt=cutoff).delete()[0]
    report.queue_successes = Success.objects.filter(stopped__lt=cutoff).delete()[0]
    report.headcount_reports = HeadcountReport.objects.filter(created_at__lt=cutoff).delete()[0]
    return report
