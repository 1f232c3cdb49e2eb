"""A changed mapping resyncs exactly the workers whose record has one of the changed source ids."""
from __future__ import annotations

from mappings.models import OrganizationMapping
from mappings.signals import announce
from syncjobs.models import ErrorItem, SyncRun, Worker
from syncjobs.receivers import workers_for_mapping
from syncjobs.services import sync_worker
from tests.syncjobs.conftest import visma_employee


def test_a_new_mapping_releases_the_held_workers_and_only_them(mapped, paychex_sandbox, visma_sandbox,
                                                               django_capture_on_commit_callbacks):
    workers = [w for w in paychex_sandbox.workers() if w["currentStatus"]["statusType"] == "ACTIVE"]
    org_id = workers[0]["organization"]["organizationId"]
    same_org = [w for w in workers if w["organization"]["organizationId"] == org_id]
    other = next(w for w in workers if w["organization"]["organizationId"] != org_id)
    target = OrganizationMapping.objects.get(source_id=org_id).target
    OrganizationMapping.objects.filter(source_id=org_id).update(target="")
    for data in [*same_org, other]:
        sync_worker(mapped, data["workerId"], "setup")
    assert ErrorItem.objects.filter(category="held").count() == len(same_org)
    visma_sandbox.clear_requests()

    OrganizationMapping.objects.filter(source_id=org_id).update(target=target)
    with django_capture_on_commit_callbacks(execute=True):
        announce(mapped.pk, "organization", [org_id])

    run = SyncRun.objects.get(trigger="mapping")
    assert run.seen == len(same_org) and run.created == len(same_org)
    assert {i.paychex_worker_id for i in run.items.all()} == {w["workerId"] for w in same_org}
    assert all(visma_employee(visma_sandbox, w["employeeId"]) for w in same_org)
    assert not ErrorItem.objects.exclude(status="resolved").exists()


def test_a_status_mapping_change_selects_workers_by_current_and_pending_status(mapped, paychex_sandbox):
    data = paychex_sandbox.workers()[:3]
    for i, item in enumerate(data):
        Worker.objects.create(connection=mapped, worker_id=item["workerId"],
                              status_type=["ACTIVE", "INACTIVE", "ACTIVE"][i],
                              pending_status=["", "", "INACTIVE"][i])

    chosen = workers_for_mapping(mapped.pk, "status", ("INACTIVE",))

    assert sorted(w.worker_id for w in chosen) == sorted([data[1]["workerId"], data[2]["workerId"]])
    assert workers_for_mapping(mapped.pk, "unknown_kind", ("X",)) == []
