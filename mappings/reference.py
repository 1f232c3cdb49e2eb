"""Paychex reference lists (organizations, job titles, locations) into the mapping tables.

New sources appear as rows needing a mapping; renamed ones get their new name (alignment then renames
the Visma value); sources Paychex no longer lists are marked inactive, never deleted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from connector.models import Connection
from mappings.models import MAPPING_MODELS, Kind
from mappings.normalize import clean_text
from mappings.services import client_for, ensure_status_mapping

# (client method, id field, name field, number field) per kind, in Paychex's field names [C S1].
SOURCES = {
    Kind.ORGANIZATION: ("organizations", "organizationId", "name", "number"),
    Kind.JOB_TITLE: ("job_titles", "jobTitleId", "title", None),
    Kind.LOCATION: ("locations", "locationId", "name", None),
}


@dataclass
class ReferenceResult:
    added: dict[str, list[str]] = field(default_factory=dict)
    renamed: dict[str, list[str]] = field(default_factory=dict)
    gone: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(any(ids.values()) for ids in (self.added, self.renamed, self.gone))


def refresh_reference(paychex_connection: Connection, *, client: Any = None) -> ReferenceResult:
    """Read the three Paychex reference lists and store them as mapping rows (targets untouched).

    Raises connector.errors.ApiError when Paychex cannot be read; all reads happen before any write.
    """
    client = client or client_for(paychex_connection)
    fetched = {kind: getattr(client, method)() for kind, (method, *_) in SOURCES.items()}
    result = ReferenceResult()
    with transaction.atomic():
        for kind, items in fetched.items():
            _store(paychex_connection, kind, items, result)
        ensure_status_mapping(paychex_connection)  # so the status table is there to edit from the start
    return result


def _store(paychex_connection: Connection, kind: str, items: list[dict], result: ReferenceResult) -> None:
    model = MAPPING_MODELS[kind]
    _, id_field, name_field, number_field = SOURCES[kind]
    existing = {row.source_id: row for row in model.objects.filter(paychex_connection=paychex_connection)}
    seen: set[str] = set()
    added, renamed = [], []
    for item in items:
        source_id = str(item.get(id_field) or "").strip()
        if not source_id or source_id in seen:
            continue
        seen.add(source_id)
        name = clean_text(item.get(name_field), 255)
        number = clean_text(item.get(number_field), 64) if number_field else ""
        row = existing.get(source_id)
        if row is None:
            model.objects.create(paychex_connection=paychex_connection, source_id=source_id, source_name=name,
                                 source_number=number)
            added.append(source_id)
        elif (row.source_name, row.source_number, row.source_active) != (name, number, True):
            if row.source_name != name:
                renamed.append(source_id)
            row.source_name, row.source_number, row.source_active = name, number, True
            row.save(update_fields=["source_name", "source_number", "source_active", "updated_at"])
    gone = [sid for sid, row in existing.items() if sid not in seen and row.source_active]
    model.objects.filter(paychex_connection=paychex_connection, source_id__in=gone).update(source_active=False)
    result.added[kind], result.renamed[kind], result.gone[kind] = added, renamed, gone

