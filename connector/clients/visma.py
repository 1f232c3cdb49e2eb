"""Visma.net ERP API client (facts: shared/specs/visma/NOTES.md and the trimmed OpenAPI file).

Callers work in neutral employee dicts (clients/visma_dto.py); DTO shapes never leave this package.
Only classification lives here; the HTTP mechanics are in connector.http.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from connector.clients.visma_dto import (
    EMPLOYEE_FIELDS,
    EmployeeRecord,
    create_dto,
    format_modified_since,
    quote_etag,
    record_from_dto,
    unquote_etag,
    update_dto,
)
from connector.clock import Clock
from connector.errors import NotFound
from connector.http import ApiSession, VendorRules, parse_json, setting

if TYPE_CHECKING:
    import requests

    from connector.models import Connection

__all__ = ["EMPLOYEE_FIELDS", "EmployeeRecord", "VismaClient", "VismaRules"]


class VismaRules(VendorRules):
    # Ours: Visma documents no correlation header; this one lets us find a call in our own logs.
    correlation_header = "X-Correlation-Id"

    def extra_headers(self, connection: Connection) -> dict[str, str]:
        # Legacy VNI header; with Visma Connect the tenant picks the company, so it is only sent when set.
        return {"ipp-company-id": connection.company_id} if connection.company_id else {}

    def describe(self, body: Any) -> tuple[str, str]:
        """IPPException envelope {"ExceptionType","ExceptionMessage","ExceptionFaultCode",…} (NOTES §6),
        or the gateway's bare {"message": …}."""
        if not isinstance(body, dict):
            return "", ""
        if "ExceptionMessage" in body or "ExceptionFaultCode" in body:
            return str(body.get("ExceptionFaultCode") or ""), str(body.get("ExceptionMessage") or "")
        return "", str(body.get("message") or body.get("Message") or "")

    def is_transient(self, status: int, code: str) -> bool | None:
        # 12027 "No license for this company." and 12002 "company not set / not authorised" are
        # configuration problems: permanent whatever the status they come with (NOTES §1, §6).
        if code in ("12027", "12002"):
            return False
        return None

    def paces_by_rate_limit_headers(self) -> bool:
        # NOTES §6: X-RateLimit-Limit/Remaining/Reset on every response, per company and client.
        return True


class VismaClient:
    """Calls to one Visma.net ERP company (the tenant chosen by the connection's tenant_id)."""

    def __init__(self, connection: Connection, *, clock: Clock | None = None) -> None:
        self.connection = connection
        self.http = ApiSession(connection, VismaRules(), clock=clock)

    # --- employees ------------------------------------------------------------------------------
    def iter_employees(self, modified_since: datetime | None = None, page_size: int | None = None) -> Iterator[EmployeeRecord]:
        """Every employee (modified at or after `modified_since` when given), page by page."""
        params = _modified_params(modified_since)
        for item in self._paged("/v1/employee", params, page_size):
            yield record_from_dto(item)

    def get_employee(self, employee_cd: str) -> EmployeeRecord | None:
        """The employee with its ETag, or None when Visma has no such employee."""
        try:
            response = self.http.request("GET", _employee_path(employee_cd))
        except NotFound:
            return None
        return record_from_dto(response.json(), response.headers.get("ETag"))

    def create_employee(self, fields: dict[str, Any]) -> str:
        """POST a complete neutral employee; return its ETag (from the 201, else by reading it back).
        Raises ValueError when required fields are missing, ApiError when Visma refuses."""
        response = self.http.request("POST", "/v1/employee", json_body=create_dto(fields))
        return self._etag_after_write(response, fields["employee_cd"])

    def update_employee(self, employee_cd: str, changes: dict[str, Any], etag: str | None = None) -> str:
        """PUT only `changes` ({field: new value}; (old, new) pairs are accepted too), with If-Match when
        `etag` is given; return the new ETag. Raises PreconditionFailed when `etag` is stale."""
        changes = {k: (v[1] if isinstance(v, (tuple, list)) else v) for k, v in changes.items()}
        headers = {"If-Match": quote_etag(etag)} if etag else None
        response = self.http.request("PUT", _employee_path(employee_cd), json_body=update_dto(changes), headers=headers)
        return self._etag_after_write(response, employee_cd)

    def _etag_after_write(self, response: requests.Response, employee_cd: str) -> str:
        if response.headers.get("ETag"):
            return unquote_etag(response.headers["ETag"])
        location = response.headers.get("Location")
        reread = self.http.request("GET", location) if location else self.http.request("GET", _employee_path(employee_cd))
        body = parse_json(reread) or {}
        return unquote_etag(reread.headers.get("ETag") or body.get("timeStamp") or "")

    # --- departments ----------------------------------------------------------------------------
    def departments(self, modified_since: datetime | None = None) -> list[dict]:
        # The spec declares no paging parameters for /v1/department.
        return self.http.request("GET", "/v1/department", params=_modified_params(modified_since)).json()

    def create_department(self, department_id: str, description: str) -> None:
        body = {"departmentId": department_id, "description": {"value": description}}
        self.http.request("POST", "/v1/department", json_body=body)

    def update_department(self, department_id: str, description: str) -> None:
        self.http.request("PUT", f"/v1/department/{quote(department_id, safe='')}",
                          json_body={"description": {"value": description}})

    # --- dimensions and branches ----------------------------------------------------------------
    def dimensions(self) -> list[str]:
        return self.http.request("GET", "/v1/dimension").json()

    def segment(self, dimension_id: str, segment_id: int | str) -> dict:
        return self.http.request("GET", _segment_path(dimension_id, segment_id)).json()

    def segment_values(self, dimension_id: str, segment_id: int | str) -> list[dict]:
        return list(self.segment(dimension_id, segment_id).get("segmentValues") or [])

    def put_segment_values(self, dimension_id: str, segment_id: int | str, operations: list[dict]) -> None:
        """Insert/update segment values: each {"operation", "value", "description", "active"}. The value
        stays a plain string in DtoSegmentValueUpdateDtoBase; description and active are wrapped."""
        values = [
            {"operation": op["operation"], "value": op["value"],
             "description": {"value": op.get("description", "")}, "active": {"value": bool(op.get("active", True))}}
            for op in operations
        ]
        self.http.request("PUT", _segment_path(dimension_id, segment_id), json_body={"segmentValues": values})

    def branches(self) -> list[dict]:
        return self.http.request("GET", "/v1/branch").json()

    # --- paging ---------------------------------------------------------------------------------
    def _paged(self, path: str, params: dict[str, Any], page_size: int | None) -> Iterator[dict]:
        """pageNumber/pageSize paging (1-based). Stops on an empty page or once pageNumber × pageSize
        reaches the totalCount carried in every item's metadata. A short page alone does not stop it:
        the server may cap pageSize without saying so."""
        size = page_size or setting("VISMA_PAGE_SIZE")
        number = 1
        while True:
            items = self.http.request("GET", path, params={**params, "pageNumber": number, "pageSize": size}).json()
            if not items:
                return
            yield from items
            metadata = items[0].get("metadata") or {}
            effective = min(size, int(metadata.get("maxPageSize") or size))  # the server caps pageSize
            total = metadata.get("totalCount")
            if total is not None and number * effective >= int(total):
                return
            number += 1


def _modified_params(modified_since: datetime | None) -> dict[str, Any]:
    if modified_since is None:
        return {}
    return {"lastModifiedDateTime": format_modified_since(modified_since), "lastModifiedDateTimeCondition": ">="}


def _employee_path(employee_cd: str) -> str:
    return f"/v1/employee/{quote(employee_cd, safe='')}"


def _segment_path(dimension_id: str, segment_id: int | str) -> str:
    return f"/v1/dimension/{quote(dimension_id, safe='')}/{quote(str(segment_id), safe='')}"
