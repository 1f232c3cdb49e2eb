"""The console in a real browser, per role: dashboard, resync, fix an unmapped value, retry, audit diff, and
the buttons a role may not use are absent (their URLs refuse). Screenshots: test-artifacts/screenshots/."""
from __future__ import annotations

import re
from typing import Any

import pytest

from audit.models import AuditRecord
from syncjobs.models import ErrorItem, SyncRun, Worker
from syncjobs.services import sync_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def loaded(company: dict[str, Any]) -> dict[str, Any]:
    """The sandbox company synced once, plus a new hire at the organization nobody mapped (held)."""
    px, paychex = company["px"], company["paychex"]
    run = SyncRun.objects.create(trigger="backfill", started_by="browser test", connection=paychex)
    run.start(60)
    for worker in px.workers():
        sync_worker(paychex, worker["workerId"], "initial load", run=run)
    run.finish()
    hire = px.hire("Åse <b>", "Ødegård", organization_id=company["unmapped_org"]["organizationId"])
    assert sync_worker(paychex, hire["workerId"], "Paychex notification n-1 (WRKR_ADD)").outcome == "held"
    return {**company, "held": Worker.objects.get(worker_id=hire["workerId"])}


def synced_worker() -> Worker:
    return Worker.objects.filter(last_result__in=["created", "updated", "unchanged"]).order_by("pk").first()


def test_hr_opens_the_dashboard_resyncs_a_worker_and_sees_the_run(login, loaded, screenshot, live_server):
    page = login("HR staff")
    assert page.locator("#card-held .big").inner_text() == "1"
    assert page.locator("svg.chart").count() == 1
    screenshot("dashboard-hr")

    worker = synced_worker()
    page.goto(f"{live_server.url}/admin/syncjobs/worker/?q={worker.employee_cd}")
    screenshot("workers-hr")
    page.click(f"#result_list a[href*='/admin/syncjobs/worker/{worker.pk}/change/']")
    screenshot("worker-page")
    page.click("#resync-button")
    message = page.locator("ul.messagelist li").first
    assert "Resync queued for 1 worker(s)" in message.inner_text()

    message.locator("a").first.click()
    run = SyncRun.objects.filter(trigger="resync").get()
    assert run.status in SyncRun.FINAL and run.started_by == "hr_staff"
    assert page.locator("#run-items").inner_text().count(worker.worker_id) == 1
    screenshot("run-page")


def test_finance_fixes_an_unmapped_value_and_the_held_worker_syncs(login, loaded, screenshot, live_server):
    page = login("Finance")
    page.click("#card-unmapped a.fix")
    assert "mapped=no" in page.url
    screenshot("mappings-needs-mapping")

    page.fill("input[name='form-0-target']", "LEDELSE")
    page.click("input[name='_save']")
    assert re.search(r"1 worker\(s\) will be resynced", page.locator("ul.messagelist").inner_text())
    held = Worker.objects.get(pk=loaded["held"].pk)
    assert held.last_result == "created", held.last_message
    assert loaded["vs"].employee(held.employee_cd)["department"] == "LEDELSE"

    page.goto(f"{live_server.url}/admin/syncjobs/worker/{held.pk}/change/")
    assert "Created" in page.locator(".field-sync_state").inner_text()
    assert "<b>" in page.locator("#content h2, #content").first.inner_text()  # shown as text, not markup
    screenshot("held-worker-synced")


def test_hr_retries_a_failed_item(login, loaded, screenshot, live_server):
    worker = synced_worker()
    item = ErrorItem.objects.create(worker=worker, connection=worker.connection, category="permanent", status="open",
                                    reason="Visma refused the record: e-mail address is not valid",
                                    request_excerpt="PUT /v1/employee/1001", response_excerpt='{"message": "…"}')
    page = login("HR staff")
    page.goto(f"{live_server.url}/admin/syncjobs/erroritem/?status__exact=open")
    screenshot("error-queue")
    page.check(f"input[name='_selected_action'][value='{item.pk}']")
    page.select_option("select[name='action']", "retry")
    page.click("button[name='index']")
    assert "Retry queued for 1 item(s)" in page.locator("ul.messagelist").inner_text()
    item.refresh_from_db()
    assert item.status == "resolved"
    page.goto(f"{live_server.url}/admin/syncjobs/erroritem/{item.pk}/change/")
    screenshot("error-item-resolved")


def test_finance_reads_an_audit_diff(login, loaded, screenshot, live_server):
    loaded["px"].rename(synced_worker().worker_id, family_name="Bjørnstad-Haugen")
    sync_worker(loaded["paychex"], synced_worker().worker_id, "Paychex notification n-2 (WRKR_DEM)")
    record = AuditRecord.objects.filter(action="employee_updated").latest("id")

    page = login("Finance")
    page.goto(f"{live_server.url}/admin/audit/auditrecord/?reason_kind=notification")
    screenshot("audit-list")
    page.click(f"#result_list a[href*='/admin/audit/auditrecord/{record.pk}/change/']")
    page.wait_for_selector("table.diff td.new")
    assert "Bjørnstad-Haugen" in page.locator("table.diff td.new").all_inner_texts()
    screenshot("audit-diff")


def test_buttons_a_role_may_not_use_are_absent_and_their_urls_refuse(login, loaded, screenshot, live_server):
    worker, paychex = synced_worker(), loaded["paychex"]
    page = login("Finance")
    page.goto(f"{live_server.url}/admin/syncjobs/worker/{worker.pk}/change/")
    assert page.locator("#resync-button").count() == 0
    assert page.locator("#preview-link").count() == 1
    assert page.goto(f"{live_server.url}/admin/syncjobs/worker/{worker.pk}/resync/").status == 403
    assert page.goto(f"{live_server.url}/admin/syncjobs/erroritem/").status == 403

    page = login("HR staff")
    page.goto(f"{live_server.url}/admin/connector/connection/{paychex.pk}/change/")
    assert page.locator("#test-button").count() == 0
    page.goto(f"{live_server.url}/admin/mappings/organizationmapping/")
    assert page.get_by_text("Import CSV").count() == 0
    assert page.locator("input[name='form-0-target']").count() == 0
    assert page.goto(f"{live_server.url}/admin/mappings/organizationmapping/import/").status == 403

    page = login("Integration admin")
    page.goto(f"{live_server.url}/admin/connector/connection/{paychex.pk}/change/")
    page.click("#test-button")
    assert "Paychex sandbox:" in page.locator("ul.messagelist").inner_text()
    screenshot("connection-integration-admin")
