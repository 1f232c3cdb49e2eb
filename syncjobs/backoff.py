"""The retry schedule for temporary errors, read from the database (BackoffStep rows)."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from syncjobs.models import BackoffStep


def next_attempt_at(attempt: int, retry_after: float | None = None) -> datetime | None:
    """When attempt number `attempt + 1` may run, after `attempt` failures (1-based).

    Returns None when the schedule is exhausted (the error then needs a person). A server's
    Retry-After is honoured when it is longer than the scheduled delay.
    """
    step = BackoffStep.objects.filter(attempt=attempt).first()
    if step is None:
        return None
    delay = max(float(step.delay_seconds), retry_after or 0.0)
    return timezone.now() + timedelta(seconds=delay)
