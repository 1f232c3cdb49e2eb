"""The admin pages: tables list unmapped rows first, CSV upload/download, settings and catalog pages."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mappings.models import CatalogValue, OrganizationMapping, TargetSettings
from tests.mappings.conftest import add_catalog


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("kari", "kari@example.com", "pw"))
    return client


@pytest.fixture
def rows(offline_paychex, offline_visma):
    add_catalog(offline_visma, "department", {"OKONOMI": "Økonomi", "HR": "HR & Lønn"})
    OrganizationMapping.objects.create(paychex_connection=offline_paychex, source_id="1", source_name="Økonomi",
                                       target="OKONOMI", origin="auto")
    OrganizationMapping.objects.create(paychex_connection=offline_paychex, source_id="2", source_name="HR & Lønn")
    return offline_paychex


def test_mapping_table_lists_rows_needing_mapping_first(rows, admin_client):
    response = admin_client.get(reverse("admin:mappings_organizationmapping_changelist"))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("HR &amp; Lønn") < page.index("Økonomi")
    assert "Import CSV" in page and "Preview a worker" in page


def test_csv_upload_in_the_admin_imports(rows, admin_client):
    upload = SimpleUploadedFile("orgs.csv", "source_id;target\r\n2;HR\r\n".encode("utf-8-sig"))

    response = admin_client.post(reverse("admin:mappings_organizationmapping_import"),
                                 {"paychex_connection": rows.pk, "file": upload})

    assert response.status_code == 302
    assert OrganizationMapping.objects.get(source_id="2").target == "HR"


def test_a_bad_csv_upload_names_the_row_and_imports_nothing(rows, admin_client):
    upload = SimpleUploadedFile("orgs.csv", b"source_id,target\r\n2,HR\r\n1,NOPE\r\n")

    response = admin_client.post(reverse("admin:mappings_organizationmapping_import"),
                                 {"paychex_connection": rows.pk, "file": upload}, follow=True)

    page = response.content.decode()
    assert "Row 3 (Økonomi): &#x27;NOPE&#x27; is not a Visma department" in page and "Nothing was imported." in page
    assert OrganizationMapping.objects.get(source_id="2").target == ""


def test_csv_download_from_the_admin(rows, admin_client):
    response = admin_client.get(reverse("admin:mappings_organizationmapping_export"), {"paychex_connection": rows.pk})

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "1,Økonomi,,OKONOMI,Økonomi,auto" in response.content.decode("utf-8-sig")


def test_settings_status_and_catalog_pages_render(rows, offline_visma, admin_client):
    settings = TargetSettings.objects.create(visma_connection=offline_visma)
    value = CatalogValue.objects.first()

    for url in (reverse("admin:mappings_targetsettings_change", args=[settings.pk]),
                reverse("admin:mappings_statusmapping_changelist"),
                reverse("admin:mappings_catalogvalue_changelist"),
                reverse("admin:mappings_catalogvalue_change", args=[value.pk]),
                reverse("admin:mappings_preview")):
        assert admin_client.get(url).status_code == 200, url


def test_segment_cost_centers_without_default_department_are_refused_in_settings(offline_visma):
    settings = TargetSettings(visma_connection=offline_visma, cost_center_target="segment")

    with pytest.raises(Exception, match="Required when cost centers are segment values"):
        settings.full_clean()


def test_an_email_pattern_with_an_unknown_field_is_refused(offline_visma):
    settings = TargetSettings(visma_connection=offline_visma, email_fallback_pattern="{first_name}@x.invalid")

    with pytest.raises(Exception, match="Unknown field"):
        settings.full_clean()
