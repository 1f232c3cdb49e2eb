"""Hire, termination, rename and transfer each arrive in Visma through a webhook, with an audit record."""
from __future__ import annotations

from audit.models import AuditRecord
from syncjobs.models import Notification, SyncRun
from tests.syncjobs.conftest import notification, visma_employee, visma_writes, worker_record


def test_a_hire_arrives_in_visma_with_an_audit_record(mapped, paychex_sandbox, visma_sandbox, post_webhook):
    hired = paychex_sandbox.hire("Kari", "Nordmann")

    response = post_webhook(notification(hired["workerId"], "WRKR_ADD", company_id=paychex_sandbox.company_id))

    assert response.status_code == 202
    employee = visma_employee(visma_sandbox, hired["employeeId"])
    assert (employee["first_name"], employee["last_name"], employee["status"]) == ("Kari", "Nordmann", "Active")
    assert len(visma_writes(visma_sandbox)) == 1
    record = AuditRecord.objects.get()
    assert record.action == AuditRecord.Action.EMPLOYEE_CREATED
    assert record.employee_cd == hired["employeeId"] and record.worker_id == hired["workerId"]
    assert record.changes["last_name"] == [None, "Nordmann"]
    assert record.notification_id == Notification.objects.get().notification_id
    run = SyncRun.objects.get()
    assert (run.trigger, run.status, run.seen, run.created) == ("webhook", "succeeded", 1, 1)
    assert record.run_id == run.pk
    assert worker_record(mapped, hired["workerId"]).last_result == "created"


def test_a_termination_arrives_in_visma_as_inactive_with_a_status_audit(synced, paychex_sandbox, visma_sandbox,
                                                                         post_webhook, mapped):
    paychex_sandbox.terminate(synced["workerId"])

    post_webhook(notification(synced["workerId"], "WRKR_EMPL"))

    assert visma_employee(visma_sandbox, synced["employeeId"])["status"] == "Inactive"
    assert len(visma_writes(visma_sandbox)) == 1
    record = AuditRecord.objects.get(action=AuditRecord.Action.STATUS_CHANGED)
    assert record.changes == {"status": ["Active", "Inactive"]}
    assert record.reason.startswith("Paychex notification ") and "WRKR_EMPL" in record.reason
    assert worker_record(mapped, synced["workerId"]).status_type == "TERMINATED"


def test_a_rename_arrives_in_visma_with_old_and_new_name_in_the_audit(synced, paychex_sandbox, visma_sandbox,
                                                                       post_webhook):
    paychex_sandbox.rename(synced["workerId"], family_name="Bergstrøm")

    post_webhook(notification(synced["workerId"], "WRKR_DEM"))

    assert visma_employee(visma_sandbox, synced["employeeId"])["last_name"] == "Bergstrøm"
    record = AuditRecord.objects.get(action=AuditRecord.Action.EMPLOYEE_UPDATED)
    assert record.changes == {"last_name": [synced["name"]["familyName"], "Bergstrøm"]}
    assert len(visma_writes(visma_sandbox)) == 1


def test_a_transfer_moves_the_employee_to_the_mapped_department(synced, paychex_sandbox, visma_sandbox,
                                                                 post_webhook, mapped):
    from mappings.models import OrganizationMapping

    other = next(o for o in paychex_sandbox.organizations()
                 if o["organizationId"] != synced["organization"]["organizationId"])
    old_department = visma_employee(visma_sandbox, synced["employeeId"])["department"]
    new_department = "LEDELSE" if old_department != "LEDELSE" else "ADMIN"
    OrganizationMapping.objects.filter(source_id=other["organizationId"]).update(target=new_department)
    paychex_sandbox.transfer(synced["workerId"], organization_id=other["organizationId"])

    post_webhook(notification(synced["workerId"], "WRKR_ASGN"))

    assert visma_employee(visma_sandbox, synced["employeeId"])["department"] == new_department
    record = AuditRecord.objects.get(action=AuditRecord.Action.EMPLOYEE_UPDATED)
    assert record.changes == {"department": [old_department, new_department]}
    assert worker_record(mapped, synced["workerId"]).organization_id == other["organizationId"]


def test_a_notification_for_a_worker_already_in_sync_writes_nothing(synced, visma_sandbox, post_webhook):
    post_webhook(notification(synced["workerId"], "WRKR_CMP"))

    assert visma_writes(visma_sandbox) == []
    run = SyncRun.objects.get(trigger="webhook")
    assert (run.status, run.unchanged, run.note) == ("no_changes", 1, "1 seen: 1 unchanged")
