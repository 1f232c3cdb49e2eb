"""translate(): every status, every held case, the fields, dates as written."""
from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from mappings.context import MappingContext
from mappings.models import TargetSettings
from mappings.translate import FIRST_NAME_MAX, LAST_NAME_MAX, translate


def with_status(worker: dict[str, Any], status_type: str) -> dict[str, Any]:
    return {**worker, "currentStatus": {**worker["currentStatus"], "statusType": status_type}}


def test_mapped_worker_becomes_a_complete_employee(worker, context):
    result = translate(worker, context=context)

    assert result.held_reasons == () and result.skip_reason == ""
    assert result.employee == {
        "employee_cd": "3577", "first_name": "Ryan", "middle_name": "A", "last_name": "Parr",
        "email": "work@example.com", "status": "Active", "department": "PROD1", "branch": "2",
        "employee_class": "EMPSTAND", "calendar": "STANDARD",
    }
    assert result.job_title_value == "DEV" and result.cost_center_value is None
    assert (result.organization_id, result.job_title_id, result.location_id) == (
        "970000053577572", "970003436212358", "970001614528519")


@pytest.mark.parametrize("status_type, visma_status", [
    ("ACTIVE", "Active"), ("INACTIVE", "Hold"), ("TERMINATED", "Inactive"), ("TRANSFERRED", "Active"),
])
def test_synced_statuses_map_to_visma_statuses(worker, context, status_type, visma_status):
    result = translate(with_status(worker, status_type), context=context)

    assert result.employee["status"] == visma_status
    assert result.status_type == status_type


@pytest.mark.parametrize("status_type", ["PENDING", "IN_PROGRESS"])
def test_pending_and_in_progress_workers_are_skipped_not_held(worker, context, status_type):
    result = translate(with_status(worker, status_type), context=context)

    assert result.employee is None and result.held_reasons == ()
    assert status_type in result.skip_reason


def test_an_unknown_status_is_held_with_a_reason_saying_what_to_do(worker, context):
    result = translate(with_status(worker, "FURLOUGHED"), context=context)

    assert result.employee is None
    assert result.held_reasons == ("unknown Paychex status 'FURLOUGHED': add it to the status mapping",)


def test_a_changed_status_mapping_is_used(worker, context):
    context = dataclasses.replace(context, statuses={**context.statuses, "INACTIVE": "HoldPayments"})

    assert translate(with_status(worker, "INACTIVE"), context=context).employee["status"] == "HoldPayments"


def test_unmapped_organization_job_title_and_location_are_all_named(worker, context):
    context = dataclasses.replace(context, organizations={}, job_titles={}, locations={})

    result = translate(worker, context=context)

    assert result.employee is None
    assert len(result.held_reasons) == 3
    assert "organization 'Company' (970000053577572) has no Visma cost center" in result.held_reasons[0]
    assert "job title 'Developer' (970003436212358)" in result.held_reasons[1]
    assert "location 970001614528519 has no Visma branch" in result.held_reasons[2]
    # The source ids are still reported, so the worker is released when one of them gets mapped.
    assert result.organization_id == "970000053577572" and result.location_id == "970001614528519"


def test_an_unmapped_location_is_named_when_its_name_is_known(worker, context):
    context = dataclasses.replace(context, locations={}, location_names={"970001614528519": "Plant Tampere"})

    result = translate(worker, context=context)

    assert result.held_reasons == ("location 'Plant Tampere' (970001614528519) has no Visma branch: map it under Mappings",)


def test_worker_without_organization_is_held(worker, context):
    del worker["organization"]

    assert translate(worker, context=context).held_reasons == ("worker has no organization in Paychex",)


def test_worker_without_employee_id_is_held(worker, context):
    worker["employeeId"] = "  "

    reasons = translate(worker, context=context).held_reasons

    assert len(reasons) == 1 and reasons[0].startswith("worker has no employeeId in Paychex")


def test_worker_without_job_title_needs_no_job_title_mapping(worker, context):
    del worker["job"]

    result = translate(worker, context=context)

    assert result.employee is not None and result.job_title_value is None


def test_mapping_to_an_inactive_visma_value_is_held(worker, context):
    context = dataclasses.replace(context, catalog={"department": {"PROD1": False}})

    assert translate(worker, context=context).held_reasons == (
        "organization 970000053577572 is mapped to Visma department 'PROD1' is inactive",)


def test_mapping_to_a_value_missing_from_the_catalog_is_held(worker, context):
    context = dataclasses.replace(context, catalog={"branch": {"1": True}})

    reasons = translate(worker, context=context).held_reasons

    assert reasons == ("location 970001614528519 is mapped to Visma branch '2' does not exist (or the catalog is out of date)",)


def test_unmapped_location_uses_the_default_branch_only_when_the_setting_is_on(worker, context):
    context = dataclasses.replace(context, locations={},
                                  settings=TargetSettings(use_default_branch_for_unmapped_locations=True, default_branch="9"))

    result = translate(worker, context=context)

    assert result.employee["branch"] == "9"
    assert "branch" in result.create_only_fields


def test_segment_cost_centers_use_the_default_department_and_carry_the_value(worker, context):
    settings = TargetSettings(cost_center_target="segment", default_department="ADMIN")
    context = dataclasses.replace(context, settings=settings, organizations={"970000053577572": "1100"})

    result = translate(worker, context=context)

    assert result.employee["department"] == "ADMIN"
    assert result.cost_center_value == "1100"
    assert "department" in result.create_only_fields


def test_segment_cost_centers_without_default_department_are_held(worker, context):
    context = dataclasses.replace(context, settings=TargetSettings(cost_center_target="segment"))

    reasons = translate(worker, context=context).held_reasons

    assert len(reasons) == 1 and reasons[0].startswith("no default department is set")


def test_business_email_is_preferred_then_any_email(worker, context):
    assert translate(worker, context=context).employee["email"] == "work@example.com"
    worker["communications"] = [c for c in worker["communications"] if c.get("usageType") != "BUSINESS"]
    assert translate(worker, context=context).employee["email"] == "private@example.com"


def test_worker_without_email_gets_the_fallback_pattern_written_on_create_only(worker, context):
    worker["communications"] = []
    context = dataclasses.replace(context, settings=TargetSettings(email_fallback_pattern="{employee_id}.{worker_id}@x.invalid"))

    result = translate(worker, context=context)

    assert result.employee["email"] == "3577.00Z5V9BTIJAH5NK8FAZU@x.invalid"
    assert "email" in result.create_only_fields


def test_worker_without_email_and_without_pattern_is_held(worker, context):
    worker["communications"] = []
    context = dataclasses.replace(context, settings=TargetSettings(email_fallback_pattern=""))

    reasons = translate(worker, context=context).held_reasons

    assert len(reasons) == 1 and "no e-mail" in reasons[0]


def test_names_lose_control_characters_keep_nordic_letters_and_are_capped(worker, context):
    worker["name"] = {"givenName": " Åse\tMarit\x00 ", "familyName": "Ø" * 150, "middleName": None}

    employee = translate(worker, context=context).employee

    assert employee["first_name"] == "Åse Marit"
    assert employee["last_name"] == "Ø" * LAST_NAME_MAX
    assert employee["middle_name"] == ""
    assert FIRST_NAME_MAX == 50


def test_decomposed_names_are_composed(worker, context):
    worker["name"]["familyName"] = "Sæther-A\u030asen"  # Å as A + combining ring

    assert translate(worker, context=context).employee["last_name"] == "Sæther-Åsen"


def test_worker_without_family_name_is_held(worker, context):
    worker["name"]["familyName"] = ""

    reasons = translate(worker, context=context).held_reasons

    assert len(reasons) == 1 and "family name" in reasons[0]


def test_paychex_dates_are_kept_as_written_not_moved_by_time_zones(worker, context):
    worker["hireDate"] = "2020-05-20T00:00:00Z"
    worker["currentStatus"]["effectiveDate"] = "2024-12-31T00:00:00Z"

    result = translate(worker, context=context)

    assert result.hire_date == date(2020, 5, 20)
    assert result.status_effective_date == date(2024, 12, 31)


def test_translate_makes_no_database_queries(worker, context, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        translate(worker, context=context)
