"""`sync_worker`: the one path that writes employees to Visma (webhooks, resync, polling, backfill, schedules).

One sync: claim the worker's lease → GET the worker from Paychex (never the notification's payload) →
pick the status in effect today → translate through the mappings → read the Visma employee and its
ETag → write only what differs (PUT + If-Match, POST when new; 412 → re-read, bounded) → audit →
remember fingerprint, ETag and result → release (or sync once more if asked to meanwhile).
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from audit.models import AuditRecord
from audit.services import record as audit
from connector.errors import ApiError, PreconditionFailed
from connector.models import Connection
from syncjobs import errorqueue, statuses, worker_shape
from syncjobs.leases import claim_worker, new_owner, release_worker
from syncjobs.models import ErrorItem, Notification, RunItem, SyncRun, Worker

logger = logging.getLogger(__name__)

MAPPING_ADVICE = "Add the mapping; the worker then syncs by itself."
FOLLOW_UP_REASON = "follow-up: Paychex notified again during the previous sync"


class _NotRead:
    """Sentinel for "the caller passed no current Visma record" (None means "Visma has no such employee")."""

    def __repr__(self) -> str:
        return "NOT_READ"


NOT_READ: Any = _NotRead()
# Keys removed from the stored Paychex profile: personal data Visma does not hold.
PERSONAL_KEYS = ("legalId", "birthDate", "sex", "ethnicityCode", "communications")
DRIFT_FIELDS = ["last_desired", "drift", "drift_detected_at"]
REMEMBERED_FIELDS = [
    "company_id", "employee_cd", "given_name", "family_name", "hire_date", "status_type", "status_effective_date",
    "pending_status", "pending_status_date", "organization_id", "job_title_id", "location_id", "paychex_profile",
    "updated_at",
]


@dataclass(frozen=True)
class SyncResult:
    """What one sync did. `outcome`: created | updated | unchanged | held | skipped | failed | retrying |
    coalesced (another process is syncing this worker and will sync once more)."""

    outcome: str
    worker_pk: int | None = None
    message: str = ""
    changes: dict[str, list[Any]] = field(default_factory=dict)
    employee_cd: str = ""
    error_item_id: int | None = None

    @property
    def wrote(self) -> bool:
        return self.outcome in ("created", "updated")


@dataclass
class _Job:
    """The inputs of one sync pass, passed between the small steps below."""

    connection: Connection
    worker: Worker
    reason: str
    run: SyncRun | None
    username: str
    notification: Notification | None
    audit_unchanged: bool
    # Prefetched state (backfill, reconciliation, polling), used by the first pass only: a Paychex page
    # item (current state, not a webhook payload) and Visma's record from the snapshot (None: absent).
    paychex_worker: dict | None = None
    visma_current: Any = NOT_READ


def sync_worker(
    paychex_connection: Connection,
    worker_id: str,
    reason: str,
    *,
    run: SyncRun | None = None,
    username: str = "",
    notification: Notification | None = None,
    audit_unchanged: bool | None = None,
    paychex_worker: dict | None = None,
    visma_current: Any = NOT_READ,
) -> SyncResult:
    """Bring the Visma employee of one Paychex worker to Paychex's current state.

    Returns the result of the last pass (a follow-up pass runs when notifications arrived meanwhile).
    Never raises for remote errors: temporary ones schedule a retry in the error queue (outcome
    "retrying"), permanent ones open an error item (outcome "failed"). Changes: the Worker row, at most
    one Visma write per pass, audit records, RunItem rows and the run's counts. `audit_unchanged`
    (default: True for a person's resync) records a no-op sync in the audit trail too.

    Batches pass what they already read, so the sync makes no read call: `paychex_worker` (the worker as
    a Paychex page lists it) and `visma_current` (an EmployeeRecord from the snapshot, or None when the
    snapshot says Visma has no such employee). A stale `visma_current` is safe: PUT carries its ETag
    (412 → re-read), and a create refused because the employee exists re-reads and updates.
    """
    worker, _ = Worker.objects.get_or_create(connection=paychex_connection, worker_id=worker_id)
    owner = new_owner()
    if not claim_worker(worker.pk, owner):
        result = SyncResult("coalesced", worker.pk, "A sync of this worker was running; it syncs once more.")
        _record_item(run, worker, result)
        return result
    job = _Job(paychex_connection, worker, reason, run, username, notification,
               bool(username) if audit_unchanged is None else audit_unchanged, paychex_worker, visma_current)
    # On an unexpected BaseException (killed, task timeout) the lease is left to expire: the reaper
    # then resumes this worker.
    result = _pass(job)
    while not release_worker(worker.pk, owner):
        job.reason, job.notification = FOLLOW_UP_REASON, None
        job.paychex_worker, job.visma_current = None, NOT_READ  # Paychex changed meanwhile: read afresh
        job.worker.refresh_from_db()
        result = _pass(job)
    return result


def _pass(job: _Job) -> SyncResult:
    try:
        result = _sync(job)
    except ApiError as exc:
        result = _failure(job, exc)
    except Exception as exc:  # a bug must not leave the worker stuck: park it in the error queue
        logger.exception("Unexpected error syncing worker %s", job.worker.worker_id)
        result = _failure(job, ApiError(f"Unexpected error ({exc.__class__.__name__}); see the logs.", permanent=True))
    _remember_result(job.worker, result)
    _record_item(job.run, job.worker, result)
    return result


def _sync(job: _Job) -> SyncResult:
    from connector.services import client_for, destination_for

    paychex = client_for(job.connection)
    data = job.paychex_worker if job.paychex_worker is not None else _fetch_worker(paychex, job.worker)
    today = timezone.localdate()
    worker_shape.check(data, job.worker.worker_id)  # malformed API data: a reason, not a crash
    domains = job.notification.domains if job.notification else []
    has_pending = bool(job.worker.pending_status_date)
    history = (
        paychex.worker_statuses(job.worker.worker_id)
        if statuses.needs_history(data.get("currentStatus"), domains, has_pending, today)
        else None
    )
    plan = statuses.plan(data.get("currentStatus"), history, today)
    translation = _translate(job, statuses.with_status(data, plan.in_effect))
    renumbered = _renumbering(job.worker, data)
    _remember_worker(job.worker, data, translation, plan, keep_employee_cd=bool(renumbered))
    if renumbered:
        return _held(job, (renumbered,), advice="")
    if translation.skip_reason:
        return SyncResult("skipped", job.worker.pk, translation.skip_reason, employee_cd=job.worker.employee_cd)
    if translation.held_reasons:
        return _held(job, translation.held_reasons)
    visma_connection = destination_for(job.connection)
    return _write(job, client_for(visma_connection), visma_connection, translation, keep_status=plan.in_effect is None)


def _fetch_worker(paychex: Any, worker: Worker) -> dict:
    from connector.errors import NotFound

    try:
        return paychex.worker(worker.worker_id)
    except NotFound as exc:
        raise NotFound(
            f"Worker {worker.worker_id} was not found in Paychex (removed, or not visible to this connection). "
            "Check the worker in Paychex Flex; mark this resolved if it should not be synced.",
            permanent=True, status=exc.status, code=exc.code, request_excerpt=exc.request_excerpt,
        ) from exc


def _translate(job: _Job, data: dict) -> Any:
    from mappings.context import MappingContext
    from mappings.translate import translate

    context = getattr(job.run, "_mapping_context", None)
    if context is None or getattr(context, "paychex_connection_id", None) != job.connection.pk:
        context = MappingContext.load(job.connection)
        if job.run is not None:
            job.run._mapping_context = context  # one load per batch, not per worker
    return translate(data, context=context)


def _write(job: _Job, visma: Any, visma_connection: Connection, translation: Any, *, keep_status: bool) -> SyncResult:
    from mappings.diff import CREATE_ONLY_FIELDS, employee_changes

    desired = translation.employee
    create_only = getattr(translation, "create_only_fields", CREATE_ONLY_FIELDS)
    retries = settings.SYNCJOBS["PRECONDITION_RETRIES"]
    managed = _managed(desired, create_only, keep_status)
    for attempt in range(retries + 1):
        prefetched, job.visma_current = job.visma_current, NOT_READ  # a 412 retry re-reads
        current = visma.get_employee(desired["employee_cd"]) if prefetched is NOT_READ else prefetched
        if current is None:
            try:
                etag = visma.create_employee(desired)
            except ApiError as exc:
                current = _existing_after_refused_create(visma, desired, exc, prefetched is not NOT_READ)
            else:
                changes = employee_changes(desired, None)
                return _written(job, visma_connection, "created", managed, changes, etag, desired)
        changes = employee_changes(desired, current, create_only=create_only)
        if keep_status:  # only future statuses are known: leave Visma's status as it is until then
            changes.pop("status", None)
        if not changes:
            return _unchanged(job, visma_connection, desired, current, managed)
        try:
            etag = visma.update_employee(desired["employee_cd"], {name: new for name, (_, new) in changes.items()},
                                         etag=current.etag)
        except PreconditionFailed:
            if attempt == retries:
                raise ApiError(
                    f"Visma employee {desired['employee_cd']} kept changing during the sync ({retries + 1} "
                    "attempts).", permanent=False, status=412, code="precondition_failed",
                ) from None
            continue  # someone edited it in Visma between our read and write: re-read and re-diff
        return _written(job, visma_connection, "updated", managed, changes, etag, desired,
                        {**current.fields, **{name: new for name, (_, new) in changes.items()}})
    raise AssertionError("unreachable")


def _managed(desired: dict, create_only: tuple[str, ...], keep_status: bool) -> dict:
    """The fields the connector keeps equal to Paychex (create-only ones, and a status not yet in
    effect, are Visma's to keep): what a drift check compares."""
    return {k: v for k, v in desired.items() if k not in create_only and not (keep_status and k == "status")}


def _existing_after_refused_create(visma: Any, desired: dict, exc: ApiError, from_snapshot: bool) -> Any:
    """A create based on a snapshot that said "absent" may be refused because the employee exists by
    now (the sandbox answers 400 "already exists"): read it and carry on as an update. Otherwise re-raise."""
    if not from_snapshot or not exc.permanent or exc.status not in (400, 409):
        raise exc
    current = visma.get_employee(desired["employee_cd"])
    if current is None:
        raise exc
    return current


def fingerprint(employee: dict) -> str:
    """A stable hash of a desired employee, to tell whether Paychex changed since the last write."""
    return hashlib.sha256(json.dumps(employee, sort_keys=True, default=str).encode()).hexdigest()


def _written(job: _Job, visma_connection: Connection, outcome: str, managed: dict, changes: dict, etag: str,
             desired: dict, now_in_visma: dict | None = None) -> SyncResult:
    from syncjobs import snapshots

    worker = job.worker
    drift = outcome == "updated" and worker.last_fingerprint == fingerprint(desired)
    as_lists = {name: [old, new] for name, (old, new) in changes.items()}
    _audit_write(job, visma_connection.name, outcome, as_lists, drift)
    worker.last_fingerprint, worker.last_etag = fingerprint(desired), etag or ""
    worker.last_written_at = timezone.now()
    worker.last_desired, worker.drift, worker.drift_detected_at = managed, {}, None
    worker.save(update_fields=["last_fingerprint", "last_etag", "last_written_at", *DRIFT_FIELDS])
    snapshots.remember(visma_connection.pk, now_in_visma or desired, etag or "")
    message = ("Drift corrected: " if drift else "") + ", ".join(sorted(as_lists))
    return SyncResult(outcome, worker.pk, message, as_lists, desired["employee_cd"])


def _audit_write(job: _Job, connection_name: str, outcome: str, changes: dict, drift: bool) -> None:
    common = _audit_common(job, connection_name)
    if outcome == "created":
        audit(AuditRecord.Action.EMPLOYEE_CREATED, reason=job.reason, changes=changes, **common)
        return
    if drift:
        restored = "; ".join(f"{name}: found {old!r}, restored {new!r}" for name, (old, new) in sorted(changes.items()))
        reason = f"drift corrected: changed in Visma outside the connector — {restored} ({job.reason})"
        audit(AuditRecord.Action.DRIFT_CORRECTED, reason=reason, changes=changes, **common)
        return
    status_change = {k: v for k, v in changes.items() if k == "status"}
    other = {k: v for k, v in changes.items() if k != "status"}
    if other:
        audit(AuditRecord.Action.EMPLOYEE_UPDATED, reason=job.reason, changes=other, **common)
    if status_change:
        audit(AuditRecord.Action.STATUS_CHANGED, reason=job.reason, changes=status_change, **common)


def _audit_common(job: _Job, connection_name: str) -> dict[str, Any]:
    return {
        "worker_id": job.worker.worker_id,
        "employee_cd": job.worker.employee_cd,
        "connection": connection_name,
        "notification_id": job.notification.notification_id if job.notification else "",
        "run_id": job.run.pk if job.run else None,
        "username": job.username,
    }


def _unchanged(job: _Job, visma_connection: Connection, desired: dict, current: Any, managed: dict) -> SyncResult:
    from syncjobs import snapshots

    worker = job.worker
    worker.last_fingerprint, worker.last_etag = fingerprint(desired), current.etag or ""
    worker.last_desired, worker.drift, worker.drift_detected_at = managed, {}, None
    worker.save(update_fields=["last_fingerprint", "last_etag", *DRIFT_FIELDS])
    snapshots.remember(visma_connection.pk, current.fields, current.etag, current.last_modified)
    if job.audit_unchanged:
        audit(AuditRecord.Action.UNCHANGED, reason=job.reason, **_audit_common(job, visma_connection.name))
    return SyncResult("unchanged", worker.pk, "Visma already matches Paychex.", employee_cd=desired["employee_cd"])


def _held(job: _Job, reasons: tuple[str, ...], advice: str = MAPPING_ADVICE) -> SyncResult:
    message = worker_shape.storable_json("Held: " + "; ".join(reasons))  # reasons may quote API values
    # The trail records the decision once: a worker still held for the same reason adds nothing new.
    if job.worker.last_result != "held" or job.worker.hold_reason != message[:500]:
        audit(AuditRecord.Action.HELD, reason=f"{message} ({job.reason})"[:500], **_audit_common(job, ""))
    item = errorqueue.record(category=ErrorItem.Category.HELD, reason=f"{message}. {advice}".rstrip(" ."),
                             worker=job.worker, connection=job.connection, run=job.run,
                             notification=job.notification)
    return SyncResult("held", job.worker.pk, message, employee_cd=job.worker.employee_cd, error_item_id=item.pk)


def _failure(job: _Job, exc: ApiError) -> SyncResult:
    category = ErrorItem.Category.PERMANENT if exc.permanent else ErrorItem.Category.TRANSIENT
    item = errorqueue.record(category=category, reason=exc.message, worker=job.worker, connection=job.connection,
                             error=exc, run=job.run, notification=job.notification)
    outcome = "retrying" if item.status == ErrorItem.Status.RETRYING else "failed"
    logger.warning("Sync of worker %s %s: %s", job.worker.worker_id, outcome, exc.message)
    return SyncResult(outcome, job.worker.pk, item.reason, employee_cd=job.worker.employee_cd, error_item_id=item.pk)


def _renumbering(worker: Worker, data: dict) -> str:
    """A hold reason when Paychex changed the employee number of a worker already written to Visma.

    Visma's employeeCd is the link key: syncing under the new number would create a second employee.
    """
    new_cd = str(data.get("employeeId") or "")
    if not (worker.last_written_at and worker.employee_cd and new_cd) or new_cd == worker.employee_cd:
        return ""
    return (f"employee number changed in Paychex from {worker.employee_cd} to {new_cd}; Visma employee "
            f"{worker.employee_cd} still has the old one. Change it in Visma (Change employee ID) or back in "
            "Paychex, then press Retry")


def _remember_worker(worker: Worker, data: dict, translation: Any, plan: statuses.StatusPlan, *,
                     keep_employee_cd: bool = False) -> None:
    name = data.get("name") or {}
    in_effect = plan.in_effect or {}
    employee = translation.employee or {}
    worker.company_id = worker.company_id or worker.connection.company_id
    if not keep_employee_cd:
        worker.employee_cd = employee.get("employee_cd") or data.get("employeeId") or worker.employee_cd
    worker.given_name, worker.family_name = name.get("givenName") or "", name.get("familyName") or ""
    worker.hire_date = translation.hire_date or statuses.paychex_date(data.get("hireDate"))
    worker.status_type = in_effect.get("statusType", "")
    worker.status_effective_date = statuses.paychex_date(in_effect.get("effectiveDate"))
    worker.pending_status, worker.pending_status_date = plan.pending_type, plan.pending_date
    worker.organization_id = translation.organization_id or ""
    worker.job_title_id = translation.job_title_id or ""
    worker.location_id = translation.location_id or ""
    worker.paychex_profile = {key: value for key, value in data.items() if key not in PERSONAL_KEYS}
    worker_shape.fit(worker, REMEMBERED_FIELDS)  # hostile lengths or NULs from the API must not fail the save
    # Never a full save: the lease columns belong to the conditional UPDATEs in leases.py.
    worker.save(update_fields=REMEMBERED_FIELDS)


def _remember_result(worker: Worker, result: SyncResult) -> None:
    worker.last_result, worker.last_message = result.outcome, result.message[:500]
    worker.last_synced_at = timezone.now()
    worker.hold_reason = result.message[:500] if result.outcome == "held" else ""
    worker.save(update_fields=["last_result", "last_message", "last_synced_at", "hold_reason", "updated_at"])
    if result.outcome in ("created", "updated", "unchanged", "skipped"):
        errorqueue.resolve_for_worker(worker)


def _record_item(run: SyncRun | None, worker: Worker, result: SyncResult) -> None:
    if run is None:
        return
    RunItem.objects.create(run=run, worker=worker, paychex_worker_id=worker.worker_id, outcome=result.outcome,
                           message=result.message[:500], changes=result.changes)
    counter = "failed" if result.outcome == "retrying" else result.outcome
    run.count(counter, settings.SYNCJOBS["RUN_LEASE_SECONDS"])
