"""Paychex worker JSON → the desired Visma employee (neutral dict), or the reasons it cannot be.

Pure: no HTTP, no database, no clock. Never returns a half-mapped employee.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from mappings.context import MappingContext
from mappings.diff import CREATE_ONLY_FIELDS
from mappings.models import CatalogValue, TargetSettings
from mappings.normalize import clean_text

# Column sizes of the Visma (Acumatica) contact and employee tables [I: Visma publishes no lengths;
# these are the sizes of the underlying Acumatica fields]. Longer names are cut, never rejected;
# a longer employee id or e-mail cannot be cut without changing its meaning, so it is held.
FIRST_NAME_MAX = 50
MIDDLE_NAME_MAX = 50
LAST_NAME_MAX = 100
EMAIL_MAX = 255
EMPLOYEE_CD_MAX = 30

PREFERRED_EMAIL_USAGES = ("BUSINESS", "WORK")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Translation:
    employee: dict | None  # complete neutral employee (create-ready) or None when held/skipped
    held_reasons: tuple[str, ...] = ()  # non-empty = held; each names what is missing, in words
    skip_reason: str = ""  # non-empty = deliberately not synced (PENDING, IN_PROGRESS)
    status_type: str = ""
    status_effective_date: date | None = None
    hire_date: date | None = None
    organization_id: str | None = None
    job_title_id: str | None = None
    location_id: str | None = None
    job_title_value: str | None = None  # Visma dimension value for the job title (not written on the employee)
    cost_center_value: str | None = None  # Visma segment value when cost centers are segment values
    # Fields filled from a setting, not from Paychex: written on create only (see diff.employee_changes).
    create_only_fields: tuple[str, ...] = CREATE_ONLY_FIELDS

    @property
    def held(self) -> bool:
        return bool(self.held_reasons)


def translate(worker: dict[str, Any], *, context: MappingContext) -> Translation:
    """Return the Translation of one Paychex worker (as GET /workers/{id} returns it, one content item).

    Skipped (skip_reason) when the status mapping says the status is not synced; held (held_reasons,
    employee None) when anything the employee needs is missing or unmapped.
    """
    settings = context.settings
    status_type = str((worker.get("currentStatus") or {}).get("statusType") or "").strip().upper()
    facts = dict(
        status_type=status_type,
        status_effective_date=paychex_date((worker.get("currentStatus") or {}).get("effectiveDate")),
        hire_date=paychex_date(worker.get("hireDate")),
        organization_id=_text((worker.get("organization") or {}).get("organizationId")),
        job_title_id=_text((worker.get("job") or {}).get("jobTitleId")),
        location_id=_text(worker.get("locationId")),
    )
    held: list[str] = []
    visma_status = _status(status_type, context, held)
    if visma_status == "":
        return Translation(employee=None, skip_reason=f"Paychex status {status_type} is not synced", **facts)

    employee_cd = _employee_cd(worker, held)
    names = _names(worker, held)
    email, email_fallback = _email(worker, employee_cd, settings, held)
    department, cost_center_value = _cost_center(worker, facts["organization_id"], context, held)
    job_title_value = _job_title(worker, facts["job_title_id"], context, held)
    branch, branch_fallback = _branch(facts["location_id"], context, held)
    for setting, label in (("default_employee_class", "employee class"), ("default_calendar", "calendar")):
        if not getattr(settings, setting):
            held.append(f"no default {label} is set in the target settings")

    create_only = CREATE_ONLY_FIELDS + (("email",) if email_fallback else ()) + (("branch",) if branch_fallback else ())
    if settings.cost_center_target == TargetSettings.CostCenterTarget.SEGMENT:
        create_only += ("department",)
    if held:
        return Translation(
            employee=None, held_reasons=tuple(held), job_title_value=job_title_value,
            cost_center_value=cost_center_value, create_only_fields=create_only, **facts,
        )
    employee = {
        "employee_cd": employee_cd, **names, "email": email, "status": visma_status, "department": department,
        "branch": branch, "employee_class": settings.default_employee_class, "calendar": settings.default_calendar,
    }
    return Translation(
        employee=employee, job_title_value=job_title_value, cost_center_value=cost_center_value,
        create_only_fields=create_only, **facts,
    )


def paychex_date(value: Any) -> date | None:
    """Paychex calendar dates are midnight-UTC date-times ("2020-05-20T00:00:00Z"): take the date part as
    written. Converting through a local time zone would move it a day in the Americas."""
    if not value or not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _status(status_type: str, context: MappingContext, held: list[str]) -> str | None:
    """Visma status; "" when not synced; None (and a held reason) when unknown."""
    if not status_type:
        held.append("worker has no current status in Paychex")
        return None
    if status_type not in context.statuses:
        held.append(f"unknown Paychex status '{status_type}': add it to the status mapping")
        return None
    return context.statuses[status_type]


def _employee_cd(worker: dict[str, Any], held: list[str]) -> str:
    employee_cd = clean_text(worker.get("employeeId"), EMPLOYEE_CD_MAX + 1)
    if not employee_cd:
        held.append("worker has no employeeId in Paychex (it becomes the Visma employee number)")
    elif len(employee_cd) > EMPLOYEE_CD_MAX:
        held.append(f"employeeId is longer than Visma's {EMPLOYEE_CD_MAX} characters")
    return employee_cd


def _names(worker: dict[str, Any], held: list[str]) -> dict[str, str]:
    name = worker.get("name") or {}
    names = {
        "first_name": clean_text(name.get("givenName"), FIRST_NAME_MAX),
        "middle_name": clean_text(name.get("middleName"), MIDDLE_NAME_MAX),
        "last_name": clean_text(name.get("familyName"), LAST_NAME_MAX),
    }
    if not names["last_name"]:
        held.append("worker has no family name in Paychex (Visma requires a last name)")
    return names


def _email(worker: dict[str, Any], employee_cd: str, settings: TargetSettings, held: list[str]) -> tuple[str, bool]:
    """(e-mail, came from the fallback pattern)."""
    emails = [c for c in worker.get("communications") or [] if c.get("type") == "EMAIL" and c.get("uri")]
    emails.sort(key=lambda c: c.get("usageType") not in PREFERRED_EMAIL_USAGES)
    for communication in emails:
        address = clean_text(communication["uri"], EMAIL_MAX + 1)
        if _EMAIL.match(address) and len(address) <= EMAIL_MAX:
            return address, False
    if not settings.email_fallback_pattern:
        held.append("worker has no e-mail in Paychex and no e-mail fallback pattern is set (Visma requires one)")
        return "", False
    address = settings.email_fallback_pattern.format(
        employee_id=employee_cd, worker_id=str(worker.get("workerId") or "")
    )
    return address[:EMAIL_MAX], True


def _cost_center(
    worker: dict[str, Any], organization_id: str | None, context: MappingContext, held: list[str]
) -> tuple[str, str | None]:
    """(department, cost-center segment value or None)."""
    settings = context.settings
    if not organization_id:
        held.append("worker has no organization in Paychex")
        return "", None
    value = context.organizations.get(organization_id, "")
    if not value:
        name = (worker.get("organization") or {}).get("name") or ""
        held.append(f"organization '{name}' ({organization_id}) has no Visma cost center: map it under Mappings")
        return "", None
    kind = settings.cost_center_catalog_kind
    problem = context.catalog_problem(kind, value)
    if problem:
        held.append(f"organization {organization_id} is mapped to {problem}")
        return "", None
    if kind == CatalogValue.Kind.DEPARTMENT:
        return value, None
    if not settings.default_department:
        held.append("no default department is set in the target settings (needed when cost centers are segment values)")
    return settings.default_department, value


def _job_title(worker: dict[str, Any], job_title_id: str | None, context: MappingContext, held: list[str]) -> str | None:
    if not job_title_id:  # a worker without a job title has nothing to map; the employee needs none
        return None
    value = context.job_titles.get(job_title_id, "")
    if not value:
        title = (worker.get("job") or {}).get("title") or ""
        held.append(f"job title '{title}' ({job_title_id}) has no Visma dimension value: map it under Mappings")
        return None
    problem = context.catalog_problem(CatalogValue.Kind.JOB_TITLE, value)
    if problem:
        held.append(f"job title {job_title_id} is mapped to {problem}")
        return None
    return value


def _branch(location_id: str | None, context: MappingContext, held: list[str]) -> tuple[str, bool]:
    """(branch, came from the default-branch setting)."""
    value = context.locations.get(location_id, "") if location_id else ""
    if value:
        problem = context.catalog_problem(CatalogValue.Kind.BRANCH, value)
        if not problem:
            return value, False
        held.append(f"location {_location_label(location_id, context)} is mapped to {problem}")
        return "", False
    settings = context.settings
    if settings.use_default_branch_for_unmapped_locations and settings.default_branch:
        return settings.default_branch, True
    if location_id:
        held.append(f"location {_location_label(location_id, context)} has no Visma branch: map it under Mappings")
    else:
        held.append("worker has no location in Paychex and the default branch fallback is off")
    return "", False


def _location_label(location_id: str, context: MappingContext) -> str:
    name = context.location_names.get(location_id)
    return f"'{name}' ({location_id})" if name else location_id
