"""What differs between the desired Visma employee and Visma's current record."""
from __future__ import annotations

from typing import Any

# Filled from settings, not from Paychex: written when the employee is created, then Visma's value is
# kept (a person may have changed the class or calendar in Visma on purpose).
CREATE_ONLY_FIELDS = ("employee_class", "calendar")


def employee_changes(
    desired: dict[str, Any], current: Any, *, create_only: tuple[str, ...] = CREATE_ONLY_FIELDS
) -> dict[str, tuple[Any, Any]]:
    """Return {field: (old, new)} for the fields of `desired` that differ from `current`.

    `current` is Visma's neutral employee dict, an EmployeeRecord (its `.fields` are used) or None,
    which means "create": every field with a value is returned with old None. On update the
    `create_only` fields are left out (pass Translation.create_only_fields to also keep values that
    came from a fallback, such as the e-mail pattern). None and "" count as equal.
    """
    if current is None:
        return {name: (None, value) for name, value in desired.items() if value not in (None, "")}
    current_fields = getattr(current, "fields", current)
    return {
        name: (current_fields.get(name), value)
        for name, value in desired.items()
        if name not in create_only and _comparable(current_fields.get(name)) != _comparable(value)
    }


def _comparable(value: Any) -> Any:
    return "" if value is None else value
