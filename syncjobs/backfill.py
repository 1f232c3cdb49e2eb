"""Backfill (initial load) and Paychex reconciliation: every Paychex worker, page by page, through sync_worker.

One run per company. First the Visma snapshot is refreshed page by page; then Paychex is read page by
page from the run's checkpoint on. Per page: the workers' records and snapshots are loaded in a few
queries; a worker already handled by this run (or the run it resumes) is left alone; a worker already
in step (Paychex unchanged since the last read, same mapping result, Visma still as written) is counted
without a sync; the rest go through sync_worker with the page item and the snapshot record, so no read
call is made per worker, on a bounded thread pool (BACKFILL_CONCURRENCY). After each page the run
stores a checkpoint (Paychex offset and counts) and its progress.

Calls on a first load of N workers: N/100 Paychex pages + N/1000 Visma pages + one POST per worker to
create (plus a status-history read only for a future-dated or pending status). A re-run writes nothing.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from connector.errors import ApiError
from connector.models import Connection
from syncjobs import drift, snapshots, statuses, worker_shape
from syncjobs.models import EmployeeSnapshot, RunItem, SyncRun, Worker
from syncjobs.pool import SyncPool
from syncjobs.services import NOT_READ, PERSONAL_KEYS, fingerprint, sync_worker

logger = logging.getLogger(__name__)
KINDS = (SyncRun.Trigger.BACKFILL, SyncRun.Trigger.RECONCILE)
IN_STEP_RESULTS = drift.MANAGED_RESULTS
Progress = Callable[[SyncRun], None]


def _lease() -> int:
    return settings.SYNCJOBS["RUN_LEASE_SECONDS"]


# --- starting and resuming ---------------------------------------------------------------------------
def start(connection: Connection, *, trigger: str = SyncRun.Trigger.BACKFILL, started_by: str = "",
          resume: bool = True) -> SyncRun:
    """Create the queued run of a backfill (or reconciliation) of this Paychex connection and return it.

    A run of the same kind already queued or running for this connection (lease alive) is returned
    instead, so a double click starts one run. With `resume`, the new run continues the latest
    unfinished run of the same kind from its checkpoint (its finished workers are not redone).
    """
    live = live_run(connection, trigger)
    if live is not None:
        return live
    previous = resumable_run(connection, trigger) if resume else None
    checkpoint: dict[str, Any] = {"offset": 0, "pages": 0, "done": 0, "chain": []}
    params: dict[str, Any] = {"connection_id": connection.pk}
    if previous is not None:
        checkpoint = {**previous.checkpoint, "chain": [*previous.checkpoint.get("chain", []), previous.pk]}
        params["resume_of"] = previous.pk
    return SyncRun.objects.create(
        trigger=trigger, connection=connection, started_by=started_by or str(trigger), params=params,
        checkpoint=checkpoint, progress_total=previous.progress_total if previous else None,
        progress_done=checkpoint.get("done", 0),
    )


def live_run(connection: Connection, trigger: str) -> SyncRun | None:
    now = timezone.now()
    grace = now - timedelta(seconds=settings.SYNCJOBS["INBOX_GRACE_SECONDS"])
    runs = SyncRun.objects.filter(connection=connection, trigger=trigger)
    return (runs.filter(status=SyncRun.Status.RUNNING, lease_until__gte=now).first()
            or runs.filter(status=SyncRun.Status.QUEUED, created_at__gte=grace).first())


def resumable_run(connection: Connection, trigger: str) -> SyncRun | None:
    """The latest run of this kind if it stopped before reading all of Paychex (interrupted, failed)."""
    latest = SyncRun.objects.filter(connection=connection, trigger=trigger, status__in=SyncRun.FINAL).first()
    if latest is None or latest.checkpoint.get("complete") or not latest.checkpoint.get("pages"):
        return None
    return latest


# --- running -----------------------------------------------------------------------------------------
@dataclass
class _Batch:
    """What every page of one run shares."""

    run: SyncRun
    connection: Connection
    visma: Connection
    context: Any
    reason: str
    today: date


def run(run_id: int, *, progress: Progress | None = None, concurrency: int | None = None) -> SyncRun | None:
    """Run a queued backfill/reconciliation run (once: a second task for the same run does nothing).

    Returns the finished run. Remote errors end it FAILED with the reason (its checkpoint lets the
    next run resume); a run that read fewer workers than Paychex reports is PARTIAL, one that read
    none of them FAILED. An exception that is not an ApiError (a bug, Ctrl-C, a killed task) is
    re-raised after closing the run as failed, except BaseExceptions, which leave it to the reaper.
    """
    if not SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(status=SyncRun.Status.RUNNING):
        return None
    run_ = SyncRun.objects.select_related("connection").get(pk=run_id)
    run_.start(_lease())
    try:
        _load(run_, progress, concurrency or settings.SYNCJOBS["BACKFILL_CONCURRENCY"])
    except ApiError as exc:
        run_.finish(error=_stopped(run_, exc.message))
        return run_
    except Exception as exc:
        logger.exception("Backfill run %s stopped", run_id)
        run_.finish(error=_stopped(run_, f"unexpected error ({exc.__class__.__name__}); see the logs"))
        raise
    _finish(run_)
    return run_


def _stopped(run_: SyncRun, why: str) -> str:
    run_.refresh_from_db(fields=["checkpoint"])
    offset = run_.checkpoint.get("offset", 0)
    return f"Stopped after {offset} Paychex workers: {why}. Starting it again resumes from there."[:500]


def _load(run_: SyncRun, progress: Progress | None, concurrency: int) -> None:
    from connector.services import client_for, destination_for
    from mappings.context import MappingContext
    from syncjobs import polling

    connection = run_.connection
    visma = destination_for(connection)
    started = timezone.now()
    snapshots.refresh_all(visma)
    polling.set_baseline(visma, started)
    context = MappingContext.load(connection)
    run_._mapping_context = context  # sync_worker reuses it: one load per run, not per worker
    batch = _Batch(run_, connection, visma, context, _reason(run_), timezone.localdate())
    paychex = client_for(connection)
    offset = int(run_.checkpoint.get("offset", 0))
    with SyncPool(concurrency) as pool:
        for page in paychex.iter_worker_pages(connection.company_id or None, offset=offset):
            _page(batch, page.workers, pool)
            offset = (page.offset if page.offset is not None else offset) + len(page.workers)
            _checkpoint(run_, offset, len(page.workers), page.total)
            if progress is not None:
                progress(run_)


def _reason(run_: SyncRun) -> str:
    label = "Paychex reconciliation" if run_.trigger == SyncRun.Trigger.RECONCILE else "backfill"
    return f"{label} (run {run_.pk}, started by {run_.started_by})"


def _checkpoint(run_: SyncRun, offset: int, read: int, total: int | None) -> None:
    checkpoint = run_.checkpoint
    checkpoint.update(offset=offset, pages=checkpoint.get("pages", 0) + 1, done=checkpoint.get("done", 0) + read)
    run_.progress_done = checkpoint["done"]
    run_.progress_total = total if total is not None else run_.progress_total
    run_.lease_until = timezone.now() + timedelta(seconds=_lease())
    run_.save(update_fields=["checkpoint", "progress_done", "progress_total", "lease_until"])


def _finish(run_: SyncRun) -> None:
    done, total = run_.checkpoint.get("done", 0), run_.progress_total
    if total and not done:
        run_.finish(error=f"Paychex reports {total} workers, but none were read.")
        return
    run_.checkpoint["complete"] = True
    SyncRun.objects.filter(pk=run_.pk).update(checkpoint=run_.checkpoint)
    if total is not None and done < total:
        run_.finish(incomplete=f"Read {done} of the {total} workers Paychex reports; the rest were not synced.")
        return
    run_.finish()


# --- one page ----------------------------------------------------------------------------------------
def _page(batch: _Batch, items: list[dict], pool: SyncPool) -> None:
    items = [item for item in items if item.get("workerId")]
    ids = [str(item["workerId"]) for item in items]
    done = _done_in_chain(batch.run, ids)
    known = {w.worker_id: w for w in Worker.objects.filter(connection=batch.connection, worker_id__in=ids)}
    todo = [item for item in items if str(item["workerId"]) not in done]
    desired = {str(item["workerId"]): _desired(batch, item) for item in todo}
    snaps = snapshots.load(batch.visma.pk, (plan[0]["employee_cd"] for plan in desired.values() if plan))
    jobs, in_step = [], 0
    for item in todo:
        worker_id = str(item["workerId"])
        worker, planned = known.get(worker_id), desired[worker_id]
        snap = snaps.get(planned[0]["employee_cd"]) if planned else None
        verdict = _compare(item, worker, planned, snap)
        if verdict == "in_step":
            in_step += 1
        elif verdict == "drift" and drift.mode() == "report":
            jobs.append(partial(_report_drift, batch, worker, snap))
        else:
            jobs.append(partial(_sync, batch, item, _prefetched(planned, snap)))
    pool.run_all(jobs)
    _count_in_step(batch.run, in_step)


def _prefetched(planned: Any, snap: EmployeeSnapshot | None) -> Any:
    """What to tell sync_worker about Visma: the snapshot's record, None (the snapshot, refreshed at the
    start of the run, has no such employee), or NOT_READ when the employee number is not known yet."""
    if planned is None:
        return NOT_READ
    return snapshots.record_of(snap) if snap is not None else None


def _done_in_chain(run_: SyncRun, worker_ids: list[str]) -> set[str]:
    """Workers this run, or a run it resumes, already recorded (a page is read twice only after a resume)."""
    if not run_.checkpoint.get("chain"):
        return set()
    chain = [*run_.checkpoint["chain"], run_.pk]
    return set(RunItem.objects.filter(run_id__in=chain, paychex_worker_id__in=worker_ids)
               .values_list("paychex_worker_id", flat=True))


def _desired(batch: _Batch, item: dict) -> tuple[dict, tuple[str, ...], bool] | None:
    """(desired employee, create-only fields, keep Visma's status) from the page item alone, or None when
    it cannot be known without more reads (future-dated status) or the worker would be held/skipped."""
    from mappings.diff import CREATE_ONLY_FIELDS
    from mappings.translate import translate

    if not worker_shape.is_sound(item):
        return None  # malformed: sync_worker checks it again and records the reason on the worker
    current = item.get("currentStatus")
    if statuses.needs_history(current, [], False, batch.today):
        return None
    plan = statuses.plan(current, None, batch.today)
    translation = translate(statuses.with_status(item, plan.in_effect), context=batch.context)
    if translation.employee is None:
        return None
    return translation.employee, getattr(translation, "create_only_fields", CREATE_ONLY_FIELDS), plan.in_effect is None


def _compare(item: dict, worker: Worker | None, planned: Any, snap: EmployeeSnapshot | None) -> str:
    """"in_step" (nothing to do), "drift" (Paychex unchanged, Visma changed outside the connector) or "sync"."""
    from mappings.diff import employee_changes

    if planned is None or worker is None or snap is None:
        return "sync"
    desired, create_only, keep_status = planned
    unchanged_source = (
        worker.last_result in IN_STEP_RESULTS and not worker.pending_status_date and worker.lease_until is None
        and worker.last_fingerprint == fingerprint(desired) and worker.paychex_profile == _profile(item)
    )
    if not unchanged_source:
        return "sync"
    changes = employee_changes(desired, snap.fields, create_only=create_only)
    if keep_status:
        changes.pop("status", None)
    return "drift" if changes else "in_step"


def _profile(item: dict) -> dict:
    return {key: value for key, value in item.items() if key not in PERSONAL_KEYS}


def _sync(batch: _Batch, item: dict, current: Any) -> None:
    sync_worker(batch.connection, str(item["workerId"]), batch.reason, run=batch.run, paychex_worker=item,
                visma_current=current)


def _report_drift(batch: _Batch, worker: Worker, snap: EmployeeSnapshot) -> None:
    found = drift.differences(worker, snapshots.record_of(snap))
    if found:
        drift.report(worker, found, run=batch.run, source=batch.reason)


def _count_in_step(run_: SyncRun, count: int) -> None:
    """Workers already in step are counted as checked-unchanged in one UPDATE (no RunItem each)."""
    if count:
        SyncRun.objects.filter(pk=run_.pk).update(
            seen=F("seen") + count, unchanged=F("unchanged") + count,
            lease_until=timezone.now() + timedelta(seconds=_lease()),
        )


# --- entry points ------------------------------------------------------------------------------------
def backfill(connection: Connection, *, started_by: str = "", resume: bool = True,
             trigger: str = SyncRun.Trigger.BACKFILL, progress: Progress | None = None,
             concurrency: int | None = None) -> SyncRun:
    """Start (or resume) and run a backfill in this process; returns the run (the live one if another
    process is running it)."""
    queued = start(connection, trigger=trigger, started_by=started_by, resume=resume)
    return run(queued.pk, progress=progress, concurrency=concurrency) or queued
