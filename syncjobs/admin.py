"""Console pages for the sync engine: workers (with "Resync worker"), the inbox, runs, the error queue.

Compact on purpose: state is changed only through actions that call services, never by editing rows.
"""
from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from connector.errors import ApiError
from connector.models import Connection
from syncjobs import errorqueue
from syncjobs.models import BackoffStep, ErrorItem, Notification, RunItem, SyncRun, Worker, WebhookRejection
from syncjobs.queueing import enqueue_on_commit
from syncjobs.runs import queue_resync


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the engine: viewable, never added or edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def run_link(run: SyncRun | None) -> str:
    if run is None:
        return "—"
    return format_html('<a href="{}">{}</a>', reverse("admin:syncjobs_syncrun_change", args=[run.pk]), run)


@admin.register(Worker)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "worker_id", "employee_cd", "status_type", "pending", "last_result", "last_synced_at")
    list_filter = ("last_result", "status_type", "connection")
    search_fields = ("worker_id", "employee_cd", "given_name", "family_name")
    readonly_fields = [f.name for f in Worker._meta.fields]
    actions = ["resync"]

    @admin.display(description="Pending status")
    def pending(self, worker: Worker) -> str:
        return f"{worker.pending_status} on {worker.pending_status_date}" if worker.pending_status else ""

    @admin.action(description="Resync worker")
    def resync(self, request: HttpRequest, queryset: QuerySet[Worker]) -> None:
        username = request.user.get_username()
        runs = queue_resync(queryset.select_related("connection"), trigger=SyncRun.Trigger.RESYNC,
                            reason=f"manual resync by {username}", username=username)
        links = format_html_join(", ", "{}", ((run_link(run),) for run in runs))
        self.message_user(request, format_html("Resync queued for {} worker(s): {}", queryset.count(), links))


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("notification_id", "domains_text", "worker_id", "status", "attempts", "received_at", "processed_at")
    list_filter = ("status", "connection")
    search_fields = ("notification_id", "worker_id", "company_id")
    readonly_fields = [f.name for f in Notification._meta.fields]
    date_hierarchy = "received_at"

    @admin.display(description="Domains")
    def domains_text(self, notification: Notification) -> str:
        return ", ".join(notification.domains)


class RunItemInline(admin.TabularInline):
    model = RunItem
    fields = ("paychex_worker_id", "worker", "outcome", "message", "changes", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "trigger", "started_by", "status", "seen", "created", "updated", "unchanged", "held",
                    "failed", "started_at", "finished_at")
    list_filter = ("status", "trigger", "connection")
    search_fields = ("=id", "started_by", "note")
    readonly_fields = [f.name for f in SyncRun._meta.fields]
    inlines = [RunItemInline]


@admin.register(ErrorItem)
class ErrorItemAdmin(ReadOnlyAdmin):
    list_display = ("pk", "worker", "category", "status", "reason", "attempts", "next_attempt_at", "last_seen_at")
    list_filter = ("status", "category", "connection")
    search_fields = ("reason", "worker__worker_id", "worker__employee_cd", "code")
    readonly_fields = [f.name for f in ErrorItem._meta.fields]
    actions = ["retry", "mark_resolved"]

    @admin.action(description="Retry")
    def retry(self, request: HttpRequest, queryset: QuerySet[ErrorItem]) -> None:
        items = list(queryset.exclude(status=ErrorItem.Status.RESOLVED))
        for item in items:
            enqueue_on_commit("syncjobs.tasks.retry_error_item", item.pk, username=request.user.get_username())
        self.message_user(request, f"Retry queued for {len(items)} item(s); see Sync runs for the result.")

    @admin.action(description="Mark resolved")
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[ErrorItem]) -> None:
        count = errorqueue.mark_resolved(list(queryset.values_list("pk", flat=True)),
                                         username=request.user.get_username())
        self.message_user(request, f"{count} item(s) marked resolved.")


@admin.register(BackoffStep)
class BackoffStepAdmin(admin.ModelAdmin):
    """The retry schedule is data a person may tune."""

    list_display = ("attempt", "delay_seconds")
    list_editable = ("delay_seconds",)


@admin.register(WebhookRejection)
class WebhookRejectionAdmin(ReadOnlyAdmin):
    list_display = ("day", "reason", "count")
    list_filter = ("reason",)


# --- "Register webhooks" on the Connection admin (connector must not import syncjobs) --------------
@admin.action(description="Register Paychex webhooks (new credentials, replaces old hooks)")
def register_paychex_webhooks(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    from django.conf import settings

    from syncjobs.webhooks import register_webhooks

    for connection in queryset.filter(system=Connection.System.PAYCHEX):
        try:
            result = register_webhooks(connection, settings.SITE_URL)
        except ApiError as exc:
            modeladmin.message_user(request, f"{connection.name}: {exc.message}", messages.ERROR)
            continue
        modeladmin.message_user(request, f"{connection.name}: hook registered at {result.uri} for "
                                         f"{', '.join(result.domains)}; {len(result.removed)} old hook(s) removed.")


_connection_admin = admin.site._registry.get(Connection)
if _connection_admin is not None:
    _connection_admin.actions = [*(_connection_admin.actions or []), register_paychex_webhooks]
