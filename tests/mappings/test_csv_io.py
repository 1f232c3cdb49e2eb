"""CSV export and import: round-trips with Nordic letters, BOM or not, and all-or-nothing on bad input."""
from __future__ import annotations

import unicodedata

import pytest
from django.core.management import CommandError, call_command

from mappings.csv_io import CsvImportError, export_csv, import_csv
from mappings.models import MappingRow, OrganizationMapping
from tests.mappings.conftest import add_catalog


@pytest.fixture
def organizations(offline_paychex, offline_visma):
    add_catalog(offline_visma, "department", {"OKONOMI": "Økonomi", "HR": "HR & Lønn", "KVALITET": "Kvalitet & HMS"})
    add_catalog(offline_visma, "department", {"OLD": "Gammel"}, active=False)
    for source_id, name in (("1", "Økonomi"), ("2", "HR & Lønn"), ("3", "Kvalitet & HMS")):
        OrganizationMapping.objects.create(paychex_connection=offline_paychex, source_id=source_id, source_name=name)
    return offline_paychex


def targets():
    return dict(OrganizationMapping.objects.values_list("source_id", "target"))


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


def test_export_then_import_round_trips_with_nordic_letters(organizations, django_capture_on_commit_callbacks):
    OrganizationMapping.objects.filter(source_id="1").update(target="OKONOMI", origin="manual", set_by="kari")
    exported = export_csv(organizations, "organization")
    assert "Økonomi" in exported and "HR & Lønn" in exported
    edited = exported.replace("2,HR & Lønn,,,", "2,HR & Lønn,,HR,")

    result = import_csv(organizations, "organization", edited.encode("utf-8-sig"), username="finance")

    assert result.changed == ["2"] and result.unchanged == 2
    assert targets() == {"1": "OKONOMI", "2": "HR", "3": ""}
    again = export_csv(organizations, "organization")
    assert "2,HR & Lønn,,HR,HR & Lønn,manual,finance," in again
    assert import_csv(organizations, "organization", again.encode("utf-8-sig"), username="x").changed == []
    row = OrganizationMapping.objects.get(source_id="2")
    assert (row.origin, row.set_by) == (MappingRow.Origin.MANUAL, "finance")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_with_and_without_bom_and_semicolons_are_accepted(organizations, encoding):
    data = csv_bytes("source_id;source_name;target\n3;Kvalitet & HMS;kvalitet\n", encoding)

    import_csv(organizations, "organization", data, username="finance")

    assert targets()["3"] == "KVALITET"


def test_decomposed_letters_from_a_spreadsheet_are_composed(organizations):
    data = csv_bytes(unicodedata.normalize("NFD", "source_id,source_name,target\n1,Økonomi,OKONOMI\n"))

    import_csv(organizations, "organization", data, username="finance")

    assert targets()["1"] == "OKONOMI"


def test_a_latin1_file_is_refused_naming_the_row(organizations):
    data = csv_bytes("source_id,source_name,target\n1,Økonomi,OKONOMI\n", "latin-1")

    with pytest.raises(CsvImportError) as raised:
        import_csv(organizations, "organization", data, username="finance")

    assert raised.value.errors == ['row 2: the file is not UTF-8 (byte 0xd8); save it as "CSV UTF-8"']


def test_unknown_columns_are_refused(organizations):
    with pytest.raises(CsvImportError, match="row 1: unknown column\\(s\\) 'department'"):
        import_csv(organizations, "organization", csv_bytes("source_id,department,target\n1,x,OKONOMI\n"), username="f")


def test_bad_rows_are_all_reported_and_nothing_is_half_imported(organizations, django_capture_on_commit_callbacks):
    data = csv_bytes("source_id,target\n1,OKONOMI\n2,OLD\n1,HR\n9,HR\n3,NOPE\n")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(CsvImportError) as raised:
            import_csv(organizations, "organization", data, username="finance")

    assert raised.value.errors == [
        "row 3 (HR & Lønn): Visma department 'OLD' is inactive",
        "row 4: source_id '1' is also on row 2",
        "row 5: Paychex organization '9' is not known; refresh the Paychex lists first",
        "row 6 (Kvalitet & HMS): 'NOPE' is not a Visma department (or the catalog is out of date)",
    ]
    assert targets() == {"1": "", "2": "", "3": ""}
    assert callbacks == []


def test_management_commands_export_and_import(organizations, tmp_path, capsys):
    exported = tmp_path / "orgs.csv"
    call_command("mappings_export", "organization", "--output", str(exported))
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")
    exported.write_bytes(exported.read_bytes().replace("3,Kvalitet & HMS,,,".encode(), "3,Kvalitet & HMS,,KVALITET,".encode()))

    call_command("mappings_import", "organization", str(exported), "--user", "finance")

    assert "1 mappings changed, 2 unchanged" in capsys.readouterr().out
    assert targets()["3"] == "KVALITET"


def test_import_command_reports_every_bad_row(organizations, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("source_id,target\n1,OLD\n"))

    with pytest.raises(CommandError, match="row 2 \\(Økonomi\\): Visma department 'OLD' is inactive"):
        call_command("mappings_import", "organization", str(bad))
