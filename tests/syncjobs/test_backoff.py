"""Temporary errors (5xx, 429, timeouts) retry on the schedule stored in BackoffStep, not the queue's."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from syncjobs.models import BackoffStep, ErrorItem, Notification, SyncRun
from syncjobs.reaper import reap
from tests.syncjobs.conftest import notification, visma_employee


@pytest.fixture
def reaper(django_capture_on_commit_callbacks):
    def run_reaper():
        with django_capture_on_commit_callbacks(execute=True):
            return reap()

    return run_reaper


def make_due(item: ErrorItem) -> None:
    ErrorItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_visma_5xx_schedules_a_retry_from_the_database_schedule(mapped, paychex_sandbox, visma_sandbox,
                                                                   post_webhook):
    BackoffStep.objects.filter(attempt=1).update(delay_seconds=77)
    hired = paychex_sandbox.hire("Rita", "Retry")
    visma_sandbox.faults.error_rate = 1.0
    before = timezone.now()

    post_webhook(notification(hired["workerId"], "WRKR_ADD"))

    item = ErrorItem.objects.get()
    assert (item.status, item.category, item.attempts) == ("retrying", "transient", 1)
    assert before + timedelta(seconds=77) <= item.next_attempt_at <= timezone.now() + timedelta(seconds=77)
    assert "Retrying automatically" in item.reason
    assert SyncRun.objects.get().status == "failed"  # never shown as succeeded
    assert Notification.objects.get().status == "done"  # the error item now carries the work


def test_the_reaper_retries_a_due_item_and_resolves_it_when_the_sync_succeeds(
    mapped, paychex_sandbox, visma_sandbox, post_webhook, reaper
):
    hired = paychex_sandbox.hire("Rolf", "Recovered")
    visma_sandbox.faults.error_rate = 1.0
    post_webhook(notification(hired["workerId"], "WRKR_ADD"))
    item = ErrorItem.objects.get()
    visma_sandbox.faults.error_rate = 0.0

    assert reaper().retries == 0  # not due yet
    make_due(item)
    assert reaper().retries == 1

    item.refresh_from_db()
    assert (item.status, item.resolved_by) == ("resolved", "sync")
    assert visma_employee(visma_sandbox, hired["employeeId"])["last_name"] == "Recovered"
    assert SyncRun.objects.filter(trigger="retry").get().status == "succeeded"


def test_each_failure_waits_the_next_step_and_the_schedule_end_needs_a_person(
    mapped, paychex_sandbox, visma_sandbox, post_webhook, reaper
):
    BackoffStep.objects.exclude(attempt__in=(1, 2)).delete()
    BackoffStep.objects.filter(attempt=2).update(delay_seconds=500)
    hired = paychex_sandbox.hire("Stig", "Stuck")
    visma_sandbox.faults.error_rate = 1.0
    post_webhook(notification(hired["workerId"], "WRKR_ADD"))
    item = ErrorItem.objects.get()

    make_due(item)
    reaper()
    item.refresh_from_db()
    assert item.attempts == 2 and item.status == "retrying"
    assert item.next_attempt_at >= timezone.now() + timedelta(seconds=490)

    make_due(item)
    reaper()
    item.refresh_from_db()
    assert (item.attempts, item.status, item.next_attempt_at) == (3, "open", None)
    assert item.reason.startswith("Gave up after 3 attempts")
    make_due(item)
    assert reaper().retries == 0  # an open item waits for a person


def test_a_429_waits_at_least_the_servers_retry_after(mapped, paychex_sandbox, visma_sandbox, post_webhook):
    hired = paychex_sandbox.hire("Tor", "Throttled")
    visma_sandbox.faults.rate_limit = 0  # every call answered 429 with Retry-After ≈ the window (3600 s)

    post_webhook(notification(hired["workerId"], "WRKR_ADD"))

    item = ErrorItem.objects.get()
    assert item.status == "retrying" and item.category == "transient"
    assert item.next_attempt_at >= timezone.now() + timedelta(seconds=3000)  # not the 30 s first step
