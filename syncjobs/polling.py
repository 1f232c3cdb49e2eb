"""Incremental polling of Visma: employees (drift) and the dimension catalog, as a safety net under webhooks.

Employees: ask for what changed since the last poll's start minus POLL_OVERLAP_SECONDS
(`lastModifiedDateTime` + `>=`), page by page; a record whose timeStamp equals the snapshot's has been
seen already (our own write, or the overlap) and is skipped; a fresh record of an employee the connector
manages is checked for drift. A poll that finds nothing costs one call, whatever the headcount; the
first poll of a connection (no cursor yet) reads everything once to make the baseline.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from connector.clients.visma import EmployeeRecord
from connector.errors import ApiError
from connector.models import Connection
from syncjobs import drift, snapshots
from syncjobs.models import PollCursor, SyncRun

logger = logging.getLogger(__name__)
Kind = PollCursor.Kind


@dataclass
class PollReport:
    """What one poll did. `status` uses SyncRun's vocabulary; "busy" when another poll held the cursor."""

    status: str = SyncRun.Status.NO_CHANGES
    read: int = 0
    fresh: int = 0
    drift: dict[str, int] = field(default_factory=dict)
    message: str = ""
    run_id: int | None = None


# --- the cursor --------------------------------------------------------------------------------------
def _cursor(visma: Connection, kind: str) -> PollCursor:
    return PollCursor.objects.get_or_create(visma_connection=visma, kind=kind)[0]


def _claim(cursor: PollCursor) -> bool:
    """One poll of a kind at a time per connection: a lease taken by a conditional UPDATE."""
    now = timezone.now()
    until = now + timedelta(seconds=settings.SYNCJOBS["RUN_LEASE_SECONDS"])
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return bool(PollCursor.objects.filter(free, pk=cursor.pk).update(lease_until=until, last_started_at=now))


def _release(cursor: PollCursor, report: PollReport, advance_to: datetime | None) -> None:
    values = {"lease_until": None, "last_finished_at": timezone.now(), "last_status": report.status,
              "last_read": report.read, "last_message": report.message[:500]}
    if advance_to is not None:
        values["cursor"] = advance_to
    PollCursor.objects.filter(pk=cursor.pk).update(**values)


def set_baseline(visma: Connection, moment: datetime) -> None:
    """After a full read of Visma's employees (started at `moment`), polling can start from there."""
    cursor = _cursor(visma, Kind.EMPLOYEES)
    PollCursor.objects.filter(pk=cursor.pk, cursor__isnull=True).update(cursor=moment)


# --- employees ---------------------------------------------------------------------------------------
class _LazyRun:
    """A poll makes a SyncRun only when it has something to sync: an idle poll every minute leaves no row."""

    def __init__(self, visma: Connection, started_by: str) -> None:
        self.visma, self.started_by, self.run = visma, started_by, None

    def get(self) -> SyncRun:
        if self.run is None:
            self.run = SyncRun.objects.create(trigger=SyncRun.Trigger.POLL, connection=self.visma,
                                              started_by=self.started_by, params={"visma_connection_id": self.visma.pk})
            self.run.start(settings.SYNCJOBS["RUN_LEASE_SECONDS"])
        return self.run


def poll_employees(visma: Connection, *, started_by: str = "schedule") -> PollReport:
    """Read the Visma employees changed since the cursor (minus the overlap); check fresh ones for drift.

    Returns a PollReport. Advances the cursor only when the whole change list was read, so a failed poll
    is repeated from the same point. Changes: snapshot rows, PollCursor, and what drift.check changes.
    """
    from connector.services import client_for

    cursor = _cursor(visma, Kind.EMPLOYEES)
    if not _claim(cursor):
        return PollReport(status="busy", message="Another poll of this connection is running.")
    started, report, lazy = timezone.now(), PollReport(), _LazyRun(visma, started_by)
    since = cursor.cursor - timedelta(seconds=settings.SYNCJOBS["POLL_OVERLAP_SECONDS"]) if cursor.cursor else None
    try:
        size = settings.CONNECTOR["VISMA_PAGE_SIZE"]
        for page in snapshots.chunks(client_for(visma).iter_employees(modified_since=since, page_size=size), size):
            report.read += len(page)
            fresh = snapshots.store(visma.pk, page)
            report.fresh += len(fresh)
            _check_drift(visma, fresh, lazy, report, "Visma poll")
    except ApiError as exc:
        report.status, report.message = SyncRun.Status.FAILED, f"Reading changed Visma employees failed: {exc.message}"
        _close(lazy, report, error=report.message)
        _release(cursor, report, None)
        return report
    _close(lazy, report)
    _release(cursor, report, started)
    return report


def check_employee(visma: Connection, employee_cd: str, *, source: str = "Visma webhook") -> PollReport:
    """Targeted check of one employee (a webhook hint): read it, and check it for drift if it is new to us."""
    from connector.services import client_for

    report, lazy = PollReport(), _LazyRun(visma, source)
    try:
        record = client_for(visma).get_employee(employee_cd)
    except ApiError as exc:
        report.status, report.message = SyncRun.Status.FAILED, f"Reading Visma employee {employee_cd} failed: {exc.message}"
        return report
    if record is None:
        report.message = f"Visma has no employee {employee_cd}."
        return report
    report.read = 1
    fresh = snapshots.store(visma.pk, [record])
    report.fresh = len(fresh)
    _check_drift(visma, fresh, lazy, report, source)
    _close(lazy, report)
    return report


def _check_drift(visma: Connection, fresh: list[EmployeeRecord], lazy: _LazyRun, report: PollReport,
                 source: str) -> None:
    workers = drift.managed_workers(visma, (str(r.fields.get("employee_cd") or "") for r in fresh))
    for record in fresh:
        worker = workers.get(str(record.fields.get("employee_cd") or ""))
        if worker is None or not drift.differences(worker, record):
            continue
        when = record.last_modified.isoformat() if record.last_modified else "unknown time"
        reason = f"{source}: employee {worker.employee_cd} changed in Visma at {when}"
        outcome = drift.check(worker, record, run=lazy.get(), source=reason)
        report.drift[outcome] = report.drift.get(outcome, 0) + 1


def _close(lazy: _LazyRun, report: PollReport, *, error: str = "") -> None:
    """Finish the poll's run (if it made one) and take its status: a failed correction is not success."""
    if lazy.run is None:
        if not error:
            report.message = report.message or f"{report.read} read, {report.fresh} new to us, no drift."
        return
    lazy.run.finish(error=error)
    lazy.run.refresh_from_db()
    report.status, report.run_id = lazy.run.status, lazy.run.pk
    report.message = report.message or lazy.run.note


def poll_all_employees() -> dict[str, PollReport]:
    """Poll every active Visma connection (the schedule's entry point)."""
    return {c.name: poll_employees(c) for c in Connection.objects.filter(system=Connection.System.VISMA, is_active=True)}


# --- the dimension catalog ---------------------------------------------------------------------------
def poll_catalog(visma: Connection, *, started_by: str = "schedule") -> PollReport:
    """Incremental catalog refresh (new or renamed dimension values), then automatic matching when it
    changed (matching announces new mappings, and held workers sync by themselves)."""
    from mappings.refresh import refresh_catalog_and_match

    cursor = _cursor(visma, Kind.CATALOG)
    if not _claim(cursor):
        return PollReport(status="busy", message="Another catalog refresh of this connection is running.")
    started = timezone.now()
    try:
        outcome = refresh_catalog_and_match(visma, full=cursor.cursor is None)
    except ApiError as exc:
        report = PollReport(status=SyncRun.Status.FAILED, message=f"Refreshing the Visma catalog failed: {exc.message}")
        _release(cursor, report, None)
        return report
    changed = outcome.catalog is not None and outcome.catalog.changed
    report = PollReport(status=SyncRun.Status.SUCCEEDED if changed else SyncRun.Status.NO_CHANGES,
                        message=outcome.summary())
    _release(cursor, report, started)
    return report


def poll_all_catalogs() -> dict[str, PollReport]:
    return {c.name: poll_catalog(c) for c in Connection.objects.filter(system=Connection.System.VISMA, is_active=True)}
