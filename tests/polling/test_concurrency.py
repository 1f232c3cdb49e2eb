"""Parallel backfill (BACKFILL_CONCURRENCY threads): complete, one write per employee, within Visma's rate limit.

Threads need a database they can share: PostgreSQL (DATABASE_URL=postgres://…). The in-memory SQLite test
database is one connection's transaction; those runs are skipped there (production SQLite is a file in WAL mode).
"""
from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection as db_connection

from syncjobs import backfill
from syncjobs.models import SyncRun
from tests.polling.conftest import api_calls, syncable

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def paychex_workers() -> int:
    return 120


@pytest.fixture(autouse=True)
def needs_shared_database():
    if db_connection.vendor == "sqlite":
        pytest.skip("threads need a shared database; run with DATABASE_URL=postgres://…")


def test_a_parallel_backfill_creates_each_employee_once(paychex, px, vs, settings):
    settings.SYNCJOBS = {**settings.SYNCJOBS, "BACKFILL_CONCURRENCY": 4}
    px.faults.latency = vs.faults.latency = 0.01

    run = backfill.backfill(paychex)

    assert run.status == SyncRun.Status.SUCCEEDED and run.failed == 0
    posts = Counter(r["body"] for r in api_calls(vs, "POST"))
    assert len(posts) == len(syncable(px)) and set(posts.values()) == {1}
    assert {e["employeeNumber"] for e in vs.employees()} == {w["employeeId"] for w in syncable(px)}


@pytest.mark.slow
def test_a_parallel_backfill_under_a_low_rate_limit_completes_within_it(paychex, px, vs, settings):
    settings.SYNCJOBS = {**settings.SYNCJOBS, "BACKFILL_CONCURRENCY": 4}
    vs.faults.rate_limit, vs.faults.rate_window_seconds = 30, 1.0  # ~4 windows for this backfill

    run = backfill.backfill(paychex)

    statuses = Counter(r["status"] for r in api_calls(vs))
    # Four threads would overshoot at each window's end without the per-process budget in connector.http.
    assert run.status == SyncRun.Status.SUCCEEDED
    assert {e["employeeNumber"] for e in vs.employees()} == {w["employeeId"] for w in syncable(px)}
    assert statuses[429] == 0, statuses
