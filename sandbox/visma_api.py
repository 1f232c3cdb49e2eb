"""The Visma.net ERP HTTP surface: Visma Connect token, /v1 employees, departments, dimensions, branches."""

from __future__ import annotations

import base64
import binascii
import math
import secrets
import time
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox import visma_render as render
from sandbox.base import json_response, read_json
from sandbox.visma_render import MISSING, BadRequest

READ_SCOPE = "vismanet_erp_service_api:read"
RATE_POLICY = "4-fixed-window (Standard)"
API_RULES = [
    Rule("/connect/token", endpoint="vs_token", methods=["POST"]),
    Rule("/v1/employee", endpoint="vs_employees", methods=["GET", "POST"]),
    Rule("/v1/employee/<employee_cd>", endpoint="vs_employee", methods=["GET", "PUT"]),
    Rule("/v1/department", endpoint="vs_departments", methods=["GET", "POST"]),
    Rule("/v1/department/<department_id>", endpoint="vs_department", methods=["GET", "PUT"]),
    Rule("/v1/dimension", endpoint="vs_dimensions", methods=["GET"]),
    Rule("/v1/dimension/<dimension_id>", endpoint="vs_dimension", methods=["GET"]),
    Rule("/v1/dimension/<dimension_id>/<int:segment_id>", endpoint="vs_segment", methods=["GET", "PUT"]),
    Rule("/v1/dimension/<dimension_id>/<int:segment_id>/<value_id>", endpoint="vs_segment_value", methods=["GET"]),
    Rule("/v1/branch", endpoint="vs_branches", methods=["GET"]),
    Rule("/v1/branch/<number>", endpoint="vs_branch", methods=["GET"]),
]
WRITE_SCOPES = {"POST": "vismanet_erp_service_api:create", "PUT": "vismanet_erp_service_api:update"}


def _etag(version_b64: str) -> dict[str, str]:
    return {"ETag": f'"{version_b64}"'}


def _decode_b64(text: str) -> str:
    """Path ids sent base64-encoded (segment valueId, or `b64(...)` for other ids)."""
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
        return raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"'{text}' is not a valid Base64 encoded value.") from exc


def _path_id(text: str) -> str:
    return _decode_b64(text[4:-1]) if text.startswith("b64(") and text.endswith(")") else text


class VismaApi:
    """Mixin with the HTTP handlers; the state lives in VismaSandbox."""

    api_map = Map(API_RULES, strict_slashes=False)

    # -- pipeline -----------------------------------------------------------------------------------
    def api_call(self, request: Request) -> Response:  # type: ignore[override]
        self.faults.sleep()
        if request.path.startswith("/connect/"):
            return self._route(request, token_call=True)
        limited, headers = self._rate_limit()
        if limited:
            response = json_response({"message": f"Rate limit is exceeded. Try again in {headers['Retry-After']} seconds."}, 429)
        elif self.faults.inject_error():
            status = self.faults.pick([500, 503])
            text = "An error has occurred." if status == 500 else "The service is temporarily unavailable."
            response = json_response({"message": text}, status)
        else:
            response = self._route(request, token_call=False)
        response.headers.update(headers)
        return response

    def _route(self, request: Request, token_call: bool) -> Response:
        try:
            endpoint, args = self.api_map.bind_to_environ(request.environ).match()
        except HTTPException as exc:
            return self.api_error(exc)
        if not token_call:
            denied = self._authorize(request)
            if denied is not None:
                return denied
        try:
            with self.lock:
                return getattr(self, endpoint)(request, **args)
        except BadRequest as exc:
            return json_response(render.ipp_exception(str(exc)), 400)

    def api_error(self, exc: HTTPException) -> Response:
        if isinstance(exc, MethodNotAllowed):
            return json_response({"message": "The requested resource does not support http method."}, 405)
        return json_response({"message": "No HTTP resource was found that matches the request URI."}, 404)

    def _authorize(self, request: Request) -> Response | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        with self.lock:
            grant = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if grant is None or time.monotonic() >= grant[0]:
            return json_response({"message": "Unauthorized. Access token is missing, invalid or expired."}, 401,
                                 headers={"WWW-Authenticate": "Bearer"})
        needed = WRITE_SCOPES.get(request.method)
        if needed and needed not in grant[1]:
            return json_response({"message": f"Forbidden. The token lacks the scope {needed}."}, 403)
        return None

    def _rate_limit(self) -> tuple[bool, dict[str, str]]:
        """Fixed window over all /v1 calls; 429 + Retry-After beyond faults.rate_limit."""
        with self.lock:
            now = time.monotonic()
            if now - self._window_start >= self.faults.rate_window_seconds:
                self._window_start, self._window_calls = now, 0
            reset = max(1, math.ceil(self._window_start + self.faults.rate_window_seconds - now))
            limited = self._window_calls >= self.faults.rate_limit
            if not limited:
                self._window_calls += 1
            remaining = max(0, self.faults.rate_limit - self._window_calls)
        headers = {"X-RateLimit-Limit": str(self.faults.rate_limit), "X-RateLimit-Remaining": str(remaining),
                   "X-RateLimit-Reset": str(reset), "X-RateLimit-Policy": RATE_POLICY}
        if limited:
            headers["Retry-After"] = str(reset)
        return limited, headers

    # -- Visma Connect --------------------------------------------------------------------------------
    def vs_token(self, request: Request) -> Response:
        form = request.form
        if form.get("grant_type") != "client_credentials":
            return json_response({"error": "unsupported_grant_type"}, 400)
        if form.get("client_id") != self.client_id or not secrets.compare_digest(
                form.get("client_secret", ""), self.client_secret):
            return json_response({"error": "invalid_client"}, 400)
        scopes = set(form.get("scope", "").split())
        if READ_SCOPE not in scopes:
            return json_response({"error": "invalid_scope"}, 400)
        if form.get("tenant_id") != self.tenant_id:
            return json_response({"error": "invalid_tenant"}, 400)
        token = secrets.token_urlsafe(32)
        self._tokens[token] = (time.monotonic() + self.faults.token_lifetime, frozenset(scopes))
        return json_response({"access_token": token, "expires_in": int(self.faults.token_lifetime),
                              "token_type": "Bearer", "scope": " ".join(sorted(scopes))})

    # -- employees -------------------------------------------------------------------------------------
    def vs_employees(self, request: Request) -> Response:
        if request.method == "POST":
            return self._create_employee(request)
        keep = render.modified_filter(request.args)
        page, size = self._paging(request)
        matching = [e for e in self._employees.values() if keep(e["lastModified"])]
        matching.sort(key=lambda e: e["employeeId"])
        metadata = {"totalCount": len(matching), "maxPageSize": self.faults.max_page_size}
        chunk = matching[(page - 1) * size: page * size]
        return json_response([render.employee_dto(e, dict(metadata)) for e in chunk])

    def _paging(self, request: Request) -> tuple[int, int]:
        try:
            page = int(request.args.get("pageNumber", 1))
            size = int(request.args.get("pageSize", self.faults.max_page_size))
        except ValueError as exc:
            raise BadRequest("pageNumber and pageSize must be integers.") from exc
        if page < 1 or size < 1:
            raise BadRequest("pageNumber and pageSize must be positive.")
        return page, min(size, self.faults.max_page_size)  # "request will be limited to max page size"

    def vs_employee(self, request: Request, employee_cd: str) -> Response:
        employee_cd = _path_id(employee_cd)
        employee = self._employees.get(employee_cd)
        if employee is None:
            return json_response(render.ipp_exception(f"Employee '{employee_cd}' not found.", "12003"), 404)
        if request.method == "GET":
            dto = render.employee_dto(employee)
            return json_response(dto, headers=_etag(dto["timeStamp"]))
        if not self._if_match(request, employee["version"]):
            return Response("", status=412, content_type="application/json")
        changes = self._employee_changes(self._body(request), creating=False)
        self.apply_employee(employee_cd, changes)
        return Response(status=204, headers=_etag(render.timestamp(self._employees[employee_cd]["version"])))

    def _create_employee(self, request: Request) -> Response:
        changes = self._employee_changes(self._body(request), creating=True)
        employee_cd = str(changes["employeeCd"])
        if employee_cd in self._employees:
            raise BadRequest(f"Employee '{employee_cd}' already exists.")
        employee = self.insert_employee(changes)
        headers = {"Location": f"{request.host_url.rstrip('/')}/v1/employee/{employee_cd}"}
        headers.update(_etag(render.timestamp(employee["version"])))
        return Response(status=201, headers=headers, content_type="application/json")

    def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = read_json(request)
        except ValueError as exc:
            raise BadRequest("The request body is not valid JSON.") from exc
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object.")
        return body

    def _if_match(self, request: Request, version: int) -> bool:
        wanted = request.headers.get("If-Match")
        if not wanted or wanted.strip() == "*":
            return True  # If-Match is optional: last writer wins (NOTES §4)
        return wanted.strip().removeprefix("W/").strip('"') == render.timestamp(version)

    def _employee_changes(self, body: dict[str, Any], creating: bool) -> dict[str, Any]:
        fields = ["department", "employeeClass", "branch", "calendar"] + (["employeeCd"] if creating else [])
        changes = {f: v for f in fields if (v := render.unwrap(body, f)) is not MISSING}
        status = render.unwrap(body, "status")
        if status is not MISSING:
            if status not in render.WRITE_STATUSES:
                raise BadRequest(f"Invalid status '{status}'. Allowed: {', '.join(render.WRITE_STATUSES)}.")
            changes["status"] = render.WRITE_STATUSES[status]
        contact = body.get("contact", MISSING)
        if contact is MISSING or not isinstance(contact, dict):
            raise BadRequest("'contact' is required and must be an object.")
        for write_name, read_name in render.CONTACT_FIELDS.items():
            if (value := render.unwrap(contact, write_name, "contact.")) is not MISSING:
                changes[read_name] = value
        if isinstance(body.get("address"), dict):
            address = {f: v for f in render.ADDRESS_FIELDS if (v := render.unwrap(body["address"], f, "address.")) is not MISSING}
            changes["address"] = address
        if creating:
            required = ["employeeCd", "department", "employeeClass", "branch", "calendar"]
            for name in required + ["lastName", "email"]:
                if changes.get(name) in (None, "", MISSING):
                    label = f"contact.{name}" if name in ("lastName", "email") else name
                    raise BadRequest(f"'{label}' is required.")
        self._validate_refs(changes)
        return changes

    def _validate_refs(self, changes: dict[str, Any]) -> None:
        if "department" in changes and changes["department"] not in self._departments:
            raise BadRequest(f"Department '{changes['department']}' cannot be found in the system.")
        if "branch" in changes and changes["branch"] not in self._branches:
            raise BadRequest(f"Branch '{changes['branch']}' cannot be found in the system.")
        if "lastName" in changes and not changes["lastName"]:
            raise BadRequest("'contact.lastName' cannot be empty.")
        if changes.get("email") and "@" not in str(changes["email"]):
            raise BadRequest(f"'{changes['email']}' is not a valid e-mail address.")

    # -- departments -----------------------------------------------------------------------------------
    def vs_departments(self, request: Request) -> Response:
        if request.method == "GET":
            keep = render.modified_filter(request.args)
            return json_response([render.department_dto(d) for d in self._departments.values() if keep(d["lastModified"])])
        body = self._body(request)
        department_id = body.get("departmentId")
        if not isinstance(department_id, str) or not department_id:
            raise BadRequest("'departmentId' is required (a plain string).")
        if department_id in self._departments:
            raise BadRequest(f"Department '{department_id}' already exists.")
        description = render.unwrap(body, "description")
        department = self.upsert_department(department_id, "" if description is MISSING else description)
        headers = {"Location": f"{request.host_url.rstrip('/')}/v1/department/{department_id}"}
        headers.update(_etag(render.timestamp(department["version"])))
        return Response(status=201, headers=headers, content_type="application/json")

    def vs_department(self, request: Request, department_id: str) -> Response:
        department = self._departments.get(_path_id(department_id))
        if department is None:
            return json_response(render.ipp_exception(f"Department '{department_id}' not found.", "12003"), 404)
        if request.method == "GET":
            dto = render.department_dto(department)
            return json_response(dto, headers=_etag(dto["timeStamp"]))
        if not self._if_match(request, department["version"]):
            return Response("", status=412, content_type="application/json")
        description = render.unwrap(self._body(request), "description")
        if description is not MISSING:
            department = self.upsert_department(department["departmentId"], description)
        return Response(status=204, headers=_etag(render.timestamp(department["version"])))

    # -- dimensions ------------------------------------------------------------------------------------
    def vs_dimensions(self, request: Request) -> Response:
        return json_response(list(self._dimensions))

    def vs_dimension(self, request: Request, dimension_id: str) -> Response:
        dimension = self._dimensions.get(dimension_id)
        if dimension is None:
            return json_response(render.ipp_exception(f"Dimension '{dimension_id}' not found.", "12003"), 404)
        keep = render.modified_filter(request.args)
        with_values = request.args.get("expandSegmentsValues", "true").lower() != "false"
        return json_response(render.dimension_dto(dimension, keep, with_values))

    def vs_segment(self, request: Request, dimension_id: str, segment_id: int) -> Response:
        segment = self._dimensions.get(dimension_id, {}).get("segments", {}).get(segment_id)
        if segment is None:
            return json_response(render.ipp_exception(f"Segment {dimension_id}/{segment_id} not found.", "12003"), 404)
        if request.method == "GET":
            dto = render.segment_dto(segment)
            return json_response(dto, headers=_etag(dto["timeStamp"]))
        if not self._if_match(request, segment["version"]):
            return Response("", status=412, content_type="application/json")
        operations = self._segment_operations(self._body(request), segment)
        self.apply_segment_operations(dimension_id, segment_id, operations)
        return Response(status=204, headers=_etag(render.timestamp(segment["version"])))

    def _segment_operations(self, body: dict[str, Any], segment: dict[str, Any]) -> list[dict[str, Any]]:
        """Validate every operation before applying any, so a bad batch changes nothing."""
        items = body.get("segmentValues", [])
        if not isinstance(items, list):
            raise BadRequest("'segmentValues' must be an array.")
        operations, seen = [], set(segment["values"])
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise BadRequest(f"segmentValues[{i}] must be an object.")
            operation, value = item.get("operation", "Insert"), item.get("value")
            if operation not in ("Insert", "Update", "Delete"):
                raise BadRequest(f"segmentValues[{i}].operation must be Insert, Update or Delete.")
            if not isinstance(value, str) or not value:
                raise BadRequest(f"segmentValues[{i}].value must be a plain, non-empty string.")
            if len(value) > segment["length"]:
                raise BadRequest(f"Segment value '{value}' is longer than the segment length {segment['length']}.")
            if operation == "Insert" and value in seen:
                raise BadRequest(f"Segment value '{value}' already exists.")
            if operation != "Insert" and value not in seen:
                raise BadRequest(f"Segment value '{value}' does not exist.")
            if operation == "Delete":
                seen.discard(value)
            else:
                seen.add(value)
            description = render.unwrap(item, "description", f"segmentValues[{i}].")
            active = render.unwrap(item, "active", f"segmentValues[{i}].")
            if active is not MISSING and not isinstance(active, bool):
                raise BadRequest(f"segmentValues[{i}].active.value must be a boolean.")
            operations.append({"operation": operation, "value": value, "description": description, "active": active})
        return operations

    def vs_segment_value(self, request: Request, dimension_id: str, segment_id: int, value_id: str) -> Response:
        segment = self._dimensions.get(dimension_id, {}).get("segments", {}).get(segment_id)
        value = None if segment is None else segment["values"].get(_decode_b64(value_id))
        if value is None:
            return json_response(render.ipp_exception("Segment value not found.", "12003"), 404)
        dto = render.segment_value_dto(segment_id, value)
        return json_response(dto, headers=_etag(dto["timeStamp"]))

    # -- branches ----------------------------------------------------------------------------------------
    def vs_branches(self, request: Request) -> Response:
        keep = render.modified_filter(request.args)
        return json_response([render.branch_dto(b) for b in self._branches.values() if keep(b["lastModified"])])

    def vs_branch(self, request: Request, number: str) -> Response:
        branch = self._branches.get(_path_id(number))
        if branch is None:
            return json_response(render.ipp_exception(f"Branch '{number}' not found.", "12003"), 404)
        return json_response(render.branch_dto(branch))

