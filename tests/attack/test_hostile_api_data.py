"""Malformed or hostile data from the APIs themselves: missing fields, nulls, wrong types, unknown enums,
very long or control-character names, HTML in names.

Each such worker ends held or failed with a reason a person can act on (or synced with the value made
safe); the batch around it completes; the admin shows the HTML escaped.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from sandbox import paychex_render
from syncjobs import runs
from syncjobs.models import ErrorItem, SyncRun, Worker
from syncjobs.services import sync_worker
from tests.syncjobs.conftest import (  # noqa: F401  (fixtures)
    mapped, paychex, paychex_sandbox, visma, visma_sandbox, visma_writes,
)

SCRIPT = "<script>alert('x')</script>"


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def mutate(worker: dict) -> None:
        *parents, leaf = path.split(".")
        target = worker
        for key in parents:
            target = target.setdefault(key, {}) if isinstance(target.get(key), dict) or key not in target else target[key]
        if value is DELETE:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return mutate


DELETE = object()

# name -> (mutation, what must be true of the outcome)
HOSTILE: dict[str, Callable[[dict], None]] = {
    "no employeeId": _set("employeeId", DELETE),
    "employeeId null": _set("employeeId", None),
    "employeeId a number": _set("employeeId", 4711),
    "name null": _set("name", None),
    "no family name": _set("name.familyName", DELETE),
    "given name a number": _set("name.givenName", 42),
    "family name 10,000 characters": _set("name.familyName", "Å" * 10_000),
    "control characters in names": _set("name.givenName", "An\x00n\x07e\u202e\x1b[31m"),
    "HTML in the name": _set("name.familyName", SCRIPT),
    "unknown status": _set("currentStatus.statusType", "ON_MARS"),
    "status null": _set("currentStatus", None),
    "status a string": _set("currentStatus", "ACTIVE"),
    "effective date garbage": _set("currentStatus.effectiveDate", "yesterday-ish"),
    "hire date garbage": _set("hireDate", "31/02/2020"),
    "organization null": _set("organization", None),
    "organization a string": _set("organization", "1300"),
    "organization id unknown": _set("organization.organizationId", "no-such-org"),
    "job title id a number": _set("job.jobTitleId", 970003868919279),
    "job a list": _set("job", ["Operatør"]),
    "location id null": _set("locationId", None),
    "communications null": _set("communications", None),
    "email uri null": _set("communications", [{"type": "EMAIL", "uri": None}]),
    "communications garbage": _set("communications", ["x", 3, {"type": None}]),
    "unknown extra fields": _set("futureField", {"nested": [1, 2, {"deep": None}]}),
    "employeeId 10,000 characters": _set("employeeId", "9" * 10_000),
    "NUL in the employeeId": _set("employeeId", "10\x0001"),
    "status type with NUL, 500 characters": _set("currentStatus.statusType", "ACT\x00IVE" + "E" * 500),
    "organization id huge with NUL": _set("organization.organizationId", "\x00" + "7" * 10_000),
    "NUL in an unknown field": _set("futureField\x00", "value\x00"),
}
ALLOWED_OUTCOMES = {"created", "updated", "unchanged", "held", "failed", "skipped"}


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch, paychex_sandbox) -> dict[str, Callable[[dict], None]]:
    """Worker id -> mutation: the sandbox serves those workers mutated, in single reads and in pages."""
    mutations: dict[str, Callable[[dict], None]] = {}
    real = paychex_render.worker_dict

    def serve(record, *args, **kwargs):
        data = real(record, *args, **kwargs)
        mutate = mutations.get(record.worker_id)
        if mutate is None:
            return data
        data = copy.deepcopy(data)
        mutate(data)
        return data

    monkeypatch.setattr(paychex_render, "worker_dict", serve)
    return mutations


def active_ids(paychex_sandbox, count: int) -> list[str]:
    return [w["workerId"] for w in paychex_sandbox.workers() if w["currentStatus"]["statusType"] == "ACTIVE"][:count]


@pytest.fixture(autouse=True)
def inline_backfill(settings):
    """Backfill syncs inline: the test transaction is not shared with a thread pool's connections."""
    settings.SYNCJOBS = {**settings.SYNCJOBS, "BACKFILL_CONCURRENCY": 1}


@pytest.fixture
def big_sandbox(monkeypatch):
    """Enough active workers for one per hostile case (the default fixture has 12)."""
    from sandbox import PaychexSandbox

    with PaychexSandbox(workers=len(HOSTILE) * 2 + 10, seed=5, webhook_retry_seconds=0.1) as px:
        yield px


@pytest.fixture
def paychex_sandbox(big_sandbox):  # noqa: F811  (overrides the imported 12-worker sandbox)
    return big_sandbox


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_worker_ends_held_failed_or_safely_synced_with_a_clear_reason(
    mapped, paychex_sandbox, visma_sandbox, hostile, case
):
    worker_id = active_ids(paychex_sandbox, 1)[0]
    hostile[worker_id] = HOSTILE[case]

    result = sync_worker(mapped, worker_id, "hostile data test")

    assert result.outcome in ALLOWED_OUTCOMES, result
    assert not result.message.startswith("Unexpected error"), result.message  # a person must be told what is wrong
    worker = Worker.objects.get(worker_id=worker_id)
    if result.outcome in ("held", "failed"):
        assert result.message and ErrorItem.objects.filter(worker=worker).exclude(status="resolved").exists()
    for employee in visma_sandbox.employees():
        contact = employee["contact"]
        for name in ("firstName", "lastName", "middleName"):
            value = contact.get(name) or ""
            assert len(value) <= 100 and not any(ord(c) < 32 or c == "\x7f" for c in value), (name, value[:40])


def test_a_batch_with_hostile_workers_completes_and_syncs_every_other_worker(
    mapped, paychex_sandbox, visma_sandbox, hostile
):
    ids = active_ids(paychex_sandbox, len(HOSTILE))
    for worker_id, case in zip(ids, sorted(HOSTILE)):
        hostile[worker_id] = HOSTILE[case]

    run = runs.backfill_company(mapped.pk, started_by="hostile data test")

    run.refresh_from_db()
    assert run.status != SyncRun.Status.RUNNING and run.finished_at is not None
    assert not run.note.startswith("Listing"), run.note  # the listing itself survived the hostile pages
    outcomes = dict(Worker.objects.values_list("worker_id", "last_result"))
    for worker in paychex_sandbox.workers():
        if worker["workerId"] in hostile:
            assert outcomes.get(worker["workerId"]) in ALLOWED_OUTCOMES | {""}
        elif worker["currentStatus"]["statusType"] in ("ACTIVE", "INACTIVE", "TERMINATED"):
            assert outcomes[worker["workerId"]] in ("created", "updated", "unchanged"), worker["workerId"]
    unexpected = ErrorItem.objects.filter(reason__startswith="Unexpected error")
    assert not unexpected.exists(), list(unexpected.values_list("reason", flat=True))


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-attack-9f2")
    client.force_login(user)
    return client


def test_html_in_a_name_is_shown_escaped_on_every_admin_page(mapped, paychex_sandbox, visma_sandbox, hostile,
                                                             admin_client):
    worker_id = active_ids(paychex_sandbox, 1)[0]
    hostile[worker_id] = _set("name.familyName", SCRIPT)
    held_id = active_ids(paychex_sandbox, 2)[1]
    hostile[held_id] = lambda w: (_set("name.givenName", SCRIPT)(w), _set("organization.organizationId", "nope")(w))
    run = runs.backfill_company(mapped.pk, started_by="html test")
    worker = Worker.objects.get(worker_id=worker_id)

    pages = [reverse("admin:syncjobs_worker_changelist"), reverse("admin:syncjobs_worker_changelist") + "?q=script",
             reverse("admin:syncjobs_worker_change", args=[worker.pk]),
             reverse("admin:syncjobs_worker_change", args=[Worker.objects.get(worker_id=held_id).pk]),
             reverse("admin:syncjobs_syncrun_change", args=[run.pk]), reverse("admin:syncjobs_erroritem_changelist"),
             reverse("admin:audit_auditrecord_changelist")]
    for item in ErrorItem.objects.all():
        pages.append(reverse("admin:syncjobs_erroritem_change", args=[item.pk]))
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert "<script>alert" not in html, page
    worker_page = admin_client.get(reverse("admin:syncjobs_worker_change", args=[worker.pk])).content.decode()
    assert "&lt;script&gt;" in worker_page
