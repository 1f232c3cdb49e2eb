"""Writing to the audit trail. The only way rows are made."""
from __future__ import annotations

from typing import Any

from audit.models import AuditRecord

MAX_REASON_LENGTH = 500


def record(
    action: str,
    *,
    reason: str,
    worker_id: str = "",
    employee_cd: str = "",
    target: str = "",
    connection: str = "",
    changes: dict[str, Any] | None = None,
    notification_id: str = "",
    run_id: int | None = None,
    username: str = "",
) -> AuditRecord:
    """Append one audit record and return it.

    `changes` maps a field name to `[old, new]`. Callers pass only what Visma holds (no secrets, no
    identifiers beyond the employee record).
    """
    return AuditRecord.objects.create(
        action=action,
        reason=reason[:MAX_REASON_LENGTH],
        worker_id=worker_id,
        employee_cd=employee_cd,
        target=target,
        connection=connection,
        changes=changes or {},
        notification_id=notification_id,
        run_id=run_id,
        username=username,
    )
