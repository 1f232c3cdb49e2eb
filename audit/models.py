"""The audit trail: one append-only row per change made in Visma, or per decision not to make one."""
from __future__ import annotations

from typing import Any

from django.db import models


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit record."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit records cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit records cannot be deleted.")

    # bulk_update goes through update(); bulk_create is allowed (it only appends).


class AuditRecord(models.Model):
    class Action(models.TextChoices):
        EMPLOYEE_CREATED = "employee_created", "Employee created"
        EMPLOYEE_UPDATED = "employee_updated", "Employee updated"
        STATUS_CHANGED = "status_changed", "Status changed"
        DIMENSION_CREATED = "dimension_created", "Dimension value created"
        DIMENSION_RENAMED = "dimension_renamed", "Dimension value renamed"
        HELD = "held", "Held (not written)"
        UNCHANGED = "unchanged", "Checked, unchanged"
        DRIFT_DETECTED = "drift_detected", "Drift detected (reported only)"
        DRIFT_CORRECTED = "drift_corrected", "Drift corrected"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    # Plain references, not foreign keys: the trail outlives and stays independent of other apps' rows.
    worker_id = models.CharField(max_length=64, blank=True, db_index=True, help_text="Paychex workerId")
    employee_cd = models.CharField(max_length=64, blank=True, db_index=True, help_text="Visma employeeCd")
    target = models.CharField(max_length=200, blank=True, help_text="Visma object, e.g. department:PROD or SUBACCOUNT/1/100")
    connection = models.CharField(max_length=100, blank=True, help_text="Name of the Visma connection written to")
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [old, new]}")
    reason = models.CharField(max_length=500)
    notification_id = models.CharField(max_length=64, blank=True, db_index=True)
    run_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(max_length=150, blank=True, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # The console filters the trail by worker and by user, newest first, over hundreds of thousands of rows.
        indexes = [
            models.Index(fields=["worker_id", "-created_at"]),
            models.Index(fields=["username", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.employee_cd or self.target or self.worker_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Audit records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Audit records cannot be deleted.")
