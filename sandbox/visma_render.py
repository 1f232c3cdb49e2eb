"""Visma.net ERP JSON shapes (EmployeeDto, DepartmentDto, DtoDimension...) and the write-DTO reader."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

WRITE_STATUSES = {"Active": "Active", "Hold": "OnHold", "HoldPayments": "HoldPayments",
                  "Inactive": "Inactive", "OneTime": "OneTime"}
CONTACT_FIELDS = {"firstName": "firstName", "lastName": "lastName", "middleName": "midName", "email": "email",
                  "phone1": "phone1", "phone2": "phone2", "phone3": "phone3", "fax": "fax"}
ADDRESS_FIELDS = ("addressLine1", "addressLine2", "addressLine3", "postalCode", "city", "countryId", "county")
MISSING = object()
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f")


class BadRequest(Exception):
    """A 400 answered with an IPPException body."""


def ipp_exception(message: str, fault_code: str = "10000") -> dict[str, str]:
    """The error envelope of samples/error-ippexception-*.json (the fault code for validation is a guess)."""
    return {"ExceptionType": "IPPException", "ExceptionMessage": message, "ExceptionFaultCode": fault_code,
            "ExceptionMessageID": f"{fault_code}_{uuid.uuid4()}", "ExceptionDetails": ""}


def timestamp(version: int) -> str:
    """A SQL-rowversion-like ETag: 8 bytes, base64 (e.g. "AAAAAE0YIiI=")."""
    return base64.b64encode(version.to_bytes(8, "big")).decode()


def visma_time(moment: datetime) -> str:
    """Visma's date-times carry no offset; the sandbox keeps them in UTC."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def parse_filter_time(text: str) -> datetime:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise BadRequest(f"Invalid lastModifiedDateTime '{text}'. Accepted formats: yyyy-MM-dd, yyyy-MM-dd HH:mm:ss, "
                     "yyyy-MM-dd HH:mm:ss.FFF, yyyy-MM-ddTHH:mm:ss, yyyy-MM-ddTHH:mm:ss.FFF")


def modified_filter(args: Any) -> Any:
    """A predicate on datetimes from lastModifiedDateTime(+Condition): both or neither, else 400."""
    text, condition = args.get("lastModifiedDateTime"), args.get("lastModifiedDateTimeCondition")
    if text is None and condition is None:
        return lambda moment: True
    if not text or not condition:
        raise BadRequest("LastModifiedDateTime and LastModifiedDateTimeCondition are mutually inclusive.")
    since = parse_filter_time(text.strip())
    tests = {">": lambda m: m > since, "<": lambda m: m < since, ">=": lambda m: m >= since, "<=": lambda m: m <= since}
    if condition.strip() not in tests:
        raise BadRequest(f"Invalid lastModifiedDateTimeCondition '{condition}'. Accepted values: >, <, >=, <=")
    return tests[condition.strip()]


def unwrap(body: dict[str, Any], field: str, path: str = "") -> Any:
    """The `value` of a {"value": ...} wrapper; MISSING when absent; 400 when sent unwrapped."""
    if field not in body:
        return MISSING
    wrapper = body[field]
    if not isinstance(wrapper, dict) or "value" not in wrapper:
        raise BadRequest(f"Error reading '{path}{field}': expected an object like {{\"value\": ...}}, "
                         f"got {type(wrapper).__name__}.")
    value = wrapper["value"]
    if value is not None and not isinstance(value, (str, bool, int, float)):
        raise BadRequest(f"Error reading '{path}{field}.value': expected a scalar.")
    return value


def employee_dto(e: dict[str, Any], metadata: dict[str, int] | None = None) -> dict[str, Any]:
    contact = {k: e[k] for k in ("firstName", "midName", "lastName") if e.get(k)}
    contact.update(contactId=e["contactId"], name=e_name(e))
    contact.update({k: e[k] for k in ("email", "phone1", "phone2", "phone3", "fax") if e.get(k)})
    dto: dict[str, Any] = {
        "employeeId": e["employeeId"], "employeeNumber": e["employeeCd"], "employeeName": e_name(e),
        "status": e["status"], "department": e["department"], "contact": contact,
        "address": address_dto(e), "lastModifiedDateTime": visma_time(e["lastModified"]),
        "employeeClass": {"id": e["employeeClass"], "description": e.get("employeeClassDescription", "")},
        "branch": {"number": e["branch"], "name": e.get("branchName", "")},
        "calendarID": e["calendar"], "workGroupDescription": [], "timeStamp": timestamp(e["version"]),
    }
    if metadata is not None:
        dto["metadata"] = metadata
    return dto


def e_name(e: dict[str, Any]) -> str:
    return " ".join(part for part in (e.get("firstName"), e.get("midName"), e.get("lastName")) if part)


def address_dto(e: dict[str, Any]) -> dict[str, Any]:
    address = e.get("address") or {}
    out: dict[str, Any] = {"addressId": e["contactId"]}
    out.update({k: address[k] for k in ("addressLine1", "addressLine2", "addressLine3", "postalCode", "city") if address.get(k)})
    if address.get("countryId"):
        out["country"] = {"id": address["countryId"]}
    if address.get("county"):
        out["county"] = {"id": address["county"]}
    return out


def department_dto(d: dict[str, Any]) -> dict[str, Any]:
    return {"departmentId": d["departmentId"], "publicId": d["publicId"], "description": d["description"],
            "expenseAccount": {"type": "Expense", "active": True, "number": d.get("expenseAccount", "5000"),
                               "description": "Lønn"},
            "lastModifiedDateTime": visma_time(d["lastModified"]), "timeStamp": timestamp(d["version"])}


def segment_value_dto(segment_id: int, v: dict[str, Any]) -> dict[str, Any]:
    return {"internalId": v["internalId"], "segmentId": segment_id, "valueId": v["valueId"],
            "description": v["description"], "publicId": v["publicId"], "active": v["active"],
            "timeStamp": timestamp(v["version"]), "lastModified": visma_time(v["lastModified"]),
            "mappedSegValue": ""}


def segment_dto(s: dict[str, Any], keep: Any = None, with_values: bool = True) -> dict[str, Any]:
    out = {"internalId": s["internalId"], "segmentId": s["segmentId"], "description": s["description"],
           "length": s["length"], "publicId": s["publicId"], "timeStamp": timestamp(s["version"]),
           "lastModified": visma_time(s["lastModified"]), "validate": True, "isAutoNumber": False}
    if with_values:
        values = [v for v in s["values"].values() if keep is None or keep(v["lastModified"])]
        out["segmentValues"] = [segment_value_dto(s["segmentId"], v) for v in values]
    return out


def dimension_dto(d: dict[str, Any], keep: Any = None, with_values: bool = True) -> dict[str, Any]:
    segments = [segment_dto(s, keep, with_values) for s in d["segments"].values()]
    return {"id": d["id"], "length": sum(s["length"] for s in d["segments"].values()),
            "description": d["description"], "segments": segments}


def branch_dto(b: dict[str, Any]) -> dict[str, Any]:
    return {"branchId": b["branchId"], "number": b["number"], "name": b["name"], "isActive": True,
            "lastModifiedDateTime": visma_time(b["lastModified"]), "timeStamp": timestamp(b["version"])}
