"""Visma.net ERP simulator: one tenant with departments, dimensions, branches and employees."""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox import names
from sandbox import paychex_render
from sandbox import visma_render as render
from sandbox.base import SandboxBase, json_response
from sandbox.faults import VismaFaults
from sandbox.visma_api import VismaApi
from sandbox.webhooks import VismaNotifier

COST_CENTER = ("SUBACCOUNT", 1)  # (dimensionId, segmentId) of the cost-center values
JOB_TITLE = ("SUBACCOUNT", 2)  # job titles as the second subaccount segment ("Stilling")
EMPLOYEE_CLASSES = {"EMPSTAND": "Standard employee", "EMPHOUR": "Hourly employee"}
PAYCHEX_STATUS = {"ACTIVE": "Active", "INACTIVE": "OnHold", "TERMINATED": "Inactive"}
SEED_TIME = datetime(2025, 1, 6, 7, 30)
EDIT_ALIASES = {"first_name": "firstName", "middle_name": "midName", "middleName": "midName", "mid_name": "midName",
                "last_name": "lastName", "employee_class": "employeeClass", "calendarID": "calendar"}
EDITABLE = {"firstName", "midName", "lastName", "email", "phone1", "phone2", "phone3", "fax", "status", "department",
            "branch", "employeeClass", "calendar"}
STATE_SAMPLE_SIZE = 1000
CONTROL_RULES = [Rule("/_sandbox/faults", endpoint="ctl_faults", methods=["POST", "GET"]),
                 Rule("/_sandbox/state", endpoint="ctl_state", methods=["GET"]),
                 Rule("/_sandbox/requests", endpoint="ctl_requests", methods=["GET"]),
                 Rule("/_sandbox/reset-requests", endpoint="ctl_reset_requests", methods=["POST"]),
                 Rule("/_sandbox/edit_employee", endpoint="ctl_edit_employee", methods=["POST"]),
                 Rule("/_sandbox/edit_segment_value", endpoint="ctl_edit_segment_value", methods=["POST"]),
                 Rule("/_sandbox/subscribe", endpoint="ctl_subscribe", methods=["POST"]),
                 Rule("/_sandbox/deliveries", endpoint="ctl_deliveries", methods=["GET"])]


class VismaSandbox(VismaApi, SandboxBase):
    """A local Visma.net ERP API (+ Visma Connect token endpoint). API base: `url + "/v1/..."`."""

    control_map = Map(CONTROL_RULES)

    def __init__(self, seed: int = 1, employees_from: Any = None, signature_header: str = "X-Visma-Signature") -> None:
        super().__init__()
        self.seed = seed
        self.faults = VismaFaults(seed=seed)
        self._rng = random.Random(f"visma-{seed}")
        digest = hashlib.sha256(f"visma-client-{seed}".encode()).hexdigest()
        self.tenant_id = str(uuid.UUID(digest[:32]))
        self.client_id = "ml-connector-" + digest[32:40]
        self.client_secret = digest[40:64]
        self._tokens: dict[str, tuple[float, frozenset[str]]] = {}
        self._version = 0x4E0000
        self._window_start, self._window_calls = time.monotonic(), 0
        self._notifier = VismaNotifier(self.faults, signature_header)
        self._employees: dict[str, dict[str, Any]] = {}
        self._departments: dict[str, dict[str, Any]] = {}
        self._branches: dict[str, dict[str, Any]] = {}
        self._dimensions: dict[str, dict[str, Any]] = {}
        self._seed_catalog()
        if employees_from is not None:
            self._seed_employees(employees_from)

    # -- lifecycle -----------------------------------------------------------------------------------
    def _on_start(self) -> None:
        self._notifier.start()

    def _on_stop(self) -> None:
        self._notifier.stop()

    @property
    def token_url(self) -> str:
        return self.url + "/connect/token"

    @property
    def webhook_subscribers(self) -> list[dict[str, str]]:
        """Mutable list of {"url", "key"}: every change is POSTed there, signed with the key."""
        return self._notifier.subscribers

    def subscribe(self, url: str, key: str) -> None:
        self._notifier.subscribe(url, key)

    @property
    def webhook_deliveries(self) -> list[dict[str, Any]]:
        return self._notifier.deliveries

    def flush_webhooks(self, timeout: float = 5.0) -> bool:
        return self._notifier.flush(timeout)

    # -- seed -------------------------------------------------------------------------------------------
    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _bump(self) -> int:
        self._version += 1
        return self._version

    def _seed_catalog(self) -> None:
        for i, (number, _, _) in enumerate(names.ORGANIZATIONS):
            if names.VISMA_DEPARTMENTS[number]:
                department_id, description = names.VISMA_DEPARTMENTS[number]
                self.upsert_department(department_id, description, SEED_TIME + timedelta(minutes=i))
        for department_id, description in names.VISMA_ONLY_DEPARTMENTS:
            self.upsert_department(department_id, description, SEED_TIME)
        for i, location in enumerate(names.LOCATIONS):
            self._branches[location[7]] = {"branchId": i + 1, "number": location[7], "name": location[0],
                                           "lastModified": SEED_TIME, "version": self._bump()}
        cost_centers = [(n, d) for n, d in names.VISMA_COST_CENTER_DESCRIPTIONS.items() if d] + names.VISMA_ONLY_COST_CENTERS
        titles = [(code, desc) for code, _, _, _, desc in names.JOB_TITLES if desc]
        self._dimensions["SUBACCOUNT"] = self._dimension("SUBACCOUNT", "Subaccount", [
            (1, "Kostnadssted", 4, cost_centers), (2, "Stilling", 4, titles)])
        self._dimensions["ACCOUNT"] = self._dimension("ACCOUNT", "Account", [(1, "Konto", 4, [])])
        self._dimensions["EMPLOYEE"] = self._dimension("EMPLOYEE", "Employee", [(1, "Ansattnummer", 10, [])])

    def _dimension(self, dimension_id: str, description: str, segments: list[tuple[int, str, int, list]]) -> dict[str, Any]:
        built = {}
        for segment_id, seg_description, length, values in segments:
            segment = {"segmentId": segment_id, "description": seg_description, "length": length,
                       "lastModified": SEED_TIME, "version": self._bump(), "values": {}, "internalId": self._uuid(),
                       "publicId": self._uuid()}
            for value_id, value_description in values:
                segment["values"][value_id] = self._segment_value(value_id, value_description, True, SEED_TIME)
            built[segment_id] = segment
        return {"id": dimension_id, "description": description, "segments": built}

    def _segment_value(self, value_id: str, description: str, active: bool, moment: datetime) -> dict[str, Any]:
        return {"valueId": value_id, "description": description, "active": active, "lastModified": moment,
                "version": self._bump(), "internalId": self._uuid(), "publicId": self._uuid()}

    def _seed_employees(self, px: Any) -> None:
        """Employees for ~80% of the Paychex workers, as a previous sync would have left them, with some drift."""
        departments = {org.organization_id: names.VISMA_DEPARTMENTS.get(org.number) for org in px.company.organizations}
        branches = {loc.location_id: row[7] for loc in px.company.locations
                    for row in names.LOCATIONS if row[0] == loc.name}
        for index in range(px._count):
            record = px.record_at(index)
            status = PAYCHEX_STATUS.get(paychex_render.current_status(record, px.today).status_type)
            department = departments.get(record.organization_id)
            if index % 5 == 0 or status is None or department is None:
                continue
            drift = len(self._employees) % 11  # every 11th: upper-cased last name; the 6th of 11: wrong department
            self.insert_employee({
                "employeeCd": record.employee_id, "firstName": record.given_name, "midName": record.middle_name,
                "lastName": record.family_name.upper() if drift == 0 else record.family_name,
                "email": record.email or f"{record.employee_id}@{px.company.email_domain}", "status": status,
                "department": "ADMIN" if drift == 5 else department[0], "branch": branches.get(record.location_id, "1"),
                "employeeClass": "EMPSTAND", "calendar": "STANDARD",
            }, moment=SEED_TIME + timedelta(seconds=index), notify=False)

    # -- state changes (API and scripted) -------------------------------------------------------------------
    def insert_employee(self, values: dict[str, Any], moment: datetime | None = None, notify: bool = True) -> dict[str, Any]:
        employee_cd = str(values["employeeCd"])
        employee = {"employeeId": len(self._employees) + 101, "contactId": len(self._employees) + 5001,
                    "employeeCd": employee_cd, "status": "Active", "address": {}}
        employee.update({k: v for k, v in values.items() if k != "employeeCd"})
        self._employees[employee_cd] = employee
        self._touch_employee(employee, moment, notify)
        return employee

    def apply_employee(self, employee_cd: str, changes: dict[str, Any], moment: datetime | None = None) -> dict[str, Any]:
        employee = self._employees[employee_cd]
        address = changes.pop("address", None)
        employee.update(changes)
        if address:
            employee["address"] = {**employee.get("address", {}), **address}
        self._touch_employee(employee, moment, notify=True)
        return employee

    def _touch_employee(self, employee: dict[str, Any], moment: datetime | None, notify: bool) -> None:
        employee["employeeClassDescription"] = EMPLOYEE_CLASSES.get(employee.get("employeeClass", ""), "")
        employee["branchName"] = self._branches.get(employee.get("branch", ""), {}).get("name", "")
        employee["lastModified"] = moment or _utc_now()
        employee["version"] = self._bump()
        if notify:
            cd = employee["employeeCd"]
            self._event("employee_changed", f"v1/employee/{cd}")

    def upsert_department(self, department_id: str, description: str, moment: datetime | None = None) -> dict[str, Any]:
        """Departments raise no webhook: Visma has no Department event (NOTES §5)."""
        department = self._departments.setdefault(department_id, {"departmentId": department_id,
                                                                    "publicId": self._uuid()})
        department.update(description=description, lastModified=moment or _utc_now(), version=self._bump())
        return department

    def apply_segment_operations(self, dimension_id: str, segment_id: int, operations: list[dict[str, Any]]) -> None:
        segment = self._dimensions[dimension_id]["segments"][segment_id]
        now = _utc_now()
        for op in operations:
            value_id = op["value"]
            if op["operation"] == "Delete":
                segment["values"].pop(value_id, None)
            elif op["operation"] == "Insert":
                description = "" if op["description"] is render.MISSING else op["description"]
                active = True if op["active"] is render.MISSING else op["active"]
                segment["values"][value_id] = self._segment_value(value_id, description, active, now)
            else:
                self._update_value(segment["values"][value_id], op["description"], op["active"], now)
            self._event("dimension_segmentvalue_changed", f"v1/dimension/{dimension_id}/{segment_id}")
        segment.update(lastModified=now, version=self._bump())

    def _update_value(self, value: dict[str, Any], description: Any, active: Any, now: datetime) -> None:
        if description is not render.MISSING and description is not None:
            value["description"] = description
        if active is not render.MISSING and active is not None:
            value["active"] = active
        value.update(lastModified=now, version=self._bump())

    def _event(self, event: str, relative: str) -> None:
        base = self.url if self._server.running else "https://api.finance.visma.net"
        self._notifier.event(event, f"{base}/{relative}", relative, self.tenant_id)

    # -- scripted edits ("as a person would", in the ERP screens) --------------------------------------
    def edit_employee(self, employee_cd: str, **fields: Any) -> dict[str, Any]:
        """Change fields by their read-DTO names (firstName, midName, lastName, email, status incl.
        "OnHold", department, branch, employeeClass, calendar); bumps timeStamp and lastModifiedDateTime."""
        changes = {EDIT_ALIASES.get(k, k): v for k, v in fields.items()}
        unknown = set(changes) - EDITABLE
        if unknown:
            raise KeyError(f"not editable: {sorted(unknown)}")
        if "status" in changes:
            changes["status"] = render.WRITE_STATUSES.get(changes["status"], changes["status"])
        with self.lock:
            if employee_cd not in self._employees:
                raise KeyError(f"unknown employee {employee_cd!r}")
            return render.employee_dto(self.apply_employee(employee_cd, changes))

    def edit_segment_value(self, dimension_id: str, segment_id: int, value_id: str, description: str | None = None,
                           active: bool | None = None) -> dict[str, Any]:
        """Edit (or create, when missing) one segment value as a person would in the ERP."""
        with self.lock:
            segment = self._dimensions[dimension_id]["segments"][int(segment_id)]
            if value_id not in segment["values"]:
                operation = {"operation": "Insert", "value": value_id, "description": description or "",
                             "active": True if active is None else active}
            else:
                operation = {"operation": "Update", "value": value_id, "description": description, "active": active}
            self.apply_segment_operations(dimension_id, int(segment_id), [operation])
            return render.segment_value_dto(int(segment_id), segment["values"][value_id])

    # -- reads for tests ------------------------------------------------------------------------------------
    def employee(self, employee_cd: str) -> dict[str, Any] | None:
        with self.lock:
            employee = self._employees.get(employee_cd)
            return None if employee is None else render.employee_dto(employee)

    def employees(self) -> list[dict[str, Any]]:
        with self.lock:
            return [render.employee_dto(e) for e in sorted(self._employees.values(), key=lambda e: e["employeeId"])]

    def departments(self) -> list[dict[str, Any]]:
        with self.lock:
            return [render.department_dto(d) for d in self._departments.values()]

    def segment(self, dimension_id: str, segment_id: int) -> dict[str, Any]:
        with self.lock:
            return render.segment_dto(self._dimensions[dimension_id]["segments"][int(segment_id)])

    def branches(self) -> list[dict[str, Any]]:
        with self.lock:
            return [render.branch_dto(b) for b in self._branches.values()]

    # -- control API ------------------------------------------------------------------------------------------
    def ctl_faults(self, request: Request) -> Response:
        try:
            knobs = self.faults.update(self.control_body(request) if request.method == "POST" else {})
        except (KeyError, ValueError) as exc:
            return json_response({"error": f"bad knob: {exc}"}, 400)
        return json_response(knobs)

    def ctl_state(self, request: Request) -> Response:
        with self.lock:
            return json_response({
                "url": self.url, "api_base": self.url + "/v1", "token_url": self.token_url, "tenant_id": self.tenant_id,
                "client_id": self.client_id, "client_secret": self.client_secret, "employees": len(self._employees),
                "departments": list(self._departments), "branches": list(self._branches),
                "dimensions": {d: list(v["segments"]) for d, v in self._dimensions.items()},
                "cost_center_segment": list(COST_CENTER), "job_title_segment": list(JOB_TITLE),
                "webhook_subscribers": [s["url"] for s in self.webhook_subscribers], "faults": self.faults.knobs(),
                # A sample, so a script can pick employees to edit without paging the API.
                "employee_cds": list(self._employees)[:STATE_SAMPLE_SIZE],
            })

    def ctl_requests(self, request: Request) -> Response:
        return json_response(self.requests)

    def ctl_reset_requests(self, request: Request) -> Response:
        self.clear_requests()
        return json_response({"ok": True})

    def ctl_edit_employee(self, request: Request) -> Response:
        body = self.control_body(request)
        try:
            return json_response(self.edit_employee(str(body.pop("employee_cd", "")), **body))
        except (KeyError, TypeError) as exc:
            return json_response({"error": str(exc)}, 400)

    def ctl_edit_segment_value(self, request: Request) -> Response:
        try:
            return json_response(self.edit_segment_value(**self.control_body(request)))
        except (KeyError, TypeError, ValueError) as exc:
            return json_response({"error": str(exc)}, 400)

    def ctl_subscribe(self, request: Request) -> Response:
        body = self.control_body(request)
        if not body.get("url") or not body.get("key"):
            return json_response({"error": "url and key are required"}, 400)
        self.subscribe(body["url"], body["key"])
        return json_response({"ok": True})

    def ctl_deliveries(self, request: Request) -> Response:
        return json_response(self.webhook_deliveries)


def _utc_now() -> datetime:
    """Naive UTC with millisecond precision, as Visma shows it."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
