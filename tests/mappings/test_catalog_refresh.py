"""The Visma catalog cache, read from the Visma sandbox: full and incremental refresh."""
from __future__ import annotations

from datetime import timedelta

from mappings.catalog import refresh_catalog
from mappings.models import CatalogValue, TargetSettings
from mappings.services import target_settings
from sandbox import names


def values(visma, kind):
    return dict(CatalogValue.objects.filter(visma_connection=visma, kind=kind).values_list("value_id", "description"))


def test_full_refresh_reads_departments_job_titles_and_branches(visma, visma_sandbox):
    result = refresh_catalog(visma)

    departments = values(visma, "department")
    assert departments["KVALITET"] == "Kvalitet & HMS"  # trimmed
    assert departments["ADMIN"] == "Administrasjon"
    assert len(departments) == len([d for d in names.VISMA_DEPARTMENTS.values() if d]) + 1
    assert values(visma, "job_title")["SKL"] == "skiftleder"
    assert values(visma, "branch") == {"1": "Oslo HQ", "2": "Plant Gjøvik", "3": "Plant Västerås", "4": "Plant Århus"}
    assert "cost_center" not in set(CatalogValue.objects.values_list("kind", flat=True))  # departments are the default
    assert result.created == CatalogValue.objects.count()
    assert target_settings(visma).catalog_refreshed_at is not None


def test_segment_cost_centers_are_read_when_chosen(visma):
    TargetSettings.objects.create(visma_connection=visma, cost_center_target="segment", default_department="ADMIN")

    refresh_catalog(visma)

    assert values(visma, "cost_center")["4100"] == "Økonomi"


def test_a_value_gone_from_visma_is_marked_inactive_on_full_refresh_never_deleted(visma):
    refresh_catalog(visma)
    CatalogValue.objects.create(visma_connection=visma, kind="department", value_id="GONE", description="Removed")

    result = refresh_catalog(visma)

    assert result.deactivated == 1 and result.created == 0 and result.updated == 0
    assert CatalogValue.objects.get(value_id="GONE").active is False


def test_incremental_refresh_asks_visma_only_for_changes_and_picks_them_up(visma, visma_sandbox):
    refresh_catalog(visma)
    settings = target_settings(visma)
    # Visma's clock and ours differ in the sandbox: look back far enough to include the edit below.
    TargetSettings.objects.filter(pk=settings.pk).update(catalog_refreshed_at=settings.catalog_refreshed_at - timedelta(days=1))
    visma_sandbox.upsert_department("IT", "IT og digitalisering")
    visma_sandbox.edit_segment_value("SUBACCOUNT", 2, "SKL", description="Skiftleder")
    visma_sandbox.clear_requests()

    result = refresh_catalog(visma, full=False)

    assert values(visma, "department")["IT"] == "IT og digitalisering"
    assert values(visma, "job_title")["SKL"] == "Skiftleder"
    assert result.updated == 2 and result.deactivated == 0
    department_reads = [r for r in visma_sandbox.requests if r["path"].endswith("/v1/department")]
    assert len(department_reads) == 1 and "lastModifiedDateTime" in department_reads[0]["query"]
