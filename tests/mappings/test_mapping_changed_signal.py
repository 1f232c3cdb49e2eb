"""mapping_changed fires after commit, once per change set, with exactly the changed source ids."""
from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse

from mappings import signals
from mappings.csv_io import import_csv
from mappings.matching import match
from mappings.models import MappingRow, OrganizationMapping, StatusMapping
from mappings.services import ensure_status_mapping
from tests.mappings.conftest import add_catalog


@pytest.fixture
def received() -> Any:
    calls: list[dict[str, Any]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        calls.append({key: kwargs[key] for key in ("paychex_connection_id", "kind", "source_ids")})

    signals.mapping_changed.connect(listener)
    yield calls
    signals.mapping_changed.disconnect(listener)


@pytest.fixture
def rows(offline_paychex, offline_visma):
    add_catalog(offline_visma, "department", {"OKONOMI": "Økonomi", "HR": "HR & Lønn", "IT": "IT"})
    for source_id, name in (("1", "Økonomi"), ("2", "HR & Lønn"), ("3", "Innkjøp")):
        OrganizationMapping.objects.create(paychex_connection=offline_paychex, source_id=source_id, source_name=name)
    return offline_paychex


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser("kari", "kari@example.com", "pw")
    client.force_login(user)
    return client


def test_automatic_matching_announces_only_the_rows_it_changed(rows, received, django_capture_on_commit_callbacks):
    OrganizationMapping.objects.filter(source_id="2").update(target="HR", origin=MappingRow.Origin.AUTO)

    with django_capture_on_commit_callbacks(execute=True):
        match(rows)

    assert received == [{"paychex_connection_id": rows.pk, "kind": "organization", "source_ids": ("1",)}]


def test_nothing_is_announced_before_commit_or_after_rollback(rows, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                match(rows)
                assert received == []
                raise RuntimeError("roll back")
        except RuntimeError:
            pass

    assert received == []


def test_csv_import_announces_once_with_every_changed_row(rows, received, django_capture_on_commit_callbacks):
    data = b"source_id,target\r\n1,OKONOMI\r\n2,HR\r\n3,\r\n"

    with django_capture_on_commit_callbacks(execute=True):
        import_csv(rows, "organization", data, username="finance")

    assert received == [{"paychex_connection_id": rows.pk, "kind": "organization", "source_ids": ("1", "2")}]


def test_an_admin_edit_announces_that_row(rows, admin_client, received, django_capture_on_commit_callbacks):
    row = OrganizationMapping.objects.get(source_id="3")
    url = reverse("admin:mappings_organizationmapping_change", args=[row.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"target": "IT"})

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.target, row.origin, row.set_by) == ("IT", "manual", "kari")
    assert received == [{"paychex_connection_id": rows.pk, "kind": "organization", "source_ids": ("3",)}]


def test_an_admin_edit_to_an_unknown_value_is_refused_and_announces_nothing(rows, admin_client, received):
    row = OrganizationMapping.objects.get(source_id="3")

    response = admin_client.post(reverse("admin:mappings_organizationmapping_change", args=[row.pk]), {"target": "NOPE"})

    assert response.status_code == 200
    assert "&#x27;NOPE&#x27; is not a Visma department" in response.content.decode()
    assert received == [] and OrganizationMapping.objects.get(source_id="3").target == ""


def test_list_editable_changes_are_announced_once_per_change_set(rows, admin_client, received,
                                                                  django_capture_on_commit_callbacks):
    listed = list(OrganizationMapping.objects.order_by("pk"))
    form = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "3", "_save": "Save"}
    for index, (row, target) in enumerate(zip(listed, ("OKONOMI", "HR", ""))):
        form[f"form-{index}-id"] = str(row.pk)
        form[f"form-{index}-target"] = target

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:mappings_organizationmapping_changelist"), form)

    assert response.status_code == 302
    assert received == [{"paychex_connection_id": rows.pk, "kind": "organization", "source_ids": ("1", "2")}]


def test_a_status_mapping_edit_announces_the_status(offline_paychex, admin_client, received,
                                                    django_capture_on_commit_callbacks):
    ensure_status_mapping(offline_paychex)
    row = StatusMapping.objects.get(paychex_connection=offline_paychex, status_type="INACTIVE")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:mappings_statusmapping_change", args=[row.pk]),
                          {"paychex_connection": offline_paychex.pk, "status_type": "INACTIVE",
                           "visma_status": "HoldPayments", "note": "leave"})

    assert received == [{"paychex_connection_id": offline_paychex.pk, "kind": "status", "source_ids": ("INACTIVE",)}]
