"""The audit trail in the admin is read-only: no add, change or delete, and no bulk delete action."""
from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from audit.services import record


@pytest.fixture
def audit_record(db) -> AuditRecord:
    return record(AuditRecord.Action.EMPLOYEE_UPDATED, reason="manual resync by hr", worker_id="W1",
                  employee_cd="105", changes={"last_name": ["Old", "New"]}, run_id=42, username="hr")


def test_the_list_shows_changes_as_old_to_new(admin_client, audit_record):
    page = admin_client.get(reverse("admin:audit_auditrecord_changelist")).content.decode()

    assert "last_name: Old → New" in page


@pytest.mark.parametrize("query", ["W1", "105", "manual resync", "hr", "42"])
def test_search_finds_by_worker_employee_reason_user_and_run(admin_client, audit_record, query):
    other = record(AuditRecord.Action.HELD, reason="Held: something", worker_id="W2", employee_cd="999")

    page = admin_client.get(reverse("admin:audit_auditrecord_changelist"), {"q": query}).content.decode()

    assert reverse("admin:audit_auditrecord_change", args=[audit_record.pk]) in page
    assert reverse("admin:audit_auditrecord_change", args=[other.pk]) not in page


def test_filters_by_action(admin_client, audit_record):
    response = admin_client.get(reverse("admin:audit_auditrecord_changelist"), {"action__exact": "held"})

    assert reverse("admin:audit_auditrecord_change", args=[audit_record.pk]) not in response.content.decode()


def test_nothing_can_be_added_changed_or_deleted_in_the_admin(admin_client, audit_record):
    change = reverse("admin:audit_auditrecord_change", args=[audit_record.pk])
    assert admin_client.get(reverse("admin:audit_auditrecord_add")).status_code == 403
    assert 'name="_save"' not in admin_client.get(change).content.decode()
    admin_client.post(change, {"reason": "rewritten"})
    assert admin_client.post(reverse("admin:audit_auditrecord_delete", args=[audit_record.pk]),
                             {"post": "yes"}).status_code == 403
    assert AuditRecord.objects.get().reason == "manual resync by hr"


def test_the_list_offers_no_bulk_delete(admin_client, audit_record):
    page = admin_client.get(reverse("admin:audit_auditrecord_changelist")).content.decode()

    assert "delete_selected" not in page
