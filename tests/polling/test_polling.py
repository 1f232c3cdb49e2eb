"""Visma polling: changes made in Visma by hand (their webhooks lost) are found by the next poll and
repaired with an audit record; a poll costs calls in proportion to the changes, not to headcount."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditRecord
from syncjobs import backfill, polling
from syncjobs.models import EmployeeSnapshot, PollCursor, SyncRun, Worker
from tests.polling.conftest import api_calls, writes


@pytest.fixture
def paychex_workers() -> int:
    return 40


@pytest.fixture
def loaded(paychex, px, vs):
    """Every worker backfilled; Visma's webhooks all dropped; request logs empty."""
    backfill.backfill(paychex)
    vs.faults.drop_webhooks = 1.0
    px.clear_requests()
    vs.clear_requests()
    return paychex


def active_employee(px) -> dict:
    return next(w for w in px.workers() if w["currentStatus"]["statusType"] == "ACTIVE")


def test_a_poll_with_nothing_changed_makes_one_call_and_writes_nothing(loaded, visma, vs):
    polling.poll_employees(visma)  # the backfill's own writes are within the overlap: seen, skipped
    vs.clear_requests()

    report = polling.poll_employees(visma)

    assert [(r["method"], r["path"]) for r in api_calls(vs)] == [("GET", "/v1/employee")]
    assert report.status == SyncRun.Status.NO_CHANGES and report.fresh == 0
    assert not SyncRun.objects.filter(trigger="poll").exists()  # an idle poll leaves no run row


def test_the_first_poll_after_a_backfill_skips_the_connectors_own_writes(loaded, visma, vs):
    report = polling.poll_employees(visma)

    assert report.read > 0 and report.fresh == 0 and report.drift == {}
    assert writes(vs) == []


def test_an_edit_in_visma_with_its_webhook_dropped_is_found_by_the_next_poll_and_repaired(loaded, visma, px, vs):
    worker = active_employee(px)
    cd, family = worker["employeeId"], worker["name"]["familyName"]
    polling.poll_employees(visma)
    vs.edit_employee(cd, lastName="Typo by hand", status="OnHold")
    assert vs.webhook_deliveries == []

    report = polling.poll_employees(visma)

    employee = vs.employee(cd)
    assert employee["contact"]["lastName"] == family and employee["status"] == "Active"
    assert report.drift == {"updated": 1} and report.status == SyncRun.Status.SUCCEEDED
    record = AuditRecord.objects.get(action="drift_corrected", employee_cd=cd)
    assert record.changes == {"last_name": ["Typo by hand", family], "status": ["Hold", "Active"]}
    assert "found 'Typo by hand', restored" in record.reason and "Visma poll" in record.reason
    assert [(r["method"], r["path"]) for r in api_calls(px)] == [("GET", f"/workers/{worker['workerId']}")]
    puts = api_calls(vs, "PUT")
    assert len(puts) == 1 and puts[0]["headers"].get("If-Match")
    assert polling.poll_employees(visma).drift == {}  # our own correction is not drift


def test_an_edit_of_a_field_the_connector_does_not_manage_is_left_alone(loaded, visma, px, vs):
    cd = active_employee(px)["employeeId"]
    polling.poll_employees(visma)
    vs.edit_employee(cd, calendar="OTHER", employeeClass="EMPHOUR")

    report = polling.poll_employees(visma)

    assert report.fresh == 1 and report.drift == {} and writes(vs) == []
    assert EmployeeSnapshot.objects.get(employee_cd=cd).fields["employee_class"] == "EMPHOUR"


def test_in_report_mode_drift_is_recorded_once_and_not_corrected(loaded, visma, px, vs, settings):
    settings.SYNCJOBS = {**settings.SYNCJOBS, "DRIFT_MODE": "report"}
    worker = active_employee(px)
    polling.poll_employees(visma)
    vs.edit_employee(worker["employeeId"], lastName="Typo by hand")

    report = polling.poll_employees(visma)
    cursor = PollCursor.objects.get(kind="employees")
    cursor.cursor -= timedelta(minutes=10)  # read the same change again
    cursor.save()
    polling.poll_employees(visma)

    assert report.drift == {"reported": 1} and writes(vs) == []
    assert vs.employee(worker["employeeId"])["contact"]["lastName"] == "Typo by hand"
    record = AuditRecord.objects.get(action="drift_detected")
    assert record.changes == {"last_name": ["Typo by hand", worker["name"]["familyName"]]}
    assert Worker.objects.get(worker_id=worker["workerId"]).drift == record.changes


def test_a_change_just_before_the_cursor_is_caught_by_the_overlap(loaded, visma, px, vs):
    cd = active_employee(px)["employeeId"]
    polling.poll_employees(visma)
    vs.edit_employee(cd, lastName="Edited at the boundary")
    PollCursor.objects.filter(kind="employees").update(cursor=timezone.now() + timedelta(seconds=60))

    report = polling.poll_employees(visma)

    assert report.drift == {"updated": 1}


def test_ten_changes_cost_one_read_and_the_corrections(loaded, visma, px, vs):
    polling.poll_employees(visma)
    actives = [w for w in px.workers() if w["currentStatus"]["statusType"] == "ACTIVE"][:10]
    for worker in actives:
        vs.edit_employee(worker["employeeId"], firstName="X")
    vs.clear_requests()

    report = polling.poll_employees(visma)

    reads = api_calls(vs, "GET")
    assert len(reads) == 1 and reads[0]["path"] == "/v1/employee"
    assert "lastModifiedDateTime" in reads[0]["query"]
    assert report.drift == {"updated": 10} and len(api_calls(vs, "PUT")) == 10


def test_a_failed_poll_keeps_its_cursor_and_says_failed(loaded, visma, vs):
    polling.poll_employees(visma)
    before = PollCursor.objects.get(kind="employees").cursor
    vs.faults.error_rate = 1.0

    report = polling.poll_employees(visma)

    cursor = PollCursor.objects.get(kind="employees")
    assert report.status == SyncRun.Status.FAILED and cursor.cursor == before
    assert cursor.last_status == "failed" and cursor.lease_until is None


def test_a_second_poll_while_one_runs_does_nothing(loaded, visma):
    cursor = PollCursor.objects.get(kind="employees")
    PollCursor.objects.filter(pk=cursor.pk).update(lease_until=timezone.now() + timedelta(minutes=5))

    assert polling.poll_employees(visma).status == "busy"


def test_a_new_dimension_value_in_visma_reaches_the_catalog(loaded, visma, vs):
    from mappings.models import CatalogValue

    polling.poll_catalog(visma)
    vs.edit_segment_value("SUBACCOUNT", 2, "NEWT", description="Ny stilling")

    report = polling.poll_catalog(visma)

    assert report.status == SyncRun.Status.SUCCEEDED
    assert CatalogValue.objects.filter(kind="job_title", value_id="NEWT", description="Ny stilling").exists()


def test_poll_visma_command_polls_every_connection(loaded, visma, vs, capsys):
    call_command("poll_visma")

    assert capsys.readouterr().out.startswith(f"{visma.name}: no_changes.")
