"""The Visma catalog cache: departments, the chosen segments' values, branches.

A full refresh reads everything and marks what Visma no longer lists as inactive (never deletes: a
mapping may still point at it and must say so). An incremental refresh asks Visma only for what changed
since the last refresh (departments support lastModifiedDateTime; segment values and branches are read
whole, but only changed rows are written and nothing is marked inactive).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from connector.models import Connection
from mappings.models import CatalogValue, TargetSettings
from mappings.services import MappingError, client_for, target_settings


@dataclass(frozen=True)
class CatalogEntry:
    value_id: str
    description: str
    active: bool
    last_modified: datetime | None


@dataclass
class RefreshResult:
    created: int = 0
    updated: int = 0
    deactivated: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)


def refresh_catalog(visma_connection: Connection, *, full: bool = True, client: Any = None) -> RefreshResult:
    """Read Visma's departments, cost-center and job-title segment values and branches into CatalogValue.

    Returns counts. Raises connector.errors.ApiError when Visma cannot be read (nothing is changed then:
    all reads happen before the first write). Updates TargetSettings.catalog_refreshed_at.
    """
    client = client or client_for(visma_connection)
    settings = target_settings(visma_connection)
    started = timezone.now()
    since = None if full or settings.catalog_refreshed_at is None else settings.catalog_refreshed_at
    fetched = _fetch(client, settings, since)
    result = RefreshResult()
    with transaction.atomic():
        for kind, entries in fetched.items():
            _store(visma_connection, kind, entries, result, deactivate_missing=since is None, since=since)
        TargetSettings.objects.filter(pk=settings.pk).update(catalog_refreshed_at=started)
    return result


def _fetch(client: Any, settings: TargetSettings, since: datetime | None) -> dict[str, list[CatalogEntry]]:
    fetched = {
        CatalogValue.Kind.DEPARTMENT: [_department(d) for d in client.departments(modified_since=since)],
        CatalogValue.Kind.JOB_TITLE: [
            _segment_value(v) for v in client.segment_values(settings.job_title_dimension, settings.job_title_segment)
        ],
        CatalogValue.Kind.BRANCH: [_branch(b) for b in client.branches()],
    }
    if settings.cost_center_target == TargetSettings.CostCenterTarget.SEGMENT:
        fetched[CatalogValue.Kind.COST_CENTER] = [
            _segment_value(v)
            for v in client.segment_values(settings.cost_center_dimension, settings.cost_center_segment)
        ]
    return {kind: [e for e in entries if e.value_id] for kind, entries in fetched.items()}


def _store(
    visma: Connection, kind: str, entries: list[CatalogEntry], result: RefreshResult,
    *, deactivate_missing: bool, since: datetime | None,
) -> None:
    existing = {v.value_id: v for v in CatalogValue.objects.filter(visma_connection=visma, kind=kind)}
    for entry in entries:
        if since and entry.last_modified and entry.last_modified < since and entry.value_id in existing:
            continue
        row = existing.get(entry.value_id)
        if row is None:
            CatalogValue.objects.create(
                visma_connection=visma, kind=kind, value_id=entry.value_id, description=entry.description,
                active=entry.active, last_modified=entry.last_modified,
            )
            result.created += 1
        elif (row.description, row.active, row.last_modified) != (entry.description, entry.active, entry.last_modified):
            row.description, row.active, row.last_modified = entry.description, entry.active, entry.last_modified
            row.save(update_fields=["description", "active", "last_modified", "refreshed_at"])
            result.updated += 1
    if deactivate_missing:
        seen = {entry.value_id for entry in entries}
        gone = [value_id for value_id, row in existing.items() if row.active and value_id not in seen]
        result.deactivated += CatalogValue.objects.filter(
            visma_connection=visma, kind=kind, value_id__in=gone
        ).update(active=False)


def record_value(visma: Connection, kind: str, value_id: str, description: str) -> None:
    """Remember a value the connector itself just created or renamed in Visma."""
    CatalogValue.objects.update_or_create(
        visma_connection=visma, kind=kind, value_id=value_id,
        defaults={"description": description, "active": True},
    )


# Visma DTO field names ([C] SPEC: DepartmentDto, DtoSegmentValue; BranchDto per the branch addendum).
# The client returns the DTO dicts; a few alternative spellings are accepted so a client that already
# flattened them still works.
def _department(dto: dict[str, Any]) -> CatalogEntry:
    return CatalogEntry(
        value_id=_str(dto, "departmentId", "id"),
        description=_str(dto, "description"),
        active=_bool(dto, "active"),
        last_modified=_when(dto, "lastModifiedDateTime", "lastModified"),
    )


def _segment_value(dto: dict[str, Any]) -> CatalogEntry:
    return CatalogEntry(
        value_id=_str(dto, "valueId", "value", "id"),
        description=_str(dto, "description"),
        active=_bool(dto, "active"),
        last_modified=_when(dto, "lastModified", "lastModifiedDateTime"),
    )


def _branch(dto: dict[str, Any]) -> CatalogEntry:
    return CatalogEntry(
        value_id=_str(dto, "number", "branchNumber", "branchId", "id"),
        description=_str(dto, "name", "description"),
        active=_bool(dto, "active", "isActive"),
        last_modified=_when(dto, "lastModifiedDateTime", "lastModified"),
    )


def _unwrap(value: Any) -> Any:
    return value.get("value") if isinstance(value, dict) and "value" in value else value


def _str(dto: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = _unwrap(dto.get(key))
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _bool(dto: dict[str, Any], *keys: str) -> bool:
    for key in keys:
        value = _unwrap(dto.get(key))
        if value is not None:
            return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")
    return True  # departments carry no active flag: listed = active


def _when(dto: dict[str, Any], *keys: str) -> datetime | None:
    for key in keys:
        value = dto.get(key)
        if isinstance(value, datetime):
            return value if timezone.is_aware(value) else timezone.make_aware(value, dt_timezone.utc)
        if isinstance(value, str) and value:
            parsed = parse_datetime(value)
            if parsed is not None:
                # Visma gives no zone for these stamps [I: treated as UTC].
                return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt_timezone.utc)
    return None


def resolve_target(visma_connection: Connection, kind: str, value: str) -> str:
    """Return the catalog's spelling of `value` as a Visma `kind` value a mapping may point at.

    Raises MappingError naming the problem: catalog never read, value unknown, or inactive. Visma ids
    are case-insensitive (Acumatica keys), so "prod1" finds "PROD1".
    """
    label = CatalogValue.Kind(kind).label.lower()
    values = CatalogValue.objects.filter(visma_connection=visma_connection, kind=kind)
    if not values.exists():
        raise MappingError(f"the Visma {label} list has not been read yet: refresh the catalog first")
    wanted = value.strip()
    found = [v for v in values.filter(value_id__iexact=wanted)] or []
    exact = [v for v in found if v.value_id == wanted]
    match = exact[0] if exact else (found[0] if len(found) == 1 else None)
    if match is None:
        raise MappingError(f"'{wanted}' is not a Visma {label} (or the catalog is out of date)")
    if not match.active:
        raise MappingError(f"Visma {label} '{match.value_id}' is inactive")
    return match.value_id
