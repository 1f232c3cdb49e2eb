"""Dimension alignment: keep Visma's cost centers and job-title values in step with Paychex.

A Paychex organization or job title with no Visma value gets one created (a department, or an Insert
through the segment PUT); one the connector matched or created whose Paychex name changed gets its
Visma description updated. Rows a person mapped are left alone. Never deletes in Visma. Off when the
target setting "create in Visma" is off: such rows wait for a person. Branches are read-only in Visma
and are never created.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from audit.models import AuditRecord
from audit.services import record
from connector.errors import ApiError
from connector.models import Connection
from mappings import signals
from mappings.catalog import record_value
from mappings.matching import catalog_kind
from mappings.models import MAPPING_MODELS, CatalogValue, Kind, MappingRow, TargetSettings
from mappings.normalize import clean_text, name_key
from mappings.services import client_for, target_settings, visma_connection_for

# Visma (Acumatica) department ids are 10 characters [I: no length is published for DepartmentDto].
DEPARTMENT_ID_MAX = 10
# Used when the segment definition carries no length.
SEGMENT_VALUE_MAX = 10
DESCRIPTION_MAX = 60  # Acumatica descriptions are 60 characters [I]
_ASCII_FOLD = str.maketrans({"Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Ð": "D", "ð": "d", "ß": "ss", "Þ": "TH", "þ": "th"})
ALIGNED_KINDS = (Kind.ORGANIZATION, Kind.JOB_TITLE)


@dataclass
class AlignResult:
    created: list[str] = field(default_factory=list)  # "department:INNKJOP", "SUBACCOUNT/2/AUTO"
    renamed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    waiting: int = 0  # rows that need a person because creating is off


def align(paychex_connection: Connection, *, client: Any = None, username: str = "") -> AlignResult:
    """Create missing and rename renamed Visma values for this Paychex company's organizations and job titles.

    Each write is audited (DIMENSION_CREATED / DIMENSION_RENAMED) with its reason and remembered in the
    catalog; created values become the rows' targets (origin "created") and mapping_changed is sent.
    A failed write is reported in `errors` and the other rows still go ahead. Does nothing before the
    catalog has been read once (it could not know what already exists).
    """
    visma = visma_connection_for(paychex_connection)
    settings = target_settings(visma)
    result = AlignResult()
    if settings.catalog_refreshed_at is None:
        result.errors.append("the Visma catalog has not been read yet: refresh it first")
        return result
    writer = _Writer(client or client_for(visma), visma, settings, username)
    for kind in ALIGNED_KINDS:
        rows = MAPPING_MODELS[kind].objects.filter(paychex_connection=paychex_connection, source_active=True)
        if not settings.create_in_visma:
            result.waiting += rows.filter(target="").exclude(origin=MappingRow.Origin.MANUAL).count()
            continue
        created_ids = _align_kind(writer, kind, list(rows), result)
        signals.announce(paychex_connection.pk, kind, created_ids)
    return result


def _align_kind(writer: "_Writer", kind: str, rows: list[MappingRow], result: AlignResult) -> list[str]:
    catalog_kind_ = catalog_kind(kind, writer.settings)
    catalog = {v.value_id: v for v in CatalogValue.objects.filter(visma_connection=writer.visma, kind=catalog_kind_)}
    created_ids = []
    for row in rows:
        try:
            if not row.target and row.origin != MappingRow.Origin.MANUAL:
                label = writer.create(kind, catalog_kind_, row, catalog)
                result.created.append(label)
                created_ids.append(row.source_id)
            elif row.origin in (MappingRow.Origin.AUTO, MappingRow.Origin.CREATED) and row.target in catalog:
                value = catalog[row.target]
                if value.active and name_key(value.description) != name_key(row.source_name):
                    result.renamed.append(writer.rename(kind, catalog_kind_, row, value))
        except ApiError as error:
            result.errors.append(f"{kind} '{row.source_name}' ({row.source_id}): {error.message}")
    return created_ids


class _Writer:
    """The Visma writes of alignment, each followed by its audit record."""

    def __init__(self, client: Any, visma: Connection, settings: TargetSettings, username: str) -> None:
        self.client, self.visma, self.settings, self.username = client, visma, settings, username
        self._lengths: dict[tuple[str, int], int] = {}

    def create(self, kind: str, catalog_kind_: str, row: MappingRow, catalog: dict[str, CatalogValue]) -> str:
        description = clean_text(row.source_name, DESCRIPTION_MAX) or row.source_id
        if catalog_kind_ == CatalogValue.Kind.DEPARTMENT:
            value_id = new_value_id(row.source_name, DEPARTMENT_ID_MAX, set(catalog))
            self.client.create_department(value_id, description)
        else:
            dimension, segment = self._segment(kind)
            max_length = self._segment_length(dimension, segment)
            # A cost center keeps the organization's number when it fits (the finance team knows it).
            preferred = row.source_number if kind == Kind.ORGANIZATION else ""
            value_id = new_value_id(row.source_name, max_length, set(catalog), preferred=preferred)
            self.client.put_segment_values(dimension, segment, [
                {"operation": "Insert", "value": value_id, "description": description, "active": True}
            ])
        target = self._target(catalog_kind_, kind, value_id)
        record(AuditRecord.Action.DIMENSION_CREATED, target=target, connection=self.visma.name,
               changes={"description": [None, description]}, username=self.username,
               reason=f"Paychex {_label(kind)} '{row.source_name}' ({row.source_id}) had no Visma value")
        record_value(self.visma, catalog_kind_, value_id, description)
        catalog[value_id] = CatalogValue(value_id=value_id, description=description, active=True)
        row.target, row.origin, row.set_by = value_id, MappingRow.Origin.CREATED, ""
        row.save(update_fields=["target", "origin", "set_by", "updated_at"])
        return target

    def rename(self, kind: str, catalog_kind_: str, row: MappingRow, value: CatalogValue) -> str:
        description = clean_text(row.source_name, DESCRIPTION_MAX)
        if catalog_kind_ == CatalogValue.Kind.DEPARTMENT:
            self.client.update_department(value.value_id, description)
        else:
            dimension, segment = self._segment(kind)
            self.client.put_segment_values(dimension, segment, [
                {"operation": "Update", "value": value.value_id, "description": description, "active": True}
            ])
        target = self._target(catalog_kind_, kind, value.value_id)
        record(AuditRecord.Action.DIMENSION_RENAMED, target=target, connection=self.visma.name,
               changes={"description": [value.description, description]}, username=self.username,
               reason=f"Paychex {_label(kind)} {row.source_id} is now named '{row.source_name}'")
        record_value(self.visma, catalog_kind_, value.value_id, description)
        value.description = description
        return target

    def _segment(self, kind: str) -> tuple[str, int]:
        if kind == Kind.ORGANIZATION:
            return self.settings.cost_center_dimension, self.settings.cost_center_segment
        return self.settings.job_title_dimension, self.settings.job_title_segment

    def _segment_length(self, dimension: str, segment: int) -> int:
        if (dimension, segment) not in self._lengths:
            length = self.client.segment(dimension, segment).get("length")
            self._lengths[(dimension, segment)] = int(length) if length else SEGMENT_VALUE_MAX
        return self._lengths[(dimension, segment)]

    def _target(self, catalog_kind_: str, kind: str, value_id: str) -> str:
        if catalog_kind_ == CatalogValue.Kind.DEPARTMENT:
            return f"department:{value_id}"
        dimension, segment = self._segment(kind)
        return f"{dimension}/{segment}/{value_id}"


def new_value_id(name: str, max_length: int, taken: set[str], *, preferred: str = "") -> str:
    """A new Visma id: `preferred` when it fits and is free, else the name folded to A-Z0-9, cut to
    `max_length`, with a number replacing its end when that id is taken (case-insensitive)."""
    taken_keys = {value.upper() for value in taken}
    preferred = re.sub(r"[^A-Z0-9]", "", preferred.upper())
    if preferred and len(preferred) <= max_length and preferred not in taken_keys:
        return preferred
    base = _fold(name)[:max_length] or "X"
    candidate, counter = base, 1
    while candidate in taken_keys:
        suffix = str(counter)
        candidate = base[: max_length - len(suffix)] + suffix
        counter += 1
    return candidate


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.translate(_ASCII_FOLD))
    return re.sub(r"[^A-Z0-9]", "", "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper())


def _label(kind: str) -> str:
    return "organization" if kind == Kind.ORGANIZATION else "job title"
