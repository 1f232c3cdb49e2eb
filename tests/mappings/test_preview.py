"""Preview: the Visma record a worker would produce and what differs from Visma now, without writing."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from mappings.preview import preview
from mappings.refresh import refresh_catalog_and_match, refresh_reference_and_align
from sandbox import VismaSandbox


@pytest.fixture
def visma_sandbox(paychex_sandbox):
    """Visma with the employees a previous sync would have left (seeded from the Paychex sandbox)."""
    with VismaSandbox(seed=3, employees_from=paychex_sandbox) as vs:
        yield vs


@pytest.fixture
def mapped(paychex, visma):
    refresh_catalog_and_match(visma)
    refresh_reference_and_align(paychex)
    return paychex


def synced_worker(paychex_sandbox, visma_sandbox):
    """A seeded worker Visma already has as an employee, with an e-mail in Paychex."""
    for worker in paychex_sandbox.workers():
        employee = visma_sandbox.employee(worker["employeeId"])
        if employee and worker["currentStatus"]["statusType"] == "ACTIVE" and any(
                c.get("type") == "EMAIL" for c in paychex_sandbox.worker(worker["workerId"]).get("communications", [])):
            return worker, employee
    raise AssertionError("the seed has no synced active worker")


def writes(sandbox):
    return [r for r in sandbox.requests if r["method"] in ("POST", "PUT", "PATCH", "DELETE") and "/v1/" in r["path"]]


def test_preview_shows_the_difference_from_visma_and_writes_nothing(mapped, paychex_sandbox, visma_sandbox):
    worker, employee = synced_worker(paychex_sandbox, visma_sandbox)
    visma_sandbox.edit_employee(worker["employeeId"], last_name="Changed-In-Visma")
    visma_sandbox.clear_requests()
    paychex_sandbox.clear_requests()

    result = preview(mapped, worker["workerId"])

    assert result.error == "" and result.action == "update"
    assert result.changes["last_name"] == ("Changed-In-Visma", worker["name"]["familyName"])
    assert result.translation.employee["employee_cd"] == worker["employeeId"]
    assert writes(visma_sandbox) == []


def test_preview_of_a_worker_visma_lacks_says_create(mapped, paychex_sandbox):
    hired = paychex_sandbox.hire("Åse", "Ødegård")

    result = preview(mapped, hired["workerId"])

    assert result.action == "create" and result.current is None
    assert result.changes["last_name"] == (None, "Ødegård")


def test_preview_of_an_unknown_worker_reports_the_error(mapped):
    result = preview(mapped, "00NOSUCHWORKER000000")

    assert result.action == "error" and result.error


def test_admin_preview_page_renders_the_diff(mapped, client, db, paychex_sandbox, visma_sandbox):
    client.force_login(User.objects.create_superuser("kari", "k@example.com", "pw"))
    worker, employee = synced_worker(paychex_sandbox, visma_sandbox)
    visma_sandbox.edit_employee(worker["employeeId"], last_name="Changed-In-Visma")
    visma_sandbox.clear_requests()

    response = client.get(reverse("admin:mappings_preview"),
                          {"paychex_connection": mapped.pk, "worker_id": worker["workerId"]})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Changed-In-Visma" in page and "<strong>changes</strong>" in page and ": update</h2>" in page
    assert writes(visma_sandbox) == []
