"""Paychex reference lists into the mapping tables, and the task entry points that run the whole sequence."""
from __future__ import annotations

from mappings.models import JobTitleMapping, LocationMapping, OrganizationMapping, StatusMapping
from mappings.reference import refresh_reference
from mappings.tasks import refresh_catalog_task, refresh_reference_task
from sandbox import names


def test_reference_lists_become_rows_needing_mapping(paychex, paychex_sandbox):
    result = refresh_reference(paychex)

    assert OrganizationMapping.objects.count() == len(names.ORGANIZATIONS)
    assert JobTitleMapping.objects.count() == len(names.JOB_TITLES)
    assert LocationMapping.objects.count() == len(names.LOCATIONS)
    economy = OrganizationMapping.objects.get(source_name="Økonomi")
    assert (economy.source_number, economy.target) == ("4100", "")
    assert len(result.added["organization"]) == len(names.ORGANIZATIONS)
    assert dict(StatusMapping.objects.values_list("status_type", "visma_status"))["INACTIVE"] == "Hold"


def test_a_rename_updates_the_name_and_a_missing_source_is_marked_inactive(paychex, paychex_sandbox):
    refresh_reference(paychex)
    it = next(o for o in paychex_sandbox.organizations() if o["name"] == "IT")
    paychex_sandbox.rename_organization(it["organizationId"], "IT & Digital")
    OrganizationMapping.objects.create(paychex_connection=paychex, source_id="GONE", source_name="Old org")

    result = refresh_reference(paychex)

    assert result.renamed["organization"] == [it["organizationId"]]
    assert result.gone["organization"] == ["GONE"]
    assert OrganizationMapping.objects.get(source_id=it["organizationId"]).source_name == "IT & Digital"
    assert OrganizationMapping.objects.get(source_id="GONE").source_active is False


def test_the_tasks_refresh_match_and_align_so_every_seeded_source_is_mapped(paychex, visma, visma_sandbox):
    catalog_summary = refresh_catalog_task(visma.pk)
    summary = refresh_reference_task(paychex.pk)

    assert "catalog:" in catalog_summary
    assert "4 created and 0 renamed in Visma" in summary
    for model in (OrganizationMapping, JobTitleMapping, LocationMapping):
        assert not model.objects.filter(target="").exists(), model.__name__
    assert LocationMapping.objects.get(source_name="Plant Århus").target == "4"
    assert OrganizationMapping.objects.get(source_name="Kvalitet & HMS").target == "KVALITET"
