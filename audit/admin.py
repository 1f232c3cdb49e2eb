"""The audit trail in the console: read-only, filterable, searchable. Nothing can be added, changed or deleted."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "worker_id", "employee_cd", "target", "changes_text", "reason", "run_id",
                    "username")
    list_filter = ("action", "created_at", "connection")
    search_fields = ("worker_id", "employee_cd", "target", "reason", "username", "notification_id", "=run_id")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "action", "worker_id", "employee_cd", "target", "connection", "changes_text",
                       "reason", "notification_id", "run_id", "username")
    fields = readonly_fields
    actions = None
    list_per_page = 100

    @admin.display(description="Changes")
    def changes_text(self, record: AuditRecord) -> str:
        if not record.changes:
            return "—"
        rows = ((name, _show(values, 0), _show(values, 1)) for name, values in sorted(record.changes.items()))
        return format_html_join(mark_safe("<br>"), "{}: {} → {}", rows)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _show(values: Any, index: int) -> str:
    if not isinstance(values, (list, tuple)) or len(values) <= index:
        return "?"
    value = values[index]
    return "∅" if value in (None, "") else str(value)
