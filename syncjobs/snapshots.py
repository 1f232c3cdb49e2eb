"""The Visma employee snapshot: what each Visma employee looked like when last read or written.

Filled page by page (bulk upserts, one page in memory at a time) by backfill, reconciliation and the
headcount report, kept current by polling, and updated after each of the connector's own writes. A
record whose timeStamp equals the stored one has been seen already (our own write, or an overlap of the
poll window) and is skipped.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from connector.clients.visma import EmployeeRecord
from connector.models import Connection
from syncjobs.models import EmployeeSnapshot

T = TypeVar("T")
UPDATE_FIELDS = ["fields", "status", "department", "etag", "last_modified", "seen_at"]
# Rows per DELETE … IN (…) when a full refresh removes employees Visma no longer lists.
DELETE_CHUNK = 500


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most `size` items (itertools.batched needs Python 3.12)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def record_of(row: EmployeeSnapshot) -> EmployeeRecord:
    return EmployeeRecord(fields=dict(row.fields), etag=row.etag, last_modified=row.last_modified)


def load(visma_connection_id: int, employee_cds: Iterable[str]) -> dict[str, EmployeeSnapshot]:
    """The stored rows of these employees, by employee_cd (one query)."""
    cds = [cd for cd in set(employee_cds) if cd]
    if not cds:
        return {}
    rows = EmployeeSnapshot.objects.filter(visma_connection_id=visma_connection_id, employee_cd__in=cds)
    return {row.employee_cd: row for row in rows}


def remember(visma_connection_id: int, fields: dict[str, Any], etag: str, last_modified: Any = None) -> None:
    """Store one employee as the connector just wrote or read it (an upsert)."""
    employee_cd = str(fields.get("employee_cd") or "")
    if not employee_cd:
        return
    _upsert([_row(visma_connection_id, employee_cd, fields, etag, last_modified)])


def store(visma_connection_id: int, records: list[EmployeeRecord]) -> list[EmployeeRecord]:
    """Upsert a page of records read from Visma; return the ones not seen before (new or other timeStamp).

    Records already stored with the same timeStamp are skipped (nothing written for them).
    """
    known = load(visma_connection_id, (str(r.fields.get("employee_cd") or "") for r in records))
    fresh = [r for r in records if r.fields.get("employee_cd") and _is_new(known.get(str(r.fields["employee_cd"])), r)]
    _upsert([_row(visma_connection_id, str(r.fields["employee_cd"]), r.fields, r.etag, r.last_modified) for r in fresh])
    return fresh


def _is_new(row: EmployeeSnapshot | None, record: EmployeeRecord) -> bool:
    return row is None or not record.etag or row.etag != record.etag


def _row(visma_connection_id: int, employee_cd: str, fields: dict[str, Any], etag: str,
         last_modified: Any) -> EmployeeSnapshot:
    return EmployeeSnapshot(
        visma_connection_id=visma_connection_id, employee_cd=employee_cd, fields=dict(fields),
        status=str(fields.get("status") or ""), department=str(fields.get("department") or ""),
        etag=etag or "", last_modified=last_modified, seen_at=timezone.now(),
    )


def _upsert(rows: list[EmployeeSnapshot]) -> None:
    if rows:
        EmployeeSnapshot.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["visma_connection", "employee_cd"], update_fields=UPDATE_FIELDS
        )


@dataclass
class RefreshStats:
    read: int = 0
    changed: int = 0
    removed: int = 0
    pages: int = 0


def refresh_all(visma_connection: Connection, client: Any = None, *, page_size: int | None = None) -> RefreshStats:
    """Read every Visma employee page by page into the snapshot; drop rows Visma no longer lists.

    Memory holds one page plus the set of employee numbers seen. Raises connector.errors.ApiError when
    Visma cannot be read; rows are then only added or updated, never removed.
    """
    from connector.http import setting
    from connector.services import client_for

    client = client or client_for(visma_connection)
    size = page_size or setting("VISMA_PAGE_SIZE")
    stats, seen = RefreshStats(), set()
    for page in chunks(client.iter_employees(page_size=size), size):
        stats.read += len(page)
        stats.pages += 1
        stats.changed += len(store(visma_connection.pk, page))
        seen.update(str(r.fields.get("employee_cd") or "") for r in page)
    stats.removed = _remove_unseen(visma_connection.pk, seen)
    return stats


def _remove_unseen(visma_connection_id: int, seen: set[str]) -> int:
    stored = EmployeeSnapshot.objects.filter(visma_connection_id=visma_connection_id)
    gone = [cd for cd in stored.values_list("employee_cd", flat=True).iterator() if cd not in seen]
    removed = 0
    with transaction.atomic():
        for part in chunks(gone, DELETE_CHUNK):
            removed += stored.filter(employee_cd__in=part).delete()[0]
    return removed
