"""Permanent problems go to the error queue with a reason a person can act on; "Retry" re-runs the sync."""
from __future__ import annotations

from audit.models import AuditRecord
from mappings.models import JobTitleMapping, OrganizationMapping
from syncjobs.models import ErrorItem, Notification, SyncRun, Worker
from syncjobs.runs import retry_error_item
from tests.syncjobs.conftest import active_worker, notification, visma_employee, visma_writes


def test_an_unmapped_organization_holds_the_worker_and_writes_nothing(mapped, paychex_sandbox, visma_sandbox,
                                                                      post_webhook):
    data = active_worker(paychex_sandbox)
    OrganizationMapping.objects.filter(source_id=data["organization"]["organizationId"]).update(target="")

    post_webhook(notification(data["workerId"], "WRKR_ASGN"))

    item = ErrorItem.objects.get()
    assert (item.status, item.category) == ("open", "held")
    assert item.reason.startswith("Held: ") and "Add the mapping" in item.reason
    assert visma_writes(visma_sandbox) == []
    worker = Worker.objects.get(worker_id=data["workerId"])
    assert worker.last_result == "held" and worker.hold_reason
    assert AuditRecord.objects.get().action == AuditRecord.Action.HELD
    assert SyncRun.objects.get().held == 1


def test_a_worker_still_held_for_the_same_reason_is_audited_once(mapped, paychex_sandbox, post_webhook):
    data = active_worker(paychex_sandbox)
    OrganizationMapping.objects.filter(source_id=data["organization"]["organizationId"]).update(target="")

    post_webhook(notification(data["workerId"], "WRKR_ASGN"))
    post_webhook(notification(data["workerId"], "WRKR_DEM"))
    assert AuditRecord.objects.filter(action=AuditRecord.Action.HELD).count() == 1

    # A different reason is a new decision, and is recorded.
    JobTitleMapping.objects.filter(source_id=data["job"]["jobTitleId"]).update(target="")
    post_webhook(notification(data["workerId"], "WRKR_ASGN"))
    assert AuditRecord.objects.filter(action=AuditRecord.Action.HELD).count() == 2


def test_a_worker_paychex_does_not_know_gets_an_actionable_reason(mapped, post_webhook, visma_sandbox):
    post_webhook(notification("00NOSUCHWORKER000000", "WRKR_EMPL"))

    item = ErrorItem.objects.get()
    assert (item.status, item.category) == ("open", "permanent")
    assert "was not found in Paychex" in item.reason and "00NOSUCHWORKER000000" in item.reason
    assert Notification.objects.get().status == "failed"
    assert visma_sandbox.requests == []


def test_a_visma_validation_error_is_permanent_and_keeps_vismas_message(mapped, paychex_sandbox, visma_sandbox,
                                                                        post_webhook):
    data = active_worker(paychex_sandbox)
    OrganizationMapping.objects.filter(source_id=data["organization"]["organizationId"]).update(target="NOSUCHDEPT")

    post_webhook(notification(data["workerId"], "WRKR_ASGN"))

    item = ErrorItem.objects.get()
    assert (item.status, item.category, item.next_attempt_at) == ("open", "permanent", None)
    assert item.request_excerpt.startswith("POST ")
    assert "NOSUCHDEPT" in item.reason or "NOSUCHDEPT" in item.response_excerpt
    assert SyncRun.objects.get().status == "failed"


def test_retry_re_runs_the_sync_and_resolves_the_item(mapped, paychex_sandbox, visma_sandbox, post_webhook,
                                                     django_capture_on_commit_callbacks):
    data = active_worker(paychex_sandbox)
    mapping = OrganizationMapping.objects.get(source_id=data["organization"]["organizationId"])
    good_target = mapping.target
    OrganizationMapping.objects.filter(pk=mapping.pk).update(target="NOSUCHDEPT")
    post_webhook(notification(data["workerId"], "WRKR_ASGN"))
    OrganizationMapping.objects.filter(pk=mapping.pk).update(target=good_target)  # a person fixed the mapping

    retry_error_item(ErrorItem.objects.get().pk, username="hr")

    item = ErrorItem.objects.get()
    assert (item.status, item.resolved_by) == ("resolved", "sync")
    assert visma_employee(visma_sandbox, data["employeeId"])["department"] == good_target
    run = SyncRun.objects.get(trigger="retry")
    assert (run.started_by, run.status) == ("hr", "succeeded")
    assert AuditRecord.objects.get(action="employee_created").reason == "retry from the error queue by hr"


def test_a_second_failure_updates_the_same_item(mapped, post_webhook):
    post_webhook(notification("00NOSUCHWORKER000000", "WRKR_EMPL"))
    post_webhook(notification("00NOSUCHWORKER000000", "WRKR_DEM"))

    item = ErrorItem.objects.get()
    assert item.attempts == 2


def test_a_new_employee_number_in_paychex_holds_the_worker_instead_of_creating_a_second_employee(
        mapped, paychex_sandbox, visma_sandbox, post_webhook):
    data = active_worker(paychex_sandbox)
    post_webhook(notification(data["workerId"], "WRKR_ADD"))
    old_cd = data["employeeId"]
    assert visma_employee(visma_sandbox, old_cd) is not None
    employees_before = len(visma_sandbox.employees())

    paychex_sandbox.renumber(data["workerId"], "99" + old_cd)
    post_webhook(notification(data["workerId"], "WRKR_EMPL"))

    assert len(visma_sandbox.employees()) == employees_before
    worker = Worker.objects.get(worker_id=data["workerId"])
    assert worker.last_result == "held" and worker.employee_cd == old_cd
    item = ErrorItem.objects.get(status="open")
    assert f"from {old_cd} to 99{old_cd}" in item.reason and "Change employee ID" in item.reason
    assert "Add the mapping" not in item.reason
