"""Paychex Flex simulator: a seeded company, scripted HR changes and webhook delivery."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from datetime import date, datetime, timezone
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox import names
from sandbox import paychex_render as render
from sandbox.base import SandboxBase, json_response
from sandbox.faults import PaychexFaults
from sandbox.paychex_api import PaychexApi
from sandbox.seed import STATUS_CATALOGUE, JobTitle, Location, Organization, SeedCompany, StatusEntry, WorkerRecord
from sandbox.webhooks import PaychexDispatcher

SCRIPTED = ("hire", "terminate", "rehire", "set_status", "transfer", "rename", "renumber",
            "add_organization", "rename_organization", "add_job_title", "add_location")
CONTROL_RULES = [Rule("/_sandbox/faults", endpoint="ctl_faults", methods=["POST", "GET"]),
                 Rule("/_sandbox/state", endpoint="ctl_state", methods=["GET"]),
                 Rule("/_sandbox/requests", endpoint="ctl_requests", methods=["GET"]),
                 Rule("/_sandbox/reset-requests", endpoint="ctl_reset_requests", methods=["POST"]),
                 Rule("/_sandbox/deliveries", endpoint="ctl_deliveries", methods=["GET"]),
                 Rule("/_sandbox/flush", endpoint="ctl_flush", methods=["POST"]),
                 Rule("/_sandbox/<action>", endpoint="ctl_script", methods=["POST"])]


class PaychexSandbox(PaychexApi, SandboxBase):
    """A local Paychex Flex API. `PaychexSandbox(workers=300, seed=1).start()` returns its base URL."""

    control_map = Map(CONTROL_RULES)

    def __init__(self, workers: int = 300, seed: int = 1, webhook_retry_seconds: float = 300.0) -> None:
        super().__init__()
        self.seed = seed
        self.faults = PaychexFaults(seed=seed)
        self.company = SeedCompany(seed=seed, workers=workers, reference=_utc_today())
        self.company_id = self.company.company_id
        digest = hashlib.sha256(f"paychex-client-{seed}".encode()).hexdigest()
        self.client_id = "l7xx" + digest[:28]
        self.client_secret = digest[28:60]
        self.hooks: dict[str, dict[str, Any]] = {}
        self._tokens: dict[str, float] = {}
        self._count = workers
        self._overrides: dict[int, WorkerRecord] = {}
        self._version = 0
        self._today: date | None = None
        self._orgs = {o.organization_id: o for o in self.company.organizations}
        self._titles = {t.job_title_id: t for t in self.company.job_titles}
        self._locations = {loc.location_id: loc for loc in self.company.locations}
        self._dispatcher = PaychexDispatcher(self.faults, webhook_retry_seconds)

    # -- lifecycle and knobs ----------------------------------------------------------------------
    def _on_start(self) -> None:
        self._dispatcher.start()

    def _on_stop(self) -> None:
        self._dispatcher.stop()

    @property
    def token_url(self) -> str:
        return self.url + "/auth/oauth/v2/token"

    @property
    def webhook_retry_seconds(self) -> float:
        return self._dispatcher.retry_seconds

    @webhook_retry_seconds.setter
    def webhook_retry_seconds(self, seconds: float) -> None:
        self._dispatcher.retry_seconds = seconds

    @property
    def today(self) -> date:
        """The date that decides which statuses are current; set it to move time in a test."""
        return self._today or _utc_today()

    @today.setter
    def today(self, value: date | None) -> None:
        self._today = value

    @property
    def deliveries(self) -> list[dict[str, Any]]:
        return self._dispatcher.deliveries

    @property
    def dropped_webhooks(self) -> list[dict[str, Any]]:
        return self._dispatcher.dropped

    def flush_webhooks(self, timeout: float = 5.0) -> bool:
        return self._dispatcher.flush(timeout)

    # -- records --------------------------------------------------------------------------------------
    def record_at(self, index: int) -> WorkerRecord:
        return self._overrides.get(index) or self.company.worker(index)

    def find_worker(self, worker_id: str) -> WorkerRecord | None:
        index = self.company.index_of(worker_id)
        if index is None or index >= self._count:
            return None
        return self.record_at(index)

    def find_by_employee_id(self, employee_id: str) -> WorkerRecord | None:
        for record in self._overrides.values():
            if record.employee_id == employee_id:
                return record
        index = self.company.index_of_employee(employee_id)
        if index is None or index >= self._count or index in self._overrides:
            return None
        return self.company.worker(index)

    def catalog(self) -> render.Catalog:
        return render.Catalog(self._orgs, self._titles, self._locations, self.record_at, self.today)

    def _base_url(self) -> str:
        return self.url if self._server.running else "https://api.paychex.com"

    def _editable(self, worker_id: str) -> WorkerRecord:
        record = self.find_worker(worker_id)
        if record is None:
            raise KeyError(f"unknown workerId {worker_id!r}")
        if record.index not in self._overrides:
            record = record.copy()
            self._overrides[record.index] = record
        return record

    # -- read API for tests -------------------------------------------------------------------------
    def worker(self, worker_id: str) -> dict[str, Any] | None:
        with self.lock:
            record = self.find_worker(worker_id)
            return None if record is None else render.worker_dict(record, self.catalog(), self._base_url(),
                                                                  with_communications=True)

    def workers(self) -> list[dict[str, Any]]:
        with self.lock:
            catalog, base = self.catalog(), self._base_url()
            return [render.worker_dict(self.record_at(i), catalog, base, with_communications=True)
                    for i in range(self._count)]

    def status_history(self, worker_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return render.status_history(self._existing(worker_id))

    def _existing(self, worker_id: str) -> WorkerRecord:
        record = self.find_worker(worker_id)
        if record is None:
            raise KeyError(f"unknown workerId {worker_id!r}")
        return record

    def organizations(self) -> list[dict[str, Any]]:
        return [render.organization_dict(o, self._base_url(), self.company_id) for o in self._orgs.values()]

    def job_titles(self) -> list[dict[str, Any]]:
        return [render.job_title_dict(t, self._base_url(), self.company_id) for t in self._titles.values()]

    def locations(self) -> list[dict[str, Any]]:
        return [render.location_dict(loc) for loc in self._locations.values()]

    # -- scripted changes ---------------------------------------------------------------------------
    def hire(self, given_name: str, family_name: str, organization_id: str | None = None,
             job_title_id: str | None = None, location_id: str | None = None, hire_date: date | None = None,
             email: str | None = None, employee_id: str | None = None) -> dict[str, Any]:
        """Add an ACTIVE worker (PENDING until a future hire date) and notify WRKR_ADD + WRKR_EMPL."""
        with self.lock:
            index = self._count
            hire_day = hire_date or self.today
            statuses = [_status("HIRED", hire_day)]
            if hire_day > self.today:
                statuses.insert(0, _status("PENDING_HIRE", self.today))
            template = self.company.worker(index)
            record = dataclasses.replace(
                template, given_name=given_name, family_name=family_name, middle_name=None, preferred_name=None,
                worker_type="EMPLOYEE", employee_id=employee_id or template.employee_id, hire_date=hire_day,
                organization_id=self._known(self._orgs, organization_id, template.organization_id),
                job_title_id=self._known(self._titles, job_title_id, template.job_title_id),
                location_id=self._known(self._locations, location_id, template.location_id),
                email=email or f"{names.ascii_fold(given_name)}.{names.ascii_fold(family_name)}@{self.company.email_domain}",
                statuses=statuses)
            self._overrides[index] = record
            self._count += 1
            self._changed(record, [("WRKR_ADD", "ADD"), ("WRKR_EMPL", "ADD")])
            return render.worker_dict(record, self.catalog(), self._base_url(), with_communications=True)

    def terminate(self, worker_id: str, effective_date: date | None = None, reason: str = "TERMINATION") -> dict[str, Any]:
        """Record a termination; a future date shows in /status now and in currentStatus on that date."""
        return self.set_status(worker_id, "TERMINATED", reason, effective_date)

    def rehire(self, worker_id: str, effective_date: date | None = None) -> dict[str, Any]:
        return self.set_status(worker_id, "ACTIVE", "REHIRED", effective_date)

    def set_status(self, worker_id: str, status_type: str, reason: str, effective_date: date | None = None) -> dict[str, Any]:
        with self.lock:
            record = self._editable(worker_id)
            day = effective_date or self.today
            entry = _status(reason, day, status_type)
            entry.order = sum(1 for s in record.statuses if s.effective_date == day)
            record.statuses.append(entry)
            self._changed(record, [("WRKR_EMPL", "UPDATE")])
            return render.status_dict(entry, with_order=True)

    def transfer(self, worker_id: str, organization_id: str | None = None, job_title_id: str | None = None,
                 location_id: str | None = None) -> dict[str, Any]:
        with self.lock:
            record = self._editable(worker_id)
            record.organization_id = self._known(self._orgs, organization_id, record.organization_id)
            record.job_title_id = self._known(self._titles, job_title_id, record.job_title_id)
            record.location_id = self._known(self._locations, location_id, record.location_id)
            self._changed(record, [("WRKR_ASGN", "UPDATE")])
            return render.worker_dict(record, self.catalog(), self._base_url(), with_communications=True)

    def rename(self, worker_id: str, given_name: str | None = None, family_name: str | None = None,
               middle_name: str | None = None) -> dict[str, Any]:
        with self.lock:
            record = self._editable(worker_id)
            record.given_name = given_name or record.given_name
            record.family_name = family_name or record.family_name
            if middle_name is not None:
                record.middle_name = middle_name[:1] or None  # Paychex keeps one initial
            self._changed(record, [("WRKR_DEM", "UPDATE")])
            return render.worker_dict(record, self.catalog(), self._base_url(), with_communications=True)

    def renumber(self, worker_id: str, employee_id: str) -> dict[str, Any]:
        """Give a worker a new employeeId (a payroll clerk correcting the number: WRKR_EMPL)."""
        with self.lock:
            record = self._editable(worker_id)
            record.employee_id = employee_id
            self._changed(record, [("WRKR_EMPL", "UPDATE")])
            return render.worker_dict(record, self.catalog(), self._base_url(), with_communications=True)

    def add_organization(self, name: str, number: str) -> dict[str, Any]:
        with self.lock:
            org = Organization(str(980000000000000 + len(self._orgs) + self.seed * 1000), name, number)
            self._orgs[org.organization_id] = org
            self._company_changed("CLT_ORG", "ADD")
            return render.organization_dict(org, self._base_url(), self.company_id)

    def rename_organization(self, org_id: str, name: str) -> dict[str, Any]:
        with self.lock:
            org = self._orgs[org_id]
            org.name = name
            self._company_changed("CLT_ORG", "UPDATE")
            return render.organization_dict(org, self._base_url(), self.company_id)

    def add_job_title(self, title: str) -> dict[str, Any]:
        with self.lock:
            job_title_id = str(980003400000000 + len(self._titles) + self.seed * 1000)
            item = JobTitle(job_title_id, title, str(int(job_title_id) + 500000))
            self._titles[item.job_title_id] = item
            return render.job_title_dict(item, self._base_url(), self.company_id)

    def add_location(self, name: str) -> dict[str, Any]:
        with self.lock:
            location_id = str(980001600000000 + len(self._locations) + self.seed * 1000)
            item = Location(location_id, name, labor_assignment_id=str(int(location_id) + 90000))
            self._locations[item.location_id] = item
            return render.location_dict(item)

    @staticmethod
    def _known(table: dict[str, Any], wanted: str | None, current: str) -> str:
        if wanted is None:
            return current
        if wanted not in table:
            raise KeyError(f"unknown id {wanted!r}")
        return wanted

    # -- notifications --------------------------------------------------------------------------------
    def _changed(self, record: WorkerRecord, domain_actions: list[tuple[str, str]]) -> None:
        self._version += 1
        for domain, action in domain_actions:
            self._notify(domain, {"companyId": self.company_id, "workerId": record.worker_id, "asOfDate": _as_of(),
                                  "domains": [domain], "action": action, "notificationType": "WORKER_MESSAGE",
                                  "notificationId": str(uuid.uuid4())})

    def _company_changed(self, domain: str, action: str) -> None:
        self._version += 1
        self._notify(domain, {"companyId": self.company_id, "asOfDate": _as_of(), "domains": [domain],
                              "action": action, "notificationId": str(uuid.uuid4())})

    def _notify(self, domain: str, payload: dict[str, Any]) -> None:
        for hook in self.hooks.values():
            if domain in hook["domains"] and hook.get("companyId") in (None, self.company_id):
                self._dispatcher.submit(hook, dict(payload))

    # -- control API ----------------------------------------------------------------------------------
    def ctl_faults(self, request: Request) -> Response:
        body = self.control_body(request) if request.method == "POST" else {}
        if "webhook_retry_seconds" in body:
            self.webhook_retry_seconds = float(body.pop("webhook_retry_seconds"))
        if "today" in body:
            value = body.pop("today")
            self.today = date.fromisoformat(value) if value else None
        try:
            knobs = self.faults.update(body)
        except (KeyError, ValueError) as exc:
            return json_response({"error": f"bad knob: {exc}"}, 400)
        knobs.update(webhook_retry_seconds=self.webhook_retry_seconds, today=self.today.isoformat())
        return json_response(knobs)

    def ctl_state(self, request: Request) -> Response:
        with self.lock:
            return json_response({
                "url": self.url, "token_url": self.token_url, "client_id": self.client_id,
                "client_secret": self.client_secret, "company_id": self.company_id, "workers": self._count,
                "changed_workers": len(self._overrides), "hooks": [dict(h) for h in self.hooks.values()],
                "today": self.today.isoformat(), "pending_webhooks": self._dispatcher.pending(),
                "faults": self.faults.knobs(),
                "organization_ids": list(self._orgs), "job_title_ids": list(self._titles),
                "location_ids": list(self._locations), **self._worker_at(request.args.get("worker_index")),
            })

    def _worker_at(self, index: str | None) -> dict[str, str]:
        """`?worker_index=N` names the N-th worker, so a script can pick workers without paging the API."""
        if index is None or not index.isdigit() or int(index) >= self._count:
            return {}
        return {"worker_id": self.record_at(int(index)).worker_id}

    def ctl_requests(self, request: Request) -> Response:
        return json_response(self.requests)

    def ctl_reset_requests(self, request: Request) -> Response:
        self.clear_requests()
        return json_response({"ok": True})

    def ctl_deliveries(self, request: Request) -> Response:
        return json_response(self.deliveries)

    def ctl_flush(self, request: Request) -> Response:
        timeout = float(self.control_body(request).get("timeout", 5.0))
        return json_response({"flushed": self.flush_webhooks(timeout)})

    def ctl_script(self, request: Request, action: str) -> Response:
        if action not in SCRIPTED:
            return json_response({"error": f"unknown action {action!r}"}, 404)
        args = self.control_body(request)
        for key in ("hire_date", "effective_date"):
            if isinstance(args.get(key), str):
                args[key] = date.fromisoformat(args[key])
        try:
            return json_response(getattr(self, action)(**args))
        except (KeyError, TypeError, ValueError) as exc:
            return json_response({"error": str(exc)}, 400)


def _status(reason: str, day: date, status_type: str | None = None) -> StatusEntry:
    """A status entry; reasons outside the company catalogue get no workerStatusId (as in the spec)."""
    known_type, status_id = STATUS_CATALOGUE.get(reason, (status_type, None))
    if status_type and known_type != status_type:
        status_id = None
    return StatusEntry(status_type or known_type or "ACTIVE", reason, day, 0, status_id)


def _utc_today() -> date:
    return datetime.now(timezone.utc).date()


def _as_of() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
