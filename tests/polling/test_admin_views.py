"""The reconciliation page (read-only, "Refresh now") and the "Start backfill" page, as wired into an admin site."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User

from syncjobs import backfill
from syncjobs.models import HeadcountReport, SyncRun

pytestmark = pytest.mark.urls("tests.polling.admin_urls")


@pytest.fixture
def paychex_workers() -> int:
    return 20


@pytest.fixture
def staff(db, client):
    user = User.objects.create_user("finance", password="x", is_staff=True)
    client.force_login(user)
    return user


def grant(user: User, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="syncjobs", codename__in=codenames))


def test_the_headcount_page_shows_the_stored_state_before_any_report(staff, client, paychex, px, vs):
    backfill.backfill(paychex)
    grant(staff, "view_reconciliation")
    vs.clear_requests()

    response = client.get("/admin/syncjobs/reconciliation/")

    assert response.status_code == 200
    assert "OK: Paychex and Visma agree." in response.content.decode()
    assert vs.requests == []  # the page reads nothing remote


def test_refresh_now_stores_a_report_that_reads_both_systems(staff, client, paychex, px, vs,
                                                              django_capture_on_commit_callbacks):
    backfill.backfill(paychex)
    grant(staff, "view_reconciliation")
    cd = next(w for w in px.workers() if w["currentStatus"]["statusType"] == "ACTIVE")["employeeId"]
    vs.edit_employee(cd, status="Inactive")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/syncjobs/reconciliation/refresh/")
    page = client.get("/admin/syncjobs/reconciliation/").content.decode()

    assert response.status_code == 302
    report = HeadcountReport.objects.get()
    assert report.refreshed and not report.ok and report.requested_by == "finance"
    assert "MISMATCH: 1 difference(s)." in page and cd in page


def test_the_pages_need_their_permissions(staff, client, paychex):
    assert client.get("/admin/syncjobs/reconciliation/").status_code == 403
    assert client.post(f"/admin/syncjobs/backfill/{paychex.pk}/").status_code == 403


def test_start_backfill_queues_a_run_that_reports_its_progress(staff, client, paychex, px, vs,
                                                                django_capture_on_commit_callbacks):
    grant(staff, "start_backfill")

    assert "Start backfill" in client.get("/admin/syncjobs/backfill/").content.decode()  # the only company
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/syncjobs/backfill/{paychex.pk}/")

    run = SyncRun.objects.get(trigger="backfill")
    assert response.status_code == 302 and response["Location"].endswith(f"/admin/syncjobs/syncrun/{run.pk}/change/")
    assert (run.status, run.percent_done, run.progress_done, run.started_by) == ("succeeded", 100, 20, "finance")
