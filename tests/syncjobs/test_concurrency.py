"""Two (or eight) processes racing on one worker: one Visma record, one write, across real connections.

Needs PostgreSQL for true concurrency (DATABASE_URL=postgres://…); SQLite serialises writers, so there
the test still runs but proves less.
"""
from __future__ import annotations

import threading

import pytest
from django.db import connection as db_connection
from django.db import connections

from syncjobs.models import Worker
from syncjobs.services import sync_worker
from tests.syncjobs.conftest import active_worker, visma_writes

pytestmark = [pytest.mark.django_db(transaction=True)]
RACERS = 8


def race(target, count: int = RACERS) -> list:
    barrier, results, errors = threading.Barrier(count), [], []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


@pytest.mark.postgres
def test_racing_syncs_of_a_new_worker_create_one_employee_with_one_write(mapped, paychex_sandbox, visma_sandbox):
    if db_connection.vendor == "sqlite":
        pytest.skip("SQLite in-memory test databases serialise writers; run with DATABASE_URL=postgres://…")
    data = active_worker(paychex_sandbox)
    paychex_sandbox.faults.latency = 0.02  # widen the window in which the racers overlap

    results = race(lambda: sync_worker(mapped, data["workerId"], "race").outcome)

    # The winner may end on its follow-up pass ("unchanged"); the others coalesced or found it done.
    assert set(results) <= {"created", "coalesced", "unchanged"} and "coalesced" in results
    assert len(visma_writes(visma_sandbox)) == 1
    assert [e["employeeNumber"] for e in visma_sandbox.employees()] == [data["employeeId"]]
    assert Worker.objects.filter(worker_id=data["workerId"]).count() == 1
    worker = Worker.objects.get(worker_id=data["workerId"])
    assert worker.lease_until is None and worker.resync_requested is False
