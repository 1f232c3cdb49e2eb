"""Preview: what the connector would write to Visma for one worker, before anything is written."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connector.errors import ApiError
from connector.models import Connection
from mappings.context import MappingContext
from mappings.diff import employee_changes
from mappings.services import client_for, visma_connection_for
from mappings.translate import Translation, translate


@dataclass(frozen=True)
class Preview:
    worker_id: str
    translation: Translation | None = None
    current: dict[str, Any] | None = None  # Visma's current neutral employee; None = would be created
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    error: str = ""  # a read failed: the message says which and why

    @property
    def action(self) -> str:
        """One word for the page: error | skipped | held | create | update | unchanged."""
        if self.error:
            return "error"
        if self.translation is None or self.translation.skip_reason:
            return "skipped"
        if self.translation.held:
            return "held"
        if self.current is None:
            return "create"
        return "update" if self.changes else "unchanged"


def preview(paychex_connection: Connection, worker_id: str, *, paychex_client: Any = None, visma_client: Any = None) -> Preview:
    """Read the worker from Paychex and the employee from Visma, translate and diff. Reads only.

    Never raises for a failed read: the Preview carries the error message instead.
    """
    worker_id = worker_id.strip()
    try:
        visma = visma_connection_for(paychex_connection)
        worker = (paychex_client or client_for(paychex_connection)).worker(worker_id)
        translation = translate(worker, context=MappingContext.load(paychex_connection))
        if translation.employee is None:
            return Preview(worker_id, translation)
        record = (visma_client or client_for(visma)).get_employee(translation.employee["employee_cd"])
    except ApiError as error:
        return Preview(worker_id, error=error.message)
    current = dict(record.fields) if record is not None else None
    changes = employee_changes(translation.employee, current, create_only=translation.create_only_fields)
    return Preview(worker_id, translation, current, changes)
