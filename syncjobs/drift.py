"""Drift: a Visma employee changed outside the connector, found by comparing what Visma holds now with
what the connector last wrote or confirmed (`Worker.last_desired`, the fields it manages).

DRIFT_MODE "correct" re-asserts Paychex's truth through sync_worker (which re-reads the Paychex worker,
writes the difference with If-Match, and audits "drift corrected" with each field's value found in Visma
and the value restored). DRIFT_MODE "report" writes nothing: an audit record "drift detected" and the
worker flagged, so the headcount report lists it as drift.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from audit.models import AuditRecord
from audit.services import record as audit
from connector.clients.visma import EmployeeRecord
from connector.models import Connection
from syncjobs.models import SyncRun, Worker
from syncjobs.services import sync_worker

# Results that mean the connector has written or confirmed the employee: only those have a last_desired
# worth comparing with (a held or never-synced worker is not the connector's to defend yet).
MANAGED_RESULTS = (Worker.Result.CREATED, Worker.Result.UPDATED, Worker.Result.UNCHANGED)


def mode() -> str:
    return settings.SYNCJOBS["DRIFT_MODE"]


def differences(worker: Worker, record: EmployeeRecord) -> dict[str, list[Any]]:
    """{field: [value found in Visma, value the connector last wrote]} for the managed fields that differ."""
    found = record.fields
    return {
        name: [found.get(name), value]
        for name, value in (worker.last_desired or {}).items()
        if _comparable(found.get(name)) != _comparable(value)
    }


def _comparable(value: Any) -> Any:
    return "" if value is None else value


def managed_workers(visma_connection: Connection, employee_cds: Iterable[str]) -> dict[str, Worker]:
    """The workers (of the Paychex companies writing to this Visma company) whose employees the connector
    manages, by employee_cd. One query."""
    from mappings.refresh import paychex_connections_of

    cds = [cd for cd in set(employee_cds) if cd]
    paychex = paychex_connections_of(visma_connection)
    if not cds or not paychex:
        return {}
    workers = Worker.objects.filter(connection__in=paychex, employee_cd__in=cds, last_result__in=MANAGED_RESULTS)
    return {w.employee_cd: w for w in workers.select_related("connection").exclude(last_desired={})}


def check(worker: Worker, record: EmployeeRecord, *, run: SyncRun | None, source: str) -> str:
    """Compare one fresh Visma record with what the connector last wrote, and act per DRIFT_MODE.

    Returns "none" (no drift), "reported", or the sync outcome of the correction ("updated", "failed", …).
    Changes: in "correct" mode what sync_worker changes (one Visma write at most); in "report" mode the
    worker's drift flag and one audit record (not repeated for the same drift).
    """
    found = differences(worker, record)
    if not found:
        return "none"
    if mode() == "report":
        report(worker, found, run=run, source=source)
        return "reported"
    return sync_worker(worker.connection, worker.worker_id, source, run=run, visma_current=record).outcome


def report(worker: Worker, found: dict[str, list[Any]], *, run: SyncRun | None, source: str) -> bool:
    """Record drift without correcting it. Returns False when this same drift was already reported."""
    if worker.drift == found:
        return False
    described = "; ".join(f"{name}: {old!r} in Visma, {new!r} from Paychex" for name, (old, new) in sorted(found.items()))
    audit(AuditRecord.Action.DRIFT_DETECTED,
          reason=f"drift detected, not corrected (DRIFT_MODE=report): changed in Visma outside the connector — "
                 f"{described} ({source})",
          worker_id=worker.worker_id, employee_cd=worker.employee_cd, changes=found,
          connection=_visma_name(worker), run_id=run.pk if run else None)
    worker.drift, worker.drift_detected_at = found, timezone.now()
    Worker.objects.filter(pk=worker.pk).update(drift=found, drift_detected_at=worker.drift_detected_at)
    return True


def _visma_name(worker: Worker) -> str:
    from connector.errors import ApiError
    from connector.services import destination_for

    try:
        return destination_for(worker.connection).name
    except ApiError:
        return ""
