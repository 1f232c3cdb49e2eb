"""employee_changes(): only what differs; create-only fields kept on update."""
from __future__ import annotations

from mappings.diff import employee_changes

DESIRED = {"employee_cd": "1001", "first_name": "Åse", "middle_name": "", "last_name": "Ødegård",
           "email": "ase@example.com", "status": "Active", "department": "PROD1", "branch": "2",
           "employee_class": "EMPSTAND", "calendar": "STANDARD"}


def test_create_returns_every_field_with_a_value():
    changes = employee_changes(DESIRED, None)

    assert changes["last_name"] == (None, "Ødegård")
    assert "middle_name" not in changes and len(changes) == 9


def test_an_identical_record_has_no_changes_and_none_equals_empty():
    assert employee_changes(DESIRED, {**DESIRED, "middle_name": None}) == {}


def test_only_differing_fields_are_returned():
    current = {**DESIRED, "status": "Hold", "department": "ADMIN"}

    assert employee_changes(DESIRED, current) == {"status": ("Hold", "Active"), "department": ("ADMIN", "PROD1")}


def test_create_only_fields_keep_visma_values_on_update():
    current = {**DESIRED, "employee_class": "EMPHOUR", "calendar": "SHIFT", "email": "real@example.com"}

    assert employee_changes(DESIRED, current) == {"email": ("real@example.com", "ase@example.com")}
    assert employee_changes(DESIRED, current, create_only=("employee_class", "calendar", "email")) == {}
