"""A future-dated termination changes Visma on its date (in TIME_ZONE), not before."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone as dt_timezone

import pytest
from django.utils import timezone

from audit.models import AuditRecord
from syncjobs.models import Worker
from syncjobs.runs import apply_due_statuses, due_status_workers
from syncjobs.statuses import plan
from tests.syncjobs.conftest import notification, visma_employee, visma_writes


@pytest.fixture
def today(paychex_sandbox) -> date:
    day = timezone.localdate()
    paychex_sandbox.today = day
    return day


def move_to(monkeypatch, paychex_sandbox, day: date) -> None:
    paychex_sandbox.today = day
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def test_a_future_termination_changes_visma_on_its_date_and_not_before(
    synced, mapped, paychex_sandbox, visma_sandbox, post_webhook, monkeypatch, today
):
    effective = today + timedelta(days=3)
    paychex_sandbox.terminate(synced["workerId"], effective_date=effective)

    post_webhook(notification(synced["workerId"], "WRKR_EMPL"))

    worker = Worker.objects.get(worker_id=synced["workerId"])
    assert (worker.pending_status, worker.pending_status_date, worker.status_type) == ("TERMINATED", effective, "ACTIVE")
    assert visma_employee(visma_sandbox, synced["employeeId"])["status"] == "Active"
    assert apply_due_statuses() == []
    move_to(monkeypatch, paychex_sandbox, effective - timedelta(days=1))
    assert apply_due_statuses() == []
    assert visma_writes(visma_sandbox) == []

    move_to(monkeypatch, paychex_sandbox, effective)
    runs = apply_due_statuses()

    assert [(r.trigger, r.status, r.updated) for r in runs] == [("schedule", "succeeded", 1)]
    assert visma_employee(visma_sandbox, synced["employeeId"])["status"] == "Inactive"
    record = AuditRecord.objects.get(action="status_changed")
    assert record.reason == f"scheduled termination effective {effective.isoformat()}"
    worker.refresh_from_db()
    assert (worker.pending_status, worker.pending_status_date, worker.status_type) == ("", None, "TERMINATED")
    assert apply_due_statuses() == []  # applied once


def test_a_status_is_due_at_the_start_of_its_date_in_the_configured_time_zone(synced, mapped, monkeypatch, settings):
    settings.TIME_ZONE = "Europe/Oslo"
    Worker.objects.filter(worker_id=synced["workerId"]).update(pending_status="TERMINATED",
                                                                 pending_status_date=date(2031, 3, 10))
    late_evening_utc = datetime(2031, 3, 9, 23, 30, tzinfo=dt_timezone.utc)  # 00:30 on the 10th in Oslo
    monkeypatch.setattr(timezone, "now", lambda: late_evening_utc)
    assert [w.worker_id for w in due_status_workers()] == [synced["workerId"]]

    monkeypatch.setattr(timezone, "now", lambda: late_evening_utc - timedelta(hours=1))  # 23:30 on the 9th in Oslo
    assert due_status_workers() == []


def test_a_future_current_status_keeps_the_status_in_effect_from_the_history():
    today = date(2030, 5, 1)
    current = {"statusType": "TERMINATED", "effectiveDate": "2030-05-20T00:00:00Z"}
    history = [current, {"statusType": "ACTIVE", "effectiveDate": "2019-01-01T00:00:00Z"}]

    result = plan(current, history, today)

    assert result.in_effect["statusType"] == "ACTIVE"
    assert (result.pending_type, result.pending_date) == ("TERMINATED", date(2030, 5, 20))


def test_paychex_dates_are_read_as_calendar_dates_never_shifted_by_time_zone():
    result = plan({"statusType": "ACTIVE", "effectiveDate": "2030-05-01T00:00:00Z"}, None, date(2030, 5, 1))

    assert result.in_effect["statusType"] == "ACTIVE" and result.pending is None
