"""Fixtures for the console tests: offline connections and rows (no HTTP), and a logged-in client per role."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from audit.models import AuditRecord
from audit.services import record
from connector.models import Connection
from mappings.models import CatalogValue, OrganizationMapping, TargetSettings
from syncjobs.models import ErrorItem, RunItem, SyncRun, Worker
from syncjobs.roles import FINANCE, HR_STAFF, INTEGRATION_ADMIN, sync_roles

HOSTILE_NAME = '<img src=x onerror="alert(1)">'


@pytest.fixture
def visma(db: Any) -> Connection:
    return Connection.objects.create(name="Visma offline", system="visma", base_url="https://visma.invalid",
                                     token_url="https://visma.invalid/token", client_id="v", tenant_id="t")


@pytest.fixture
def paychex(visma: Connection) -> Connection:
    return Connection.objects.create(name="Paychex offline", system="paychex", base_url="https://paychex.invalid",
                                     token_url="https://paychex.invalid/token", client_id="p", company_id="C1",
                                     destination=visma)


@pytest.fixture
def worker(paychex: Connection) -> Worker:
    return Worker.objects.create(connection=paychex, worker_id="W-1", employee_cd="1001", given_name="Åse",
                                 family_name="Ødegård", organization_id="ORG-1", status_type="ACTIVE",
                                 last_result="updated", paychex_profile={"name": {"givenName": "Åse"}},
                                 last_desired={"first_name": "Åse", "department": "LAGER"})


@pytest.fixture
def held_worker(paychex: Connection) -> Worker:
    return Worker.objects.create(connection=paychex, worker_id="W-2", given_name=HOSTILE_NAME, family_name="Held",
                                 organization_id="ORG-NEW", status_type="ACTIVE", last_result="held",
                                 hold_reason="organization ORG-NEW has no Visma cost center")


@pytest.fixture
def run(worker: Worker) -> SyncRun:
    run = SyncRun.objects.create(trigger="resync", status="succeeded", started_by="kari", connection=worker.connection,
                                 seen=1, updated=1)
    RunItem.objects.create(run=run, worker=worker, paychex_worker_id=worker.worker_id, outcome="updated",
                           changes={"last_name": ["Old", "Ødegård"]})
    return run


@pytest.fixture
def error_item(held_worker: Worker) -> ErrorItem:
    return ErrorItem.objects.create(worker=held_worker, connection=held_worker.connection, category="held",
                                    reason=held_worker.hold_reason, status="open",
                                    request_excerpt='PUT /v1/employee/1002 {"client_secret": "s3cr3t-value"}',
                                    response_excerpt='{"message": "Bearer abcdefghijklmnop"}')


@pytest.fixture
def audit_record(worker: Worker, run: SyncRun) -> AuditRecord:
    return record(AuditRecord.Action.EMPLOYEE_UPDATED, reason="manual resync by kari", worker_id=worker.worker_id,
                  employee_cd=worker.employee_cd, changes={"last_name": ["Old", "Ødegård"]}, run_id=run.pk,
                  username="kari")


@pytest.fixture
def org_mapping(paychex: Connection, visma: Connection) -> OrganizationMapping:
    TargetSettings.objects.create(visma_connection=visma)
    CatalogValue.objects.create(visma_connection=visma, kind="department", value_id="LAGER", description="Lager")
    CatalogValue.objects.create(visma_connection=visma, kind="department", value_id="NEWDEPT", description="Ny")
    return OrganizationMapping.objects.create(paychex_connection=paychex, source_id="ORG-NEW", source_name="Ny avdeling")


@pytest.fixture
def roles(db: Any) -> None:
    sync_roles()


@pytest.fixture
def login(roles: None) -> Callable[[str], Client]:
    """login(role) → a client logged in as a staff user in that group (or a superuser for "superuser")."""

    def make(role: str) -> Client:
        username = role.lower().replace(" ", "_")
        if role == "superuser":
            user = User.objects.create_superuser(username, f"{username}@example.com", "pw")
        else:
            user = User.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
            user.groups.add(Group.objects.get(name=role))
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def hr(login: Callable[[str], Client]) -> Client:
    return login(HR_STAFF)


@pytest.fixture
def finance(login: Callable[[str], Client]) -> Client:
    return login(FINANCE)


@pytest.fixture
def integration_admin(login: Callable[[str], Client]) -> Client:
    return login(INTEGRATION_ADMIN)
