"""Dimension alignment against the Visma sandbox: creates and renames, audits each write, never deletes."""
from __future__ import annotations

from audit.models import AuditRecord
from mappings.alignment import align, new_value_id
from mappings.catalog import refresh_catalog
from mappings.matching import match
from mappings.models import CatalogValue, JobTitleMapping, MappingRow, OrganizationMapping, TargetSettings
from mappings.reference import refresh_reference
from mappings.refresh import refresh_reference_and_align


def writes(sandbox):
    return [r for r in sandbox.requests if r["method"] in ("POST", "PUT", "DELETE", "PATCH") and "/v1/" in r["path"]]


def prepared(paychex, visma):
    refresh_catalog(visma)
    refresh_reference(paychex)
    match(paychex)


def test_missing_organizations_become_departments_and_missing_job_titles_segment_values(paychex, visma, visma_sandbox):
    prepared(paychex, visma)
    visma_sandbox.clear_requests()

    result = align(paychex, username="ops")

    assert sorted(result.created) == ["SUBACCOUNT/2/AUTO", "SUBACCOUNT/2/ITKO", "department:INNKJOP",
                                      "department:VEDLIKEHOL"]
    assert result.errors == []
    departments = {d["departmentId"]: d["description"] for d in visma_sandbox.departments()}
    assert departments["INNKJOP"] == "Innkjøp" and departments["VEDLIKEHOL"] == "Vedlikehold"
    segment_values = {v["valueId"]: v["description"] for v in visma_sandbox.segment("SUBACCOUNT", 2)["segmentValues"]}
    assert segment_values["AUTO"] == "Automatiker" and segment_values["ITKO"] == "IT-konsulent"
    assert len(writes(visma_sandbox)) == 4
    row = OrganizationMapping.objects.get(source_name="Innkjøp")
    assert (row.target, row.origin) == ("INNKJOP", MappingRow.Origin.CREATED)
    assert CatalogValue.objects.get(kind="department", value_id="INNKJOP").active


def test_each_creation_is_in_the_audit_trail_with_its_reason(paychex, visma):
    prepared(paychex, visma)

    align(paychex, username="ops")

    created = AuditRecord.objects.filter(action=AuditRecord.Action.DIMENSION_CREATED)
    assert created.count() == 4
    record = created.get(target="department:INNKJOP")
    assert "Innkjøp" in record.reason and "had no Visma value" in record.reason
    assert record.connection == visma.name and record.username == "ops"
    assert record.changes == {"description": [None, "Innkjøp"]}


def test_a_renamed_paychex_organization_renames_its_department(paychex, paychex_sandbox, visma, visma_sandbox):
    prepared(paychex, visma)
    align(paychex)
    economy = next(o for o in paychex_sandbox.organizations() if o["name"] == "Økonomi")
    paychex_sandbox.rename_organization(economy["organizationId"], "Økonomi og finans")
    visma_sandbox.clear_requests()

    outcome = refresh_reference_and_align(paychex)

    assert outcome.aligned.renamed == ["department:OKONOMI"] and outcome.aligned.created == []
    assert {d["departmentId"]: d["description"] for d in visma_sandbox.departments()}["OKONOMI"] == "Økonomi og finans"
    assert [(w["method"], w["path"]) for w in writes(visma_sandbox)] == [("PUT", "/v1/department/OKONOMI")]
    renamed = AuditRecord.objects.get(action=AuditRecord.Action.DIMENSION_RENAMED)
    assert renamed.changes == {"description": ["Økonomi", "Økonomi og finans"]}


def test_alignment_is_idempotent(paychex, visma, visma_sandbox):
    prepared(paychex, visma)
    align(paychex)
    visma_sandbox.clear_requests()

    result = align(paychex)

    assert (result.created, result.renamed, writes(visma_sandbox)) == ([], [], [])


def test_with_creating_off_nothing_is_written_and_rows_wait_for_a_person(paychex, visma, visma_sandbox):
    TargetSettings.objects.create(visma_connection=visma, create_in_visma=False)
    prepared(paychex, visma)
    visma_sandbox.clear_requests()

    result = align(paychex)

    assert result.created == [] and result.waiting == 4
    assert writes(visma_sandbox) == []
    assert not AuditRecord.objects.exists()


def test_a_persons_mapping_is_neither_created_for_nor_renamed(paychex, visma, visma_sandbox):
    prepared(paychex, visma)
    OrganizationMapping.objects.filter(source_name="Innkjøp").update(origin=MappingRow.Origin.MANUAL)
    JobTitleMapping.objects.filter(source_name="Skiftleder").update(origin=MappingRow.Origin.MANUAL,
                                                                     source_name="Skiftleiar")
    visma_sandbox.clear_requests()

    result = align(paychex)

    assert "department:INNKJOP" not in result.created and "SUBACCOUNT/2/SKL" not in result.renamed


def test_segment_cost_centers_keep_the_organization_number(paychex, visma, visma_sandbox):
    TargetSettings.objects.create(visma_connection=visma, cost_center_target="segment", default_department="ADMIN")
    prepared(paychex, visma)

    result = align(paychex)

    assert "SUBACCOUNT/1/7100" in result.created
    values = {v["valueId"]: v["description"] for v in visma_sandbox.segment("SUBACCOUNT", 1)["segmentValues"]}
    assert values["7100"] == "Vedlikehold"


def test_alignment_waits_until_the_catalog_was_read(paychex, visma_sandbox):
    refresh_reference(paychex)
    visma_sandbox.clear_requests()

    result = align(paychex)

    assert result.created == [] and "refresh it first" in result.errors[0]
    assert writes(visma_sandbox) == []


def test_new_ids_are_folded_cut_and_made_unique():
    assert new_value_id("Økonomi & Regnskap", 10, set()) == "OKONOMIREG"
    assert new_value_id("Økonomi & Regnskap", 10, {"okonomireg"}) == "OKONOMIRE1"
    assert new_value_id("Ærlig", 4, set(), preferred="12345") == "AERL"
    assert new_value_id("Lager", 4, set(), preferred="2100") == "2100"
