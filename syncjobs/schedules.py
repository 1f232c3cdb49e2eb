"""The periodic tasks, kept as django-q2 Schedule rows (created or updated after every migrate)."""
from __future__ import annotations

from typing import Any

from django.conf import settings

# task → the SYNCJOBS setting with its interval in minutes
SCHEDULES = {
    "syncjobs.tasks.send_alert_digest": "ALERT_DIGEST_MINUTES",
    "syncjobs.tasks.reap": "REAPER_MINUTES",
    "syncjobs.tasks.apply_due_statuses": "DUE_STATUS_MINUTES",
    "syncjobs.tasks.poll_visma": "VISMA_POLL_MINUTES",
    "syncjobs.tasks.poll_catalog": "CATALOG_POLL_MINUTES",
    "syncjobs.tasks.reconcile_paychex": "PAYCHEX_RECONCILE_MINUTES",
    "syncjobs.tasks.prune": "PRUNE_MINUTES",
}


def ensure_schedules(**kwargs: Any) -> None:
    """Create or update one Schedule per periodic task (post_migrate receiver)."""
    from django_q.models import Schedule

    for func, setting in SCHEDULES.items():
        Schedule.objects.update_or_create(
            name=func,
            defaults={"func": func, "schedule_type": Schedule.MINUTES,
                      "minutes": settings.SYNCJOBS[setting], "repeats": -1},
        )
