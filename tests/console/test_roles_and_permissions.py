"""Roles: each group sees only its buttons, and the URLs behind the buttons refuse everyone else (403)."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from syncjobs.models import ErrorItem, SyncRun
from syncjobs.roles import FINANCE, HR_STAFF, INTEGRATION_ADMIN, ROLES, sync_roles


def perms(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_three_roles_exist_after_migrate_with_their_permissions(db):
    assert set(ROLES) <= set(Group.objects.values_list("name", flat=True))
    assert {"syncjobs.resync_worker", "syncjobs.retry_error", "mappings.view_organizationmapping"} <= perms(HR_STAFF)
    assert "mappings.change_organizationmapping" not in perms(HR_STAFF)
    assert {"mappings.change_organizationmapping", "syncjobs.view_reconciliation", "syncjobs.view_worker"} <= perms(FINANCE)
    assert "syncjobs.resync_worker" not in perms(FINANCE)
    assert {"connector.test_connection", "connector.register_webhooks", "connector.change_connection",
            "syncjobs.start_backfill"} <= perms(INTEGRATION_ADMIN)
    assert not any(p.startswith("auth.") for p in perms(INTEGRATION_ADMIN))


def test_roles_are_reset_to_their_definition_and_cover_models_added_later(db):
    group = Group.objects.get(name=HR_STAFF)
    group.permissions.clear()

    sync_roles()

    assert "syncjobs.resync_worker" in perms(HR_STAFF)


def test_hr_sees_resync_but_finance_does_not_and_its_url_refuses_finance(hr, finance, worker):
    page = reverse("admin:syncjobs_worker_change", args=[worker.pk])
    assert 'id="resync-button"' in hr.get(page).content.decode()
    assert 'id="resync-button"' not in finance.get(page).content.decode()
    assert finance.post(reverse("admin:syncjobs_worker_resync", args=[worker.pk])).status_code == 403
    changelist = finance.get(reverse("admin:syncjobs_worker_changelist")).content.decode()
    assert 'value="resync"' not in changelist
    finance.post(reverse("admin:syncjobs_worker_changelist"), {"action": "resync", "_selected_action": [worker.pk]})
    assert not SyncRun.objects.exists()


def test_finance_cannot_retry_or_resolve_errors(finance, error_item):
    assert finance.get(reverse("admin:syncjobs_erroritem_change", args=[error_item.pk])).status_code == 403
    assert finance.post(reverse("admin:syncjobs_erroritem_retry", args=[error_item.pk])).status_code == 403
    assert finance.post(reverse("admin:syncjobs_erroritem_resolve", args=[error_item.pk])).status_code == 403
    assert ErrorItem.objects.get().status == "open"


def test_hr_reads_mappings_but_cannot_edit_or_import(hr, org_mapping):
    page = hr.get(reverse("admin:mappings_organizationmapping_changelist")).content.decode()
    assert "Import CSV" not in page and 'name="form-0-target"' not in page
    assert hr.get(reverse("admin:mappings_organizationmapping_import")).status_code == 403
    assert hr.post(reverse("admin:mappings_organizationmapping_change", args=[org_mapping.pk]),
                   {"target": "NEWDEPT"}).status_code == 403


def test_finance_edits_mappings_and_imports(finance, org_mapping):
    page = finance.get(reverse("admin:mappings_organizationmapping_changelist")).content.decode()
    assert "Import CSV" in page and 'name="form-0-target"' in page
    assert finance.get(reverse("admin:mappings_organizationmapping_import")).status_code == 200


def test_only_the_integration_admin_sees_connection_buttons(hr, integration_admin, paychex):
    page = reverse("admin:connector_connection_change", args=[paychex.pk])
    assert 'id="test-button"' in integration_admin.get(page).content.decode()
    hr_page = hr.get(page).content.decode()
    assert 'id="test-button"' not in hr_page and 'name="_save"' not in hr_page
    assert hr.post(reverse("admin:connector_connection_test", args=[paychex.pk])).status_code == 403
    changelist = integration_admin.get(reverse("admin:connector_connection_changelist")).content.decode()
    assert 'value="test_connection"' in changelist and 'value="register_paychex_webhooks"' in changelist
    assert 'value="test_connection"' not in hr.get(reverse("admin:connector_connection_changelist")).content.decode()


@pytest.mark.parametrize("role", [HR_STAFF, FINANCE, INTEGRATION_ADMIN])
def test_every_role_opens_the_dashboard(login, role, worker):
    assert login(role).get(reverse("admin:index")).status_code == 200


def test_the_run_progress_endpoint_needs_the_run_view_permission(login, run, db):
    from django.contrib.auth.models import User
    from django.test import Client

    nobody = User.objects.create_user("nobody", "", "pw", is_staff=True)
    client = Client()
    client.force_login(nobody)
    assert client.get(reverse("admin:syncjobs_syncrun_progress", args=[run.pk])).status_code == 403
    assert login(HR_STAFF).get(reverse("admin:syncjobs_syncrun_progress", args=[run.pk])).json()["status"] == "succeeded"


def test_reconciliation_and_backfill_pages_are_in_the_menu_of_the_roles_that_may_open_them(hr, finance,
                                                                                          integration_admin, worker):
    reconciliation, backfill = reverse("admin:syncjobs_reconciliation"), reverse("admin:syncjobs_start_backfill")
    finance_page = finance.get(reverse("admin:index")).content.decode()
    assert reconciliation in finance_page and backfill not in finance_page
    assert backfill in integration_admin.get(reverse("admin:index")).content.decode()
    assert reconciliation not in hr.get(reverse("admin:index")).content.decode()
    assert hr.get(reconciliation).status_code == 403
    assert finance.get(backfill).status_code == 403


def test_the_initial_load_step_links_the_start_backfill_page(login, db):
    page = login("superuser").get(reverse("admin:index")).content.decode()

    assert f'<a href="{reverse("admin:syncjobs_start_backfill")}">Run the initial load</a>' in page
