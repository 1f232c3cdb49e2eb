"""Paychex reconciliation: a change whose notifications were all lost is found and synced; nothing else is written."""
from __future__ import annotations

import pytest

from audit.models import AuditRecord
from syncjobs import backfill, tasks
from syncjobs.models import RunItem, SyncRun
from tests.polling.conftest import api_calls, writes


@pytest.fixture
def paychex_workers() -> int:
    return 120


def test_a_paychex_change_with_every_notification_lost_is_synced_by_reconciliation(paychex, px, vs):
    backfill.backfill(paychex)
    worker = next(w for w in px.workers() if w["currentStatus"]["statusType"] == "ACTIVE")
    px.rename(worker["workerId"], family_name="Renamed-Quietly")  # no hook registered: no notification at all
    px.clear_requests()
    vs.clear_requests()

    results = tasks.reconcile_paychex()

    run = SyncRun.objects.get(trigger="reconcile")
    assert results == {paychex.name: SyncRun.Status.SUCCEEDED} and run.status == SyncRun.Status.SUCCEEDED
    assert vs.employee(worker["employeeId"])["contact"]["lastName"] == "Renamed-Quietly"
    assert [(r["method"], r["path"]) for r in writes(vs)] == [("PUT", f"/v1/employee/{worker['employeeId']}")]
    assert api_calls(px, "GET", "/workers/") == []  # the page item is the current state: no per-worker read
    assert RunItem.objects.filter(run=run, outcome="updated").count() == 1 and run.updated == 1
    record = AuditRecord.objects.get(action="employee_updated", employee_cd=worker["employeeId"])
    assert record.reason.startswith("Paychex reconciliation") and record.changes["last_name"][1] == "Renamed-Quietly"


def test_a_reconciliation_with_nothing_to_do_writes_nothing_and_says_so(paychex, px, vs):
    backfill.backfill(paychex)
    vs.clear_requests()

    run = backfill.backfill(paychex, trigger=SyncRun.Trigger.RECONCILE, started_by="test")

    assert run.status == SyncRun.Status.NO_CHANGES and writes(vs) == []
