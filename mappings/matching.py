"""Automatic matching of Paychex reference values to Visma catalog values, by number then by name.

A person's mapping (origin manual) is never touched. Runs whenever the catalog or the Paychex reference
lists change; sends mapping_changed once per kind with the rows whose target changed.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from django.db import transaction

from connector.models import Connection
from mappings import signals
from mappings.models import MAPPING_MODELS, CatalogValue, Kind, MappingRow, TargetSettings
from mappings.normalize import name_key
from mappings.services import target_settings, visma_connection_for


def catalog_kind(kind: str, settings: TargetSettings) -> str:
    """Which CatalogValue kind a mapping table points at."""
    if kind == Kind.ORGANIZATION:
        return settings.cost_center_catalog_kind
    return MAPPING_MODELS[kind].CATALOG_KIND


def match(paychex_connection: Connection, kinds: tuple[str, ...] = tuple(MAPPING_MODELS)) -> dict[str, list[str]]:
    """Match every non-manual row of these mapping tables; return {kind: [source ids whose target changed]}.

    A row keeps its automatic target while that value is still active and nothing matches better; a
    target that is gone or inactive in Visma is cleared (the row then needs mapping, or alignment
    creates a value). Kinds whose catalog was never read are skipped, so a missing catalog clears nothing.
    """
    visma = visma_connection_for(paychex_connection)
    settings = target_settings(visma)
    changed: dict[str, list[str]] = {}
    with transaction.atomic():
        for kind in kinds:
            catalog = list(CatalogValue.objects.filter(visma_connection=visma, kind=catalog_kind(kind, settings)))
            if catalog:
                changed[kind] = _match_table(paychex_connection, MAPPING_MODELS[kind], catalog)
                signals.announce(paychex_connection.pk, kind, changed[kind])
    return changed


def _match_table(paychex_connection: Connection, model: type[MappingRow], catalog: list[CatalogValue]) -> list[str]:
    rows = list(model.objects.filter(paychex_connection=paychex_connection))
    finder = _Finder(catalog, rows)
    changed = []
    for row in rows:
        if row.origin == MappingRow.Origin.MANUAL:
            continue
        found = finder.find(row)
        if found and found != row.target:
            row.target, row.origin, row.set_by = found, MappingRow.Origin.AUTO, ""
        elif not found and row.target and not finder.is_active(row.target):
            row.target, row.origin, row.set_by = "", "", ""
        else:
            continue
        row.save(update_fields=["target", "origin", "set_by", "updated_at"])
        changed.append(row.source_id)
    return changed


class _Finder:
    """Looks up the one active catalog value a source row matches; ambiguity means no match."""

    def __init__(self, catalog: list[CatalogValue], rows: list[MappingRow]) -> None:
        active = [value for value in catalog if value.active]
        self._active_ids = {value.value_id for value in active}
        self._by_number = _unique_index(active, lambda v: name_key(v.value_id))
        self._by_name = _unique_index(active, lambda v: name_key(v.description))
        # A Paychex number shared by several rows (sample data has two organizations numbered "1")
        # identifies none of them.
        counts = Counter(name_key(row.source_number) for row in rows if row.source_number)
        self._unique_numbers = {number for number, count in counts.items() if count == 1}

    def find(self, row: MappingRow) -> str:
        number = name_key(row.source_number)
        if number in self._unique_numbers and self._by_number.get(number):
            return self._by_number[number]
        return self._by_name.get(name_key(row.source_name), "")

    def is_active(self, value_id: str) -> bool:
        return value_id in self._active_ids


def _unique_index(values: list[CatalogValue], key) -> dict[str, str]:  # type: ignore[no-untyped-def]
    grouped: dict[str, set[str]] = defaultdict(set)
    for value in values:
        if key(value):
            grouped[key(value)].add(value.value_id)
    return {k: ids.pop() for k, ids in grouped.items() if len(ids) == 1}
