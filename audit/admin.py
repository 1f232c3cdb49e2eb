"""The audit trail in the console: read-only, filterable, searchable, each change shown before | after.

Nothing can be added, changed or deleted. Built for 100,000s of rows: no full count per page, filters on
indexed columns only (action, created_at, worker_id, username, run_id), no date hierarchy (its DISTINCT
over every row costs more than the page).
"""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from audit.models import AuditRecord

# Reason prefixes written by the engine (see README "Audit trail"), as a filter a person understands.
REASON_KINDS = {
    "notification": ("Paychex notification", "Paychex notification"),
    "manual": ("manual resync", "Manual resync"),
    "retry": ("retry from the error queue", "Retry from the error queue"),
    "automatic": ("automatic retry", "Automatic retry"),
    "backfill": ("backfill", "Backfill / initial load"),
    "mapping": ("mapping changed", "Mapping changed"),
    "schedule": ("scheduled", "Scheduled status change"),
    "drift": ("drift", "Drift in Visma"),
}


class ReasonFilter(admin.SimpleListFilter):
    title = "reason"
    parameter_name = "reason_kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(key, label) for key, (_, label) in REASON_KINDS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        kind = REASON_KINDS.get(self.value() or "")
        return queryset.filter(reason__istartswith=kind[0]) if kind else queryset


class ValueFilter(admin.SimpleListFilter):
    """A filter on one exact value given in the URL (linked from worker and run pages); shown while in use."""

    field = ""

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = self.value()
        return [(value, value)] if value else []

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value or (self.field == "run_id" and not value.isdigit()):
            return queryset
        return queryset.filter(**{self.field: value})


class WorkerFilter(ValueFilter):
    title, parameter_name, field = "worker (Paychex id)", "worker_id", "worker_id"


class RunFilter(ValueFilter):
    title, parameter_name, field = "run", "run_id", "run_id"


class UserFilter(admin.SimpleListFilter):
    title = "user"
    parameter_name = "username"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        names = (AuditRecord.objects.exclude(username="").order_by("username")
                 .values_list("username", flat=True).distinct()[:50])
        return [(name, name) for name in names]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(username=self.value()) if self.value() else queryset


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "worker_id", "employee_cd", "target", "changes_text", "reason", "run_id",
                    "username")
    list_filter = ("action", ("created_at", admin.DateFieldListFilter), ReasonFilter, UserFilter, WorkerFilter,
                   RunFilter)
    search_fields = ("worker_id", "employee_cd", "target", "reason", "username", "notification_id", "=run_id")
    search_help_text = "Worker id, employee number, target, reason, user, notification id or run id"
    readonly_fields = ("created_at", "action", "worker_id", "employee_cd", "target", "connection", "changes_diff",
                       "reason", "notification_id", "run_id", "username")
    fields = readonly_fields
    actions = None
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description="Changes")
    def changes_text(self, record: AuditRecord) -> str:
        rows = diff_rows(record.changes)
        if not rows:
            return "—"
        return format_html_join(mark_safe("<br>"), "{}: {} → {}", rows)

    @admin.display(description="Changes (before | after)")
    def changes_diff(self, record: AuditRecord) -> str:
        rows = diff_rows(record.changes)
        return render_to_string("admin/audit/diff_table.html", {"rows": rows}) if rows else "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    class Media:
        css = {"all": ["console/console.css"]}


def diff_rows(changes: Any) -> list[tuple[str, str, str]]:
    """{field: [old, new]} → [(field, old, new)] sorted by field, values as text ("∅" for empty)."""
    if not isinstance(changes, dict):
        return []
    return [(str(name), _show(values, 0), _show(values, 1)) for name, values in sorted(changes.items())]


def _show(values: Any, index: int) -> str:
    if not isinstance(values, (list, tuple)) or len(values) <= index:
        return "?"
    value = values[index]
    return "∅" if value in (None, "") else str(value)
