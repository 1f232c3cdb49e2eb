"""Fixtures for the sync engine: running sandboxes, connections to them, mappings, a webhook poster."""
from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from connector import http
from connector.models import Connection
from mappings.models import JobTitleMapping, LocationMapping, OrganizationMapping
from tests.sandboxes import paychex_connection, visma_connection
from sandbox import PaychexSandbox, VismaSandbox
from sandbox import names
from syncjobs.api.auth import credentials
from syncjobs.models import Worker

WEBHOOK_URL = "/webhooks/paychex/"
WEBHOOK_USER, WEBHOOK_PASSWORD = "mlc-test", "s3cret-webhook-password"


@pytest.fixture(autouse=True)
def fresh_process_state() -> Iterator[None]:
    http.reset_process_state()
    credentials.clear()
    yield
    http.reset_process_state()
    credentials.clear()


@pytest.fixture
def paychex_sandbox() -> Iterator[PaychexSandbox]:
    with PaychexSandbox(workers=12, seed=5, webhook_retry_seconds=0.1) as px:
        yield px


@pytest.fixture
def visma_sandbox() -> Iterator[VismaSandbox]:
    with VismaSandbox(seed=5) as vs:  # no employees: every create is the connector's
        yield vs


@pytest.fixture
def visma(db: Any, visma_sandbox: VismaSandbox) -> Connection:
    return visma_connection(visma_sandbox, "Visma test")


@pytest.fixture
def paychex(db: Any, paychex_sandbox: PaychexSandbox, visma: Connection) -> Connection:
    connection = paychex_connection(paychex_sandbox, visma, "Paychex test", webhook_username=WEBHOOK_USER,
                                    webhook_password=WEBHOOK_PASSWORD)
    seed_backoff_steps()
    return connection


def seed_backoff_steps() -> None:
    """The migration seeds the schedule, but a transactional test elsewhere in the suite may have flushed it."""
    from syncjobs.models import BackoffStep

    for attempt, delay in enumerate((30, 120, 600, 3600, 21600), start=1):
        BackoffStep.objects.get_or_create(attempt=attempt, defaults={"delay_seconds": delay})


@pytest.fixture
def mapped(paychex: Connection, paychex_sandbox: PaychexSandbox) -> Connection:
    """Every Paychex organization, job title and location of the sandbox has a Visma value."""
    departments = {number: value[0] for number, value in names.VISMA_DEPARTMENTS.items() if value}
    for org in paychex_sandbox.organizations():
        target = departments.get(org.get("number"), "ADMIN")
        OrganizationMapping.objects.create(paychex_connection=paychex, source_id=org["organizationId"], target=target)
    for title in paychex_sandbox.job_titles():
        JobTitleMapping.objects.create(paychex_connection=paychex, source_id=title["jobTitleId"], target="SKL")
    for location in paychex_sandbox.locations():
        LocationMapping.objects.create(paychex_connection=paychex, source_id=location["locationId"], target="1")
    return paychex


def basic(username: str = WEBHOOK_USER, password: str = WEBHOOK_PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def notification(worker_id: str, domain: str = "WRKR_EMPL", *, notification_id: str = "", company_id: str = "",
                 **extra: Any) -> dict[str, Any]:
    import uuid

    return {"companyId": company_id, "workerId": worker_id, "asOfDate": "2024-06-07T10:10:24.000+00:00",
            "domains": [domain], "action": "UPDATE", "notificationType": "WORKER_MESSAGE",
            "notificationId": notification_id or str(uuid.uuid4()), **extra}


@pytest.fixture
def post_webhook(client: Client, django_capture_on_commit_callbacks) -> Callable[..., Any]:
    """POST a body to the receiver as Paychex would, running what it enqueues after commit (sync queue)."""

    def post(body: Any, *, auth: str | None = None, raw: bytes | None = None, **headers: Any):
        data = raw if raw is not None else json.dumps(body).encode()
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(WEBHOOK_URL, data=data, content_type="application/json",
                               HTTP_AUTHORIZATION=basic() if auth is None else auth, **headers)

    return post


def visma_writes(visma_sandbox: VismaSandbox) -> list[dict[str, Any]]:
    """Employee creates and updates Visma received (reads and token calls left out)."""
    return [r for r in visma_sandbox.requests if r["method"] in ("POST", "PUT") and "/employee" in r["path"]]


def worker_record(paychex: Connection, worker_id: str) -> Worker:
    return Worker.objects.get(connection=paychex, worker_id=worker_id)


def visma_employee(visma_sandbox: VismaSandbox, employee_cd: str) -> dict[str, Any] | None:
    """The sandbox's employee, flattened to the fields the tests look at."""
    dto = visma_sandbox.employee(employee_cd)
    if dto is None:
        return None
    contact = dto["contact"]
    return {"first_name": contact.get("firstName"), "last_name": contact.get("lastName"), "status": dto["status"],
            "department": dto["department"], "branch": dto["branch"]["number"], "etag": dto["timeStamp"]}


def active_worker(paychex_sandbox: PaychexSandbox, skip: int = 0) -> dict[str, Any]:
    """An ACTIVE sandbox worker (the `skip`-th one) as Paychex serves it."""
    active = [w for w in paychex_sandbox.workers() if w["currentStatus"]["statusType"] == "ACTIVE"]
    return active[skip]


@pytest.fixture
def synced(mapped: Connection, paychex_sandbox: PaychexSandbox, visma_sandbox: VismaSandbox) -> dict[str, Any]:
    """An active worker already created in Visma by an earlier sync; the request logs start empty after it."""
    from syncjobs.services import sync_worker

    data = active_worker(paychex_sandbox)
    assert sync_worker(mapped, data["workerId"], "setup").outcome == "created"
    visma_sandbox.clear_requests()
    paychex_sandbox.clear_requests()
    return data
