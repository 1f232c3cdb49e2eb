"""Run statuses follow from the counts: a failed run never shows as succeeded, an empty one says so."""
from __future__ import annotations

import pytest

from syncjobs.models import SyncRun


def finished(**counts) -> SyncRun:
    run = SyncRun.objects.create(trigger="poll", **counts)
    run.start(60)
    run.finish()
    return run


@pytest.mark.django_db
@pytest.mark.parametrize(
    "counts, status, note",
    [
        ({}, "no_changes", "Nothing to sync."),
        ({"seen": 3, "unchanged": 3}, "no_changes", "3 seen: 3 unchanged"),
        ({"seen": 2, "created": 1, "unchanged": 1}, "succeeded", "2 seen: 1 created, 1 unchanged"),
        ({"seen": 2, "created": 1, "failed": 1}, "partial", "2 seen: 1 created, 1 failed"),
        ({"seen": 1, "failed": 1}, "failed", "1 seen: 1 failed"),
        ({"seen": 1, "held": 1}, "no_changes", "1 seen: 1 held"),
    ],
)
def test_the_final_status_and_note_follow_from_the_counts(counts, status, note):
    run = finished(**counts)

    assert (run.status, run.note) == (status, note)
    assert run.finished_at is not None and run.lease_until is None


@pytest.mark.django_db
def test_an_error_fails_the_run_whatever_its_counts():
    run = SyncRun.objects.create(trigger="backfill", seen=5, created=5)
    run.start(60)

    run.finish(error="Listing the company's workers failed")

    assert (run.status, run.note) == ("failed", "Listing the company's workers failed")


@pytest.mark.django_db
def test_a_run_closed_by_the_reaper_is_not_reopened_by_its_late_process():
    run = SyncRun.objects.create(trigger="resync")
    run.start(60)
    SyncRun.objects.filter(pk=run.pk).update(status="failed", note="Interrupted")

    run.finish()

    run.refresh_from_db()
    assert (run.status, run.note) == ("failed", "Interrupted")
