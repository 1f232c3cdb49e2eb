"""sync_worker with prefetched state makes no read call, and a stale snapshot is handled safely."""
from __future__ import annotations

from connector.clients.visma import EmployeeRecord
from syncjobs.services import sync_worker
from tests.polling.conftest import api_calls


def first_active(px):
    return next(w for w in px.workers() if w["currentStatus"]["statusType"] == "ACTIVE")


def test_prefetched_worker_and_absent_employee_cost_one_post(paychex, px, vs):
    item = first_active(px)

    result = sync_worker(paychex, item["workerId"], "test", paychex_worker=item, visma_current=None)

    assert result.outcome == "created"
    assert api_calls(px) == [] and [(r["method"], r["path"]) for r in api_calls(vs)] == [("POST", "/v1/employee")]


def test_a_create_refused_because_the_employee_exists_reads_it_and_updates(paychex, px, vs):
    item = first_active(px)
    assert sync_worker(paychex, item["workerId"], "setup").outcome == "created"
    vs.edit_employee(item["employeeId"], lastName="Changed in Visma")
    vs.clear_requests()

    result = sync_worker(paychex, item["workerId"], "test", paychex_worker=item, visma_current=None)

    assert result.outcome == "updated" and result.changes == {"last_name": ["Changed in Visma", item["name"]["familyName"]]}
    assert [(r["method"], r["status"]) for r in api_calls(vs)] == [("POST", 400), ("GET", 200), ("PUT", 204)]
    assert vs.employee(item["employeeId"])["contact"]["lastName"] == item["name"]["familyName"]


def test_a_stale_snapshot_etag_gets_412_and_the_normal_re_read(paychex, px, vs):
    item = first_active(px)
    sync_worker(paychex, item["workerId"], "setup")
    old = vs.employee(item["employeeId"])
    stale = EmployeeRecord(fields={"employee_cd": item["employeeId"], "last_name": "Someone"}, etag=old["timeStamp"],
                           last_modified=None)
    vs.edit_employee(item["employeeId"], firstName="Edited")  # the snapshot's ETag is now stale
    vs.clear_requests()

    result = sync_worker(paychex, item["workerId"], "test", paychex_worker=item, visma_current=stale)

    assert [(r["method"], r["status"]) for r in api_calls(vs)] == [("PUT", 412), ("GET", 200), ("PUT", 204)]
    assert result.outcome == "updated"
    assert vs.employee(item["employeeId"])["contact"]["firstName"] == item["name"]["givenName"]


def test_without_prefetched_state_sync_worker_reads_as_before(paychex, px, vs):
    item = first_active(px)

    sync_worker(paychex, item["workerId"], "test")

    assert [r["path"] for r in api_calls(px)] == [f"/workers/{item['workerId']}"]
    assert [r["method"] for r in api_calls(vs)] == ["GET", "POST"]
