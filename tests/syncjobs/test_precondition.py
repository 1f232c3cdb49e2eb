"""A person edits the employee in Visma between our read and our write: 412, re-read, write again (bounded)."""
from __future__ import annotations

from audit.models import AuditRecord
from connector.clients.visma import VismaClient
from syncjobs.models import ErrorItem
from syncjobs.services import sync_worker
from tests.syncjobs.conftest import visma_employee, visma_writes


def edit_after_each_read(monkeypatch, visma_sandbox, employee_cd: str, times: int) -> list[str]:
    real_get = VismaClient.get_employee
    edits: list[str] = []

    def get_then_someone_edits(self, cd):
        record = real_get(self, cd)
        if len(edits) < times:
            edits.append(f"Edited{len(edits)}")
            visma_sandbox.edit_employee(employee_cd, firstName=edits[-1])
        return record

    monkeypatch.setattr(VismaClient, "get_employee", get_then_someone_edits)
    return edits


def test_an_edit_in_visma_between_read_and_write_is_recovered(synced, mapped, paychex_sandbox, visma_sandbox,
                                                              monkeypatch):
    paychex_sandbox.rename(synced["workerId"], family_name="Fresh")
    edit_after_each_read(monkeypatch, visma_sandbox, synced["employeeId"], times=1)

    result = sync_worker(mapped, synced["workerId"], "test")

    assert result.outcome == "updated"
    puts = visma_writes(visma_sandbox)
    assert [p["status"] for p in puts] == [412, 204]
    employee = visma_employee(visma_sandbox, synced["employeeId"])
    assert (employee["first_name"], employee["last_name"]) == (synced["name"]["givenName"], "Fresh")
    record = AuditRecord.objects.get(action="employee_updated")
    assert record.changes["first_name"] == ["Edited0", synced["name"]["givenName"]]  # diffed against the re-read


def test_an_employee_that_keeps_changing_becomes_a_retry_not_a_loop(synced, mapped, paychex_sandbox, visma_sandbox,
                                                                    monkeypatch, settings):
    settings.SYNCJOBS = {**settings.SYNCJOBS, "PRECONDITION_RETRIES": 2}
    paychex_sandbox.rename(synced["workerId"], family_name="Fresh")
    edit_after_each_read(monkeypatch, visma_sandbox, synced["employeeId"], times=99)

    result = sync_worker(mapped, synced["workerId"], "test")

    assert result.outcome == "retrying"
    assert [p["status"] for p in visma_writes(visma_sandbox)] == [412, 412, 412]
    assert "kept changing" in ErrorItem.objects.get().reason
