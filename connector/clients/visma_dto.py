"""Translation between the neutral employee dict and Visma.net ERP's employee DTOs.

Everything vendor-shaped about employees lives here (and only here, with clients/visma.py): the
`{"value": …}` write wrappers, `contact.middleName` (write) vs `contact.midName` (read), the read shapes
`employeeClass {id, description}`, `branch {number, name}` and `calendarID`, and the status vocabulary
(writes take `Hold`, reads return `OnHold`). Source: shared/specs/visma/visma-net-erp-trimmed.openapi.yaml.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from connector.http import setting

EMPLOYEE_FIELDS = ("employee_cd", "first_name", "middle_name", "last_name", "email", "status",
                   "department", "branch", "employee_class", "calendar")
WRITE_STATUSES = ("Active", "Hold", "HoldPayments", "Inactive", "OneTime")
# EmployeeDto.status enum has OnHold where the write DTOs have Hold.
READ_TO_WRITE_STATUS = {"OnHold": "Hold"}
CONTACT_FIELDS = {"first_name": "firstName", "middle_name": "middleName", "last_name": "lastName", "email": "email"}
TOP_FIELDS = {"department": "department", "branch": "branch", "employee_class": "employeeClass",
              "calendar": "calendar", "status": "status"}
# EmployeeCreateDTO.required (the contact block's lastName and email are required inside it).
CREATE_REQUIRED = ("employee_cd", "department", "employee_class", "branch", "calendar", "last_name", "email")
LAST_MODIFIED_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


@dataclass(frozen=True)
class EmployeeRecord:
    fields: dict[str, str | None]   # keys: EMPLOYEE_FIELDS
    etag: str                       # = timeStamp (unquoted)
    last_modified: datetime | None


def record_from_dto(dto: dict[str, Any], etag: str | None = None) -> EmployeeRecord:
    """An EmployeeDto (read) as an EmployeeRecord; `etag` from the response header wins over timeStamp."""
    contact = dto.get("contact") or {}
    status = dto.get("status")
    fields = {
        "employee_cd": dto.get("employeeNumber"),
        "first_name": contact.get("firstName"),
        "middle_name": contact.get("midName"),
        "last_name": contact.get("lastName"),
        "email": contact.get("email"),
        "status": READ_TO_WRITE_STATUS.get(status, status),
        "department": dto.get("department"),
        "branch": (dto.get("branch") or {}).get("number"),
        "employee_class": (dto.get("employeeClass") or {}).get("id"),
        "calendar": dto.get("calendarID"),
    }
    return EmployeeRecord(fields=fields, etag=unquote_etag(etag or dto.get("timeStamp") or ""),
                          last_modified=parse_visma_datetime(dto.get("lastModifiedDateTime")))


def create_dto(fields: dict[str, Any]) -> dict[str, Any]:
    """EmployeeCreateDTO from a complete neutral employee. Raises ValueError naming missing fields."""
    missing = [name for name in CREATE_REQUIRED if not fields.get(name)]
    if missing:
        raise ValueError(f"cannot create a Visma employee without {', '.join(missing)}")
    body = {"employeeCd": _wrap(fields["employee_cd"]), **_write_fields(fields)}
    return body


def update_dto(changes: dict[str, Any]) -> dict[str, Any]:
    """EmployeeUpdateDto carrying only the fields in `changes` (omitted fields stay as they are in Visma).

    `contact` is the one required property of EmployeeUpdateDto (its own properties are all optional),
    so it is always sent, empty when no contact field changes. Raises ValueError for employee_cd
    (renaming is a separate action) and unknown fields.
    """
    if "employee_cd" in changes:
        raise ValueError("employee_cd cannot be changed by an update (Visma's changeEmployeeCd action does that)")
    unknown = set(changes) - set(EMPLOYEE_FIELDS)
    if unknown:
        raise ValueError(f"unknown employee fields: {', '.join(sorted(unknown))}")
    return {"contact": {}, **_write_fields(changes)}


def _write_fields(fields: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    contact = {CONTACT_FIELDS[k]: _wrap(v) for k, v in fields.items() if k in CONTACT_FIELDS}
    if contact:
        body["contact"] = contact
    for name, dto_name in TOP_FIELDS.items():
        if name in fields:
            value = write_status(fields[name]) if name == "status" else fields[name]
            body[dto_name] = _wrap(value)
    return body


def write_status(value: str | None) -> str | None:
    """The write vocabulary for a status; accepts the read value OnHold. Raises ValueError otherwise."""
    value = READ_TO_WRITE_STATUS.get(value, value) if value else value
    if value is not None and value not in WRITE_STATUSES:
        raise ValueError(f"unknown Visma employee status {value!r} (expected one of {', '.join(WRITE_STATUSES)})")
    return value


def _wrap(value: Any) -> dict[str, Any]:
    return {"value": value}


def unquote_etag(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return value[1:-1]
    return value


def quote_etag(value: str) -> str:
    """If-Match takes the entity tag quoted (`"AAAAAE0YIiI="`); a weak or already quoted tag is sent as is."""
    value = value.strip()
    return value if value.startswith(('"', "W/")) else f'"{value}"'


def visma_zone() -> ZoneInfo:
    return ZoneInfo(setting("VISMA_TIMEZONE"))


def format_modified_since(moment: datetime) -> str:
    """`lastModifiedDateTime` filter value, `yyyy-MM-ddTHH:mm:ss.fff` in CONNECTOR["VISMA_TIMEZONE"]."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(visma_zone()).replace(tzinfo=None)
    return moment.strftime(LAST_MODIFIED_FORMAT)[:-3]


def parse_visma_datetime(value: Any) -> datetime | None:
    """An aware datetime; a value without an offset is read in CONNECTOR["VISMA_TIMEZONE"]."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    if "." in text:  # Python before 3.12 wants exactly 3 or 6 fraction digits
        head, _, rest = text.partition(".")
        digits = "".join(ch for ch in rest if ch.isdigit())
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits):]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=visma_zone())
