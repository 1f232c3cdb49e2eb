"""Automatic matching by number and by name (case, spaces, Nordic letters, NFC/NFD); a person's mapping stays."""
from __future__ import annotations

import unicodedata

import pytest

from mappings.matching import match
from mappings.models import CatalogValue, TargetSettings, JobTitleMapping, MappingRow, OrganizationMapping
from mappings.normalize import name_key
from tests.mappings.conftest import add_catalog


@pytest.mark.parametrize("a, b", [
    ("Økonomi", unicodedata.normalize("NFD", "Økonomi")),
    ("Kvalitet & HMS", "kvalitet  &  hms"),
    ("Lager & Logistikk", "LAGER & LOGISTIKK"),
    ("Kvalitet & HMS ", " Kvalitet &\u00a0HMS"),
    ("Århus", unicodedata.normalize("NFD", "århus")),
])
def test_names_that_a_person_reads_as_equal_have_equal_keys(a, b):
    assert name_key(a) == name_key(b)


def test_nordic_letters_are_not_folded_away():
    assert name_key("Økonomi") != name_key("Okonomi")
    assert name_key("Sæther") != name_key("Saether")


def use_segment_cost_centers(visma):
    TargetSettings.objects.update_or_create(visma_connection=visma, defaults={"cost_center_target": "segment"})


def org(paychex, source_id, name, number="", **fields):
    return OrganizationMapping.objects.create(paychex_connection=paychex, source_id=source_id, source_name=name,
                                              source_number=number, **fields)


def test_organizations_match_departments_by_name(offline_paychex, offline_visma):
    add_catalog(offline_visma, "department", {"OKONOMI": unicodedata.normalize("NFD", "Økonomi"),
                                              "KVALITET": "kvalitet  &  hms", "OKO2": "Okonomi"})
    org(offline_paychex, "1", "Økonomi")
    org(offline_paychex, "2", "Kvalitet & HMS")
    org(offline_paychex, "3", "Innkjøp")

    changed = match(offline_paychex)

    assert sorted(changed["organization"]) == ["1", "2"]
    targets = dict(OrganizationMapping.objects.values_list("source_id", "target"))
    assert targets == {"1": "OKONOMI", "2": "KVALITET", "3": ""}
    assert set(OrganizationMapping.objects.exclude(target="").values_list("origin", flat=True)) == {"auto"}


def test_number_matches_before_name_when_paychex_has_one(offline_paychex, offline_visma):
    use_segment_cost_centers(offline_visma)
    add_catalog(offline_visma, "cost_center", {"1100": "Produksjon linje 1", "1200": "Produksjon Linje 1"})
    org(offline_paychex, "a", "Produksjon Linje 1", number="1200")

    match(offline_paychex)

    assert OrganizationMapping.objects.get(source_id="a").target == "1200"


def test_a_number_shared_by_several_paychex_rows_is_not_used(offline_paychex, offline_visma):
    use_segment_cost_centers(offline_visma)
    add_catalog(offline_visma, "cost_center", {"1": "Something else"})
    org(offline_paychex, "a", "1 Administration", number="1")
    org(offline_paychex, "b", "1 North Division", number="1")

    assert match(offline_paychex)["organization"] == []


def test_ambiguous_and_inactive_values_are_not_matched(offline_paychex, offline_visma):
    add_catalog(offline_visma, "department", {"IT": "IT", "IT2": "it"})
    add_catalog(offline_visma, "department", {"HR": "HR & Lønn"}, active=False)
    org(offline_paychex, "1", "IT")
    org(offline_paychex, "2", "HR & Lønn")

    assert match(offline_paychex)["organization"] == []


def test_a_persons_mapping_survives_rematching(offline_paychex, offline_visma):
    add_catalog(offline_visma, "department", {"OKONOMI": "Økonomi", "FINANS": "Finans"})
    org(offline_paychex, "1", "Økonomi", target="FINANS", origin=MappingRow.Origin.MANUAL, set_by="kari")

    match(offline_paychex)
    match(offline_paychex)

    row = OrganizationMapping.objects.get(source_id="1")
    assert (row.target, row.origin, row.set_by) == ("FINANS", "manual", "kari")


def test_an_automatic_target_that_became_inactive_is_cleared(offline_paychex, offline_visma):
    add_catalog(offline_visma, "department", {"OLD": "Gammel"}, active=False)
    org(offline_paychex, "1", "Renamed since", target="OLD", origin=MappingRow.Origin.AUTO)

    assert match(offline_paychex)["organization"] == ["1"]
    assert OrganizationMapping.objects.get(source_id="1").target == ""


def test_nothing_is_cleared_when_the_catalog_was_never_read(offline_paychex):
    org(offline_paychex, "1", "Økonomi", target="OKONOMI", origin=MappingRow.Origin.AUTO)

    assert match(offline_paychex) == {}
    assert OrganizationMapping.objects.get(source_id="1").target == "OKONOMI"


def test_job_titles_match_segment_values_by_name(offline_paychex, offline_visma):
    add_catalog(offline_visma, CatalogValue.Kind.JOB_TITLE, {"SKL": "skiftleder", "CNC": "CNC-Operatør"})
    JobTitleMapping.objects.create(paychex_connection=offline_paychex, source_id="t1", source_name="Skiftleder")
    JobTitleMapping.objects.create(paychex_connection=offline_paychex, source_id="t2", source_name="CNC-operatør")

    match(offline_paychex)

    assert dict(JobTitleMapping.objects.values_list("source_id", "target")) == {"t1": "SKL", "t2": "CNC"}
