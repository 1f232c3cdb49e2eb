"""CSV export and import of the mapping tables (the finance team keeps them in spreadsheets).

Export writes UTF-8 with a BOM (so Excel shows Nordic letters) and commas. Import accepts UTF-8 with or
without BOM, comma, semicolon or tab, validates every row first and writes all or nothing, in one
transaction. A blank target leaves the row as it is; only rows whose target changes are written, as a
person's mapping (origin manual).
"""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction

from connector.models import Connection
from mappings import signals
from mappings.catalog import resolve_target
from mappings.matching import catalog_kind
from mappings.models import MAPPING_MODELS, CatalogValue, MappingRow
from mappings.services import MappingError, target_settings, visma_connection_for

COLUMNS = ("source_id", "source_name", "source_number", "target", "target_description", "origin", "set_by", "updated_at")
REQUIRED = ("source_id", "target")
MAX_ERRORS_SHOWN = 20


class CsvImportError(MappingError):
    """The file cannot be imported; `errors` lists every problem, each naming its row."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f" (and {len(errors) - len(shown)} more)" if len(errors) > len(shown) else ""
        super().__init__("; ".join(shown) + more)


@dataclass
class ImportResult:
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0


def export_csv(paychex_connection: Connection, kind: str) -> str:
    """Return the mapping table as CSV text (callers encode it as utf-8-sig)."""
    visma = visma_connection_for(paychex_connection)
    descriptions = dict(
        CatalogValue.objects.filter(visma_connection=visma, kind=catalog_kind(kind, target_settings(visma)))
        .values_list("value_id", "description")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in MAPPING_MODELS[kind].objects.filter(paychex_connection=paychex_connection).order_by("source_name", "source_id"):
        writer.writerow([
            row.source_id, row.source_name, row.source_number, row.target, descriptions.get(row.target, ""),
            row.origin, row.set_by, row.updated_at.isoformat(timespec="seconds"),
        ])
    return out.getvalue()


def import_csv(paychex_connection: Connection, kind: str, data: bytes, *, username: str) -> ImportResult:
    """Validate all rows, then set every changed target in one transaction.

    Raises CsvImportError (nothing written) on bad encoding, unknown or missing columns, duplicate
    source rows, unknown Paychex sources, or targets that do not exist or are inactive in Visma.
    Sends mapping_changed once with the changed source ids.
    """
    visma = visma_connection_for(paychex_connection)
    rows = _parse(data)
    model = MAPPING_MODELS[kind]
    existing = {row.source_id: row for row in model.objects.filter(paychex_connection=paychex_connection)}
    planned, errors = _validate(rows, existing, visma, catalog_kind(kind, target_settings(visma)), model)
    if errors:
        raise CsvImportError(errors)
    result = ImportResult(unchanged=len(rows) - len(planned))
    with transaction.atomic(), signals.batch():
        for row, target in planned:
            row.target, row.origin, row.set_by = target, MappingRow.Origin.MANUAL, username
            row.save(update_fields=["target", "origin", "set_by", "updated_at"])
            result.changed.append(row.source_id)
        signals.announce(paychex_connection.pk, kind, result.changed)
    return result


def _parse(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """[(spreadsheet row number, {column: value})]; raises CsvImportError on encoding or header problems."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvImportError([f"row {line}: the file is not UTF-8 (byte {data[exc.start]:#04x}); save it as "
                              "\"CSV UTF-8\""]) from exc
    text = unicodedata.normalize("NFC", text)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CsvImportError(["the file is empty: the first row must name the columns"])
    delimiter = max(",;\t", key=lines[0].count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    _check_header(header)
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(header):
            raise CsvImportError([f"row {number}: {len(values)} values but {len(header)} columns"])
        rows.append((number, {name: value.strip() for name, value in zip(header, values)}))
    return rows


def _check_header(header: list[str]) -> None:
    errors = []
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        errors.append(f"row 1: unknown column(s) {', '.join(repr(n) for n in unknown)}; the columns are {', '.join(COLUMNS)}")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        errors.append(f"row 1: missing column(s) {', '.join(missing)}")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        errors.append(f"row 1: column(s) {', '.join(duplicated)} appear more than once")
    if errors:
        raise CsvImportError(errors)


def _validate(
    rows: list[tuple[int, dict[str, str]]], existing: dict[str, MappingRow], visma: Connection, kind: str, model: type
) -> tuple[list[tuple[MappingRow, str]], list[str]]:
    planned, errors, first_row = [], [], {}
    label = model._meta.verbose_name.split(" → ")[0]
    for number, values in rows:
        source_id, target = values.get("source_id", ""), values.get("target", "")
        if not source_id:
            errors.append(f"row {number}: source_id is empty")
            continue
        if source_id in first_row:
            errors.append(f"row {number}: source_id '{source_id}' is also on row {first_row[source_id]}")
            continue
        first_row[source_id] = number
        row = existing.get(source_id)
        if row is None:
            errors.append(f"row {number}: Paychex {label} '{source_id}' is not known; refresh the Paychex lists first")
            continue
        if not target:
            continue
        try:
            resolved = resolve_target(visma, kind, target)
        except MappingError as exc:
            errors.append(f"row {number} ({row.source_name or source_id}): {exc}")
            continue
        if resolved != row.target:
            planned.append((row, resolved))
    return planned, errors
