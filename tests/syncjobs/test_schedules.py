"""The periodic tasks exist as django-q2 schedules with the configured intervals."""
from __future__ import annotations

from django_q.models import Schedule

from syncjobs.schedules import ensure_schedules


def test_the_reaper_and_due_status_schedules_are_created_once_with_their_intervals(db, settings):
    settings.SYNCJOBS = {**settings.SYNCJOBS, "REAPER_MINUTES": 2, "DUE_STATUS_MINUTES": 7}

    ensure_schedules()
    ensure_schedules()

    schedules = {s.func: s.minutes for s in Schedule.objects.filter(func__startswith="syncjobs.")}
    assert {func: schedules[func] for func in ("syncjobs.tasks.reap", "syncjobs.tasks.apply_due_statuses")} == {
        "syncjobs.tasks.reap": 2, "syncjobs.tasks.apply_due_statuses": 7}
    assert Schedule.objects.filter(func="syncjobs.tasks.reap").count() == 1
