"""Headcount reconciliation: per Paychex company and per cost center, active workers in Paychex against
active employees in Visma, with every worker that differs and why.

Reads only (it never writes to Paychex or Visma). With `refresh` (the default of the command) both sides
are read from the APIs first: Paychex page by page, Visma into the employee snapshot; without it the
stored worker records and snapshot are used. A mismatch is never reported as success: `ok` is true only
when every count and every worker matches and every company could be read.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone

from connector.errors import ApiError
from connector.models import Connection
from syncjobs import drift, snapshots, statuses
from syncjobs.models import EmployeeSnapshot, HeadcountReport, Worker

ACTIVE = "Active"  # Visma status (write vocabulary) that counts as active headcount
NOT_IN_PAYCHEX = "active in Visma but not in Paychex"


@dataclass(frozen=True)
class PaychexSide:
    worker_id: str
    employee_cd: str
    name: str
    status_type: str
    active: bool
    cost_center: str


@dataclass
class Company:
    paychex_connection: str
    company_id: str
    visma_connection: str = ""
    paychex_active: int = 0
    visma_active: int = 0
    cost_centers: list[dict[str, Any]] = field(default_factory=list)
    workers: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    @property
    def difference(self) -> int:
        return self.visma_active - self.paychex_active

    @property
    def ok(self) -> bool:
        return not self.error and not self.workers and all(not c["difference"] for c in self.cost_centers)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "difference": self.difference, "ok": self.ok}


def build(*, refresh: bool = True) -> dict[str, Any]:
    """The report as a JSON-ready dict: {"generated_at", "refreshed", "ok", "mismatches", "companies": […]}.

    Changes (with `refresh`): the Visma employee snapshot. Never raises for remote errors: a company that
    could not be read carries "error" and makes the report not ok.
    """
    refreshed: set[int] = set()
    companies = [_company(paychex, refresh, refreshed)
                 for paychex in Connection.objects.filter(system=Connection.System.PAYCHEX, is_active=True)]
    mismatches = sum(len(c.workers) + (1 if c.error else 0) for c in companies)
    return {
        "generated_at": timezone.now().isoformat(), "refreshed": refresh,
        "ok": all(c.ok for c in companies), "mismatches": mismatches,
        "companies": [c.as_dict() for c in companies],
    }


def store(report: dict[str, Any], *, requested_by: str = "") -> HeadcountReport:
    return HeadcountReport.objects.create(requested_by=requested_by, refreshed=report["refreshed"], ok=report["ok"],
                                          mismatches=report["mismatches"], data=report)


def _company(paychex: Connection, refresh: bool, refreshed: set[int]) -> Company:
    from connector.services import destination_for
    from mappings.refresh import paychex_connections_of

    company = Company(paychex.name, paychex.company_id)
    try:
        visma = destination_for(paychex)
        company.visma_connection = visma.name
        if refresh and visma.pk not in refreshed:
            snapshots.refresh_all(visma)
            refreshed.add(visma.pk)
        side = _paychex_side(paychex, refresh)
    except ApiError as exc:
        company.error = exc.message
        return company
    sole_source = [c.pk for c in paychex_connections_of(visma)] == [paychex.pk]
    _compare(company, paychex, visma, side, include_unknown=sole_source)
    return company


# --- the Paychex side ----------------------------------------------------------------------------------
def _paychex_side(paychex: Connection, refresh: bool) -> dict[str, PaychexSide]:
    """{employee_cd: PaychexSide}, from the API (refresh) or from the stored worker records."""
    from mappings.models import OrganizationMapping
    from mappings.services import ensure_status_mapping

    status_map = ensure_status_mapping(paychex)
    cost_centers = {row.source_id: row.target or f"(unmapped: {row.source_name or row.source_id})"
                    for row in OrganizationMapping.objects.filter(paychex_connection=paychex)}
    rows = _from_api(paychex) if refresh else _from_records(paychex)
    # A future-dated currentStatus says nothing about today: the status the last sync found in effect
    # (read with the status history) stands in for it.
    known = dict(Worker.objects.filter(connection=paychex).exclude(status_type="").values_list("worker_id", "status_type"))
    side = {}
    for worker_id, employee_cd, name, status_type, organization_id in rows:
        status_type = status_type or known.get(worker_id, "")
        if employee_cd:
            side[employee_cd] = PaychexSide(
                worker_id, employee_cd, name, status_type, status_map.get(status_type) == ACTIVE,
                cost_centers.get(organization_id, f"(unmapped: {organization_id or 'no organization'})"),
            )
    return side


def _from_api(paychex: Connection):
    from connector.services import client_for

    today, read, total = timezone.localdate(), 0, None
    for page in client_for(paychex).iter_worker_pages(paychex.company_id or None):
        total = page.total if page.total is not None else total
        for item in page.workers:
            read += 1
            current = item.get("currentStatus")
            in_effect = {} if statuses.needs_history(current, [], False, today) else (
                statuses.plan(current, None, today).in_effect or {})
            name = item.get("name") or {}
            yield (str(item.get("workerId") or ""), str(item.get("employeeId") or ""),
                   " ".join(p for p in (name.get("givenName"), name.get("familyName")) if p),
                   in_effect.get("statusType", ""), str((item.get("organization") or {}).get("organizationId") or ""))
    if total and not read:
        raise ApiError(f"Paychex reports {total} workers but none were read.", permanent=False, code="paging")


def _from_records(paychex: Connection):
    fields = ("worker_id", "employee_cd", "given_name", "family_name", "status_type", "organization_id")
    for worker_id, cd, given, family, status_type, org in Worker.objects.filter(connection=paychex).values_list(*fields):
        yield worker_id, cd, " ".join(p for p in (given, family) if p), status_type, org


# --- comparing -----------------------------------------------------------------------------------------
def _compare(company: Company, paychex: Connection, visma: Connection, side: dict[str, PaychexSide],
             *, include_unknown: bool) -> None:
    from mappings.models import TargetSettings
    from mappings.services import target_settings

    by_department = target_settings(visma).cost_center_target == TargetSettings.CostCenterTarget.DEPARTMENT
    visma_rows = {cd: (status, department) for cd, status, department in EmployeeSnapshot.objects.filter(
        visma_connection=visma).values_list("employee_cd", "status", "department")}
    paychex_count, visma_count, differing = Counter(), Counter(), []
    for cd in _employee_cds(side, visma_rows, include_unknown):
        person = side.get(cd)
        status, department = visma_rows.get(cd, ("", ""))
        visma_cc = department if by_department else (person.cost_center if person else "(unknown)")
        v_active, p_active = status == ACTIVE, bool(person and person.active)
        if person is not None:
            paychex_count[person.cost_center] += p_active
        visma_count[visma_cc] += v_active
        if p_active != v_active or (p_active and v_active and person.cost_center != visma_cc):
            differing.append((cd, person, status, visma_cc))
    company.paychex_active, company.visma_active = sum(paychex_count.values()), sum(visma_count.values())
    company.cost_centers = [
        {"cost_center": cc, "paychex_active": paychex_count[cc], "visma_active": visma_count[cc],
         "difference": visma_count[cc] - paychex_count[cc]}
        for cc in sorted(set(paychex_count) | set(visma_count)) if paychex_count[cc] or visma_count[cc]
    ]
    company.workers = _explain(paychex, visma, differing)


def _employee_cds(side: dict[str, PaychexSide], visma_rows: dict[str, tuple[str, str]], include_unknown: bool):
    yield from side
    if include_unknown:  # Visma employees of no Paychex worker belong to this company when it is the only source
        yield from (cd for cd, (status, _) in visma_rows.items() if status == ACTIVE and cd not in side)


def _explain(paychex: Connection, visma: Connection, differing: list) -> list[dict[str, Any]]:
    cds = [cd for cd, *_ in differing]
    workers = {w.employee_cd: w for w in Worker.objects.filter(connection=paychex, employee_cd__in=cds)}
    snaps = snapshots.load(visma.pk, cds)
    out = []
    for cd, person, visma_status, visma_cc in differing:
        out.append({
            "employee_cd": cd, "worker_id": person.worker_id if person else "", "name": person.name if person else "",
            "cost_center": person.cost_center if person else visma_cc, "visma_cost_center": visma_cc,
            "paychex_status": person.status_type if person else "", "visma_status": visma_status or "(missing)",
            "reason": reason(person, workers.get(cd), snaps.get(cd)),
        })
    return out


def reason(person: PaychexSide | None, worker: Worker | None, snap: EmployeeSnapshot | None) -> str:
    """Why one worker differs, in the words of the report: held, failed, drift, not yet synced, missing in
    Visma, active in Visma but not in Paychex."""
    if person is None:
        return NOT_IN_PAYCHEX
    result = worker.last_result if worker else ""
    if result == Worker.Result.HELD:
        return f"held: {worker.hold_reason or worker.last_message}"[:300]
    if result in (Worker.Result.FAILED, Worker.Result.RETRYING):
        return f"failed: {worker.last_message}"[:300]
    if worker is None or result in (Worker.Result.NEVER, Worker.Result.SKIPPED):
        return "not yet synced"
    if worker.drift or (snap is not None and drift.differences(worker, snapshots.record_of(snap))):
        found = worker.drift or drift.differences(worker, snapshots.record_of(snap))
        return "drift: changed in Visma outside the connector (" + ", ".join(sorted(found)) + ")"
    if snap is None:
        return "missing in Visma"
    return "not yet synced: Paychex changed since the last sync"
