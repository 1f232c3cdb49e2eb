"""Headcount reconciliation: matches the sandbox's truth, and fails loudly (exit 1, never "OK") on a mismatch."""
from __future__ import annotations

import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from syncjobs import backfill, headcount
from syncjobs.models import HeadcountReport, Worker


@pytest.fixture
def paychex_workers() -> int:
    return 120


@pytest.fixture
def loaded(paychex, px, vs):
    backfill.backfill(paychex)
    return paychex


def truth(px, vs) -> tuple[int, int, Counter]:
    """Active counts straight from the sandboxes (not through the connector)."""
    paychex_active = [w for w in px.workers() if w["currentStatus"]["statusType"] in ("ACTIVE", "TRANSFERRED")]
    visma_active = [e for e in vs.employees() if e["status"] == "Active"]
    return len(paychex_active), len(visma_active), Counter(e["department"] for e in visma_active)


def run_reconcile(*args: str) -> tuple[dict, int]:
    import io

    out = io.StringIO()
    try:
        call_command("reconcile", "--json", *args, stdout=out)
    except CommandError as exc:
        return json.loads(out.getvalue()), exc.returncode
    return json.loads(out.getvalue()), 0


def test_after_a_backfill_the_report_matches_the_sandboxes_truth(loaded, px, vs):
    report, code = run_reconcile()

    paychex_active, visma_active, by_department = truth(px, vs)
    company = report["companies"][0]
    assert code == 0 and report["ok"] is True and report["mismatches"] == 0
    assert paychex_active == visma_active  # the backfill made Visma true
    assert (company["paychex_active"], company["visma_active"]) == (paychex_active, visma_active)
    assert {row["cost_center"]: row["visma_active"] for row in company["cost_centers"]} == dict(by_department)
    assert company["workers"] == []


def test_an_injected_mismatch_fails_loudly_with_the_worker_and_the_reason(loaded, px, vs):
    worker = next(w for w in px.workers() if w["currentStatus"]["statusType"] == "ACTIVE")
    vs.edit_employee(worker["employeeId"], status="Inactive")  # a person deactivates someone in Visma

    report, code = run_reconcile()

    company = report["companies"][0]
    assert code == 1 and report["ok"] is False and report["mismatches"] == 1
    assert company["difference"] == -1
    [row] = company["workers"]
    assert row["employee_cd"] == worker["employeeId"] and row["visma_status"] == "Inactive"
    assert row["reason"] == "drift: changed in Visma outside the connector (status)"


def test_each_kind_of_difference_is_named(loaded, paychex, px, vs):
    from mappings.models import OrganizationMapping
    from syncjobs.services import sync_worker

    orgs = px.organizations()
    unmapped_title = px.add_job_title("Ny tittel uten mapping")
    bad_org = px.add_organization("Avdeling uten Visma", "9999")
    OrganizationMapping.objects.create(paychex_connection=paychex, source_id=bad_org["organizationId"], target="NOSUCHDEPT")
    held = px.hire("Holdt", "Ansatt", job_title_id=unmapped_title["jobTitleId"], organization_id=orgs[0]["organizationId"])
    failed = px.hire("Feilet", "Ansatt", organization_id=bad_org["organizationId"])
    assert sync_worker(paychex, held["workerId"], "test").outcome == "held"
    assert sync_worker(paychex, failed["workerId"], "test").outcome == "failed"
    hired = px.hire("Ny", "Ansatt", organization_id=orgs[0]["organizationId"])  # its notification never came
    vs.insert_employee({"employeeCd": "V-ONLY", "lastName": "Visma", "email": "v@x.invalid", "status": "Active",
                        "department": "ADMIN", "branch": "1", "employeeClass": "EMPSTAND", "calendar": "STANDARD"})
    gone = next(w for w in px.workers() if w["currentStatus"]["statusType"] == "ACTIVE")
    px.terminate(gone["workerId"])  # notification lost: Visma still active

    reasons = {row["employee_cd"]: row["reason"] for row in headcount.build()["companies"][0]["workers"]}

    assert reasons[held["employeeId"]].startswith("held: Held:")
    assert reasons[failed["employeeId"]].startswith("failed: ")
    assert reasons[hired["employeeId"]] == "not yet synced"
    assert reasons["V-ONLY"] == "active in Visma but not in Paychex"
    assert reasons[gone["employeeId"]] == "not yet synced: Paychex changed since the last sync"
    assert len(reasons) == 5


def test_no_refresh_uses_the_stored_state_and_makes_no_call(loaded, px, vs):
    px.clear_requests()
    vs.clear_requests()

    report, code = run_reconcile("--no-refresh")

    assert code == 0 and report["refreshed"] is False
    assert px.requests == [] and vs.requests == []


def test_a_company_that_cannot_be_read_is_a_failure_not_a_success(loaded, px):
    px.faults.error_rate = 1.0

    report, code = run_reconcile()

    assert code == 1 and report["ok"] is False and report["companies"][0]["error"]


def test_the_human_table_says_mismatch_and_stores_the_report(loaded, px, vs, capsys):
    worker = next(w for w in px.workers() if w["currentStatus"]["statusType"] == "ACTIVE")
    vs.edit_employee(worker["employeeId"], status="Inactive")

    with pytest.raises(CommandError):
        call_command("reconcile", "--store")

    out = capsys.readouterr().out
    assert "MISMATCH" in out and worker["employeeId"] in out
    assert HeadcountReport.objects.get().ok is False
