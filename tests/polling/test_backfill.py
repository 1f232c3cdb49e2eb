"""Backfill (initial load): every worker, page by page, complete and correct, about one call per worker."""
from __future__ import annotations

from django.core.management import call_command

from audit.models import AuditRecord
from syncjobs import backfill
from syncjobs.models import EmployeeSnapshot, RunItem, SyncRun, Worker
from tests.polling.conftest import WORKERS, api_calls, syncable, writes


def test_backfill_creates_every_syncable_worker_reading_in_pages_only(paychex, px, vs):
    run = backfill.backfill(paychex, started_by="test")

    expected = {w["employeeId"] for w in syncable(px)}
    assert {e["employeeNumber"] for e in vs.employees()} == expected
    assert run.status == SyncRun.Status.SUCCEEDED
    assert (run.progress_total, run.progress_done, run.percent_done) == (WORKERS, WORKERS, 100)
    assert (run.seen, run.created, run.skipped, run.failed) == (WORKERS, len(expected), WORKERS - len(expected), 0)
    # Pages, never one read per worker: 3 Paychex pages, 1 Visma page, one POST per new employee.
    assert len(api_calls(px, "GET", "/companies/")) == 3
    assert api_calls(px, "GET", "/workers/") == []
    assert len(api_calls(vs, "GET", "/v1/employee")) == 1
    assert len(writes(vs)) == len(expected) == len(api_calls(vs, "POST"))
    calls = len(api_calls(px)) + len(api_calls(vs))
    assert calls / WORKERS <= 1.2


def test_backfilled_employee_matches_paychex_and_is_remembered(paychex, px, vs):
    backfill.backfill(paychex)

    sample = next(w for w in px.workers() if w["currentStatus"]["statusType"] == "ACTIVE")
    employee = vs.employee(sample["employeeId"])
    assert employee["contact"]["lastName"] == sample["name"]["familyName"]
    assert employee["status"] == "Active"
    worker = Worker.objects.get(worker_id=sample["workerId"])
    assert worker.last_result == "created" and worker.last_etag == employee["timeStamp"]
    assert worker.last_desired["last_name"] == sample["name"]["familyName"]
    assert "employee_class" not in worker.last_desired  # create-only: Visma's to keep
    snapshot = EmployeeSnapshot.objects.get(employee_cd=sample["employeeId"])
    assert snapshot.etag == employee["timeStamp"] and snapshot.status == "Active"
    assert AuditRecord.objects.filter(action="employee_created", employee_cd=sample["employeeId"]).count() == 1


def test_a_second_backfill_writes_nothing_and_reads_only_pages(paychex, px, vs):
    backfill.backfill(paychex)
    px.clear_requests()
    vs.clear_requests()

    run = backfill.backfill(paychex)

    assert writes(vs) == []
    assert run.status == SyncRun.Status.NO_CHANGES
    assert len(api_calls(px)) == 3 and len(api_calls(vs)) == 1
    # Skipped (PENDING) workers are passed through sync_worker again; the synced ones are counted in bulk.
    assert RunItem.objects.filter(run=run).exclude(outcome="skipped").count() == 0
    assert run.unchanged == len(syncable(px)) and run.seen == WORKERS


def test_backfill_over_a_prepopulated_visma_fixes_only_what_differs(db, px):
    from sandbox import VismaSandbox
    from tests.polling.conftest import map_everything
    from tests.sandboxes import paychex_connection, visma_connection

    with VismaSandbox(seed=5, employees_from=px) as vs:
        before = {e["employeeNumber"]: e for e in vs.employees()}
        paychex = paychex_connection(px, visma_connection(vs))
        map_everything(paychex, px)

        run = backfill.backfill(paychex)

        after = {e["employeeNumber"]: e for e in vs.employees()}
        assert set(after) == {w["employeeId"] for w in syncable(px)}
        puts = api_calls(vs, "PUT")
        assert all(r["headers"].get("If-Match") for r in puts)  # every update carries the snapshot's ETag
        created = set(after) - set(before)
        assert len(api_calls(vs, "POST")) == len(created)
        assert run.created == len(created) and run.updated == len(puts) and run.failed == 0
        # The seeded drift (an upper-cased last name) is gone.
        assert not [cd for cd, e in after.items() if e["contact"]["lastName"].isupper() and len(e["contact"]["lastName"]) > 3]


def test_backfill_command_reports_the_run(paychex, px, vs, capsys):
    call_command("backfill", "--no-progress", company=paychex.name)

    out = capsys.readouterr().out
    run = SyncRun.objects.get(trigger="backfill")
    assert f"Run {run.pk}: Succeeded" in out
    assert len(vs.employees()) == len(syncable(px))
