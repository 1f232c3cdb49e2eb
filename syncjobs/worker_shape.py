"""The shape of a Paychex worker record, checked before anything reads it.

The engine reads these fields as objects or lists; a record where one is something else (a string, a
list of strings) is malformed data from the API. It becomes a permanent error naming the field, so the
worker lands in the error queue with a reason instead of an "unexpected error" from deep inside.
"""
from __future__ import annotations

from typing import Any

from connector.errors import ApiError

OBJECT_FIELDS = ("name", "currentStatus", "organization", "job")
LIST_FIELDS = ("communications",)


def check(data: Any, worker_id: str) -> None:
    """Raise a permanent ApiError (code "validation") naming the malformed fields; return None if fine."""
    if not isinstance(data, dict):
        raise _malformed(worker_id, f"the record is {type(data).__name__}, not an object")
    wrong = [name for name in OBJECT_FIELDS if data.get(name) is not None and not isinstance(data[name], dict)]
    items = data.get("communications")
    if items is not None and (not isinstance(items, list) or not all(isinstance(i, dict) for i in items)):
        wrong.append("communications")
    if wrong:
        raise _malformed(worker_id, "malformed " + ", ".join(wrong) + " (not the object or list Paychex documents)")


def _malformed(worker_id: str, what: str) -> ApiError:
    return ApiError(f"Paychex sent worker {worker_id} with {what}. Check the worker in Paychex Flex; it syncs "
                    "again on its next change or a resync.", permanent=True, code="validation")


def fit(row: Any, field_names: list[str]) -> None:
    """Make API-sourced values storable on any database: strings lose NUL characters (PostgreSQL refuses
    them in text and jsonb) and are cut to their column's length; JSON values are cleaned throughout."""
    for name in field_names:
        field = row._meta.get_field(name)
        value = getattr(row, name)
        if isinstance(value, str):
            value = value.replace("\x00", "")
            setattr(row, name, value[: field.max_length] if field.max_length else value)
        elif isinstance(value, (dict, list)):
            setattr(row, name, storable_json(value))


def storable_json(value: Any) -> Any:
    """`value` with NUL characters removed from every string, keys included."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {storable_json(k): storable_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable_json(v) for v in value]
    return value


def is_sound(data: Any) -> bool:
    """True when `check` would pass (for batches that pre-read page items before syncing)."""
    try:
        check(data, "")
    except ApiError:
        return False
    return True
