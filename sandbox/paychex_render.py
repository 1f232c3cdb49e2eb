"""Paychex JSON shapes, built to match the spec's examples field for field (shared/specs/paychex/*.json)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sandbox.seed import JobTitle, Location, Organization, StatusEntry, WorkerRecord

V = "application/vnd.paychex.{}.v1+json"
WORKERS_TYPES = {
    V.format("workers"): (False, False, False),  # (nonpii, communications, roster)
    V.format("workers_communications"): (False, True, False),
    V.format("workers.nonpii"): (True, False, False),
    V.format("workers.nonpii_communications"): (True, True, False),
    V.format("workers.roster"): (True, True, True),
}
WORKER_TYPES = {
    V.format("worker"): (False, False, False),
    V.format("worker_communications"): (False, True, False),
    V.format("worker.nonpii"): (True, False, False),
    V.format("worker.nonpii_communications"): (True, True, False),
}
PII_FIELDS = ("birthDate", "ethnicityCode", "legalId", "sex", "workState")


def error_body(code: str, description: str, resolution: str | None = None) -> dict[str, Any]:
    entry = {"code": code, "description": description}
    if resolution is not None:
        entry["resolution"] = resolution
    return {"errors": [entry]}


# Verbatim bodies from shared/specs/paychex/error-*.json.
API_7 = error_body("API-7", "The resource or status is invalid. You may have an incorrect resource ID.",
                   "Send a valid resource in your request")
API_22 = error_body("API-22", "Invalid required value", "Please provide the valid value.")
API_40 = error_body("API-40", "The request isn't valid.", "Please send the valid request")
API_43 = error_body("API-43", "No existing worker found matching search criteria",
                    "Please verify the search criteria and try again")  # resolution text not in the spec
API_59 = error_body("API-59", "The request method type is unsupported.")
API_66 = error_body("API-66", "The service is temporarily unavailable.", "Please try again later.")
API_75 = error_body("API-75", "Invalid vendor media type.",
                    "Please refer to our documentation and send the correct vendor media type")
API_102 = error_body("API-102", "The client could not be authenticated due to missing or invalid client credentials.",
                     "Make sure that you are using the correct API key/Secret and that your application is enabled.")
API_103 = error_body("API-103", "Bearer token is expired or invalid.",
                     "Use the authorization service to generate a new token.")


def midnight(day: date) -> str:
    """Paychex sends calendar dates as midnight-UTC date-times."""
    return f"{day.isoformat()}T00:00:00Z"


def current_status(record: WorkerRecord, today: date) -> StatusEntry:
    """The newest status already in effect; a future-dated one only shows in the history."""
    effective = [(s.effective_date, s.order, i) for i, s in enumerate(record.statuses) if s.effective_date <= today]
    if not effective:
        return min(record.statuses, key=lambda s: (s.effective_date, s.order))
    return record.statuses[max(effective)[2]]


def status_dict(entry: StatusEntry, with_order: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if entry.status_id:
        out["workerStatusId"] = entry.status_id
    out.update(statusType=entry.status_type, statusReason=entry.reason, effectiveDate=midnight(entry.effective_date))
    if with_order:
        out["order"] = entry.order
    return out


def status_history(record: WorkerRecord) -> list[dict[str, Any]]:
    """Newest first (as in worker-statuses-get.json), future-dated entries included."""
    ordered = sorted(enumerate(record.statuses), key=lambda p: (p[1].effective_date, p[1].order, p[0]), reverse=True)
    return [status_dict(entry, with_order=True) for _, entry in ordered]


def name_dict(record: WorkerRecord) -> dict[str, str]:
    name = {"familyName": record.family_name}
    if record.middle_name:
        name["middleName"] = record.middle_name
    name["givenName"] = record.given_name
    if record.preferred_name:
        name["preferredName"] = record.preferred_name
    return name


def communications(record: WorkerRecord, base: str, roster: bool = False) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if record.email:
        items.append({"communicationId": record.worker_id[:16] + "CM01", "type": "EMAIL", "usageType": "BUSINESS",
                      "uri": record.email})
    items.append({"communicationId": record.worker_id[:16] + "CM02", "type": "MOBILE_PHONE", "usageType": "BUSINESS",
                  "dialCountry": "47", "dialNumber": record.mobile})
    for item in items:
        if roster:  # the roster example carries neither ids nor links
            del item["communicationId"]
        else:
            item["links"] = [{"rel": "self", "href": f"{base}/workers/{record.worker_id}/communications/{item['communicationId']}"}]
    return items


class Catalog:
    """Lookups the renderer needs: reference data by id and supervisors' names."""

    def __init__(self, organizations: dict[str, Organization], job_titles: dict[str, JobTitle],
                 locations: dict[str, Location], record_at: Any, today: date) -> None:
        self.organizations = organizations
        self.job_titles = job_titles
        self.locations = locations
        self.record_at = record_at
        self.today = today


def worker_dict(record: WorkerRecord, catalog: Catalog, base: str, nonpii: bool = False,
                with_communications: bool = False, roster: bool = False) -> dict[str, Any]:
    if roster:
        return {"employeeId": record.employee_id,
                "name": {"familyName": record.family_name, "givenName": record.given_name},
                "communications": communications(record, base, roster=True)}
    org = catalog.organizations[record.organization_id]
    title = catalog.job_titles[record.job_title_id]
    location = catalog.locations[record.location_id]
    out: dict[str, Any] = {
        "workerId": record.worker_id, "employeeId": record.employee_id, "workerType": record.worker_type,
        "employmentType": record.employment_type, "exemptionType": record.exemption_type,
        "workState": location.subdivision, "birthDate": midnight(record.birth_date), "sex": record.sex,
        "ethnicityCode": "WHITE_NOT_OF_HISPANIC_ORIGIN" if record.index % 7 else "TWO_OR_MORE_RACES",
        "hireDate": midnight(record.hire_date), "clockId": record.employee_id, "name": name_dict(record),
        "legalId": {"legalIdType": "SSN", "legalIdValue": record.ssn},
        "laborAssignmentId": location.labor_assignment_id, "locationId": record.location_id, "jobId": title.job_id,
        "job": {"jobTitleId": title.job_title_id, "title": title.title},
        "organization": {"organizationId": org.organization_id, "name": org.name, "number": org.number, "links": []},
    }
    links = [{"rel": "self", "href": f"{base}/workers/{record.worker_id}"},
             {"rel": "communications", "href": f"{base}/workers/{record.worker_id}/communications"}]
    if record.supervisor_index is not None:
        boss = catalog.record_at(record.supervisor_index)
        out["supervisor"] = {"workerId": boss.worker_id,
                             "name": {"familyName": boss.family_name, "givenName": boss.given_name}}
        links.append({"rel": "supervisor", "href": f"{base}/workers/{boss.worker_id}"})
    out["currentStatus"] = status_dict(current_status(record, catalog.today))
    if with_communications:
        out["communications"] = communications(record, base)
    out["links"] = links
    if nonpii:
        for field in PII_FIELDS:
            out.pop(field, None)
    return out


def organization_dict(org: Organization, base: str, company_id: str) -> dict[str, Any]:
    return {"organizationId": org.organization_id, "name": org.name, "number": org.number, "level": org.name,
            "links": [{"rel": "self", "href": f"{base}/companies/{company_id}/organizations/{org.organization_id}"}]}


def job_title_dict(title: JobTitle, base: str, company_id: str) -> dict[str, Any]:
    return {"jobTitleId": title.job_title_id, "title": title.title, "startDate": "2010-01-01T00:00:00Z",
            "links": [{"rel": "self", "href": f"{base}/companies/{company_id}/jobtitles/{title.job_title_id}"}]}


def location_dict(location: Location) -> dict[str, Any]:
    address = {"streetLineOne": location.street, "city": location.city, "postalCode": location.postal_code,
               "countrySubdivisionCode": location.subdivision, "countryCode": location.country_code}
    return {"locationId": location.location_id, "name": location.name, "address": address,
            "movedIn": "2010-01-01T00:00:00Z"}
