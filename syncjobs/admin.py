"""Console pages for the sync engine: workers (with "Resync worker"), the inbox, runs, back-off, rejections.

State changes only through actions and buttons that call services, never by editing rows. Every action
declares its permission (`allowed_permissions`), every custom view checks it and answers 403. The error
queue is in `syncjobs.admin_errors`; the mapping pages' "which workers will resync" in `syncjobs.admin_mappings`.
"""
from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from connector.errors import ApiError
from connector.models import Connection
from syncjobs.models import BackoffStep, Notification, RunItem, SyncRun, Worker, WebhookRejection
from syncjobs.runs import queue_resync

RESULT_STYLE = {"created": "ok", "updated": "ok", "unchanged": "ok", "held": "warning", "skipped": "unchecked",
                "retrying": "warning", "failed": "error", "": "unchecked"}
RUN_STYLE = {"succeeded": "ok", "no_changes": "ok", "partial": "warning", "failed": "error", "running": "unchecked",
             "queued": "unchecked"}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the engine: viewable, never added or edited by hand."""

    show_full_result_count = False

    class Media:
        css = {"all": ["console/console.css"]}
        js = ["console/progress.js"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def badge(text: str, style: str) -> str:
    return format_html('<span class="badge {}">{}</span>', style, text)


def run_link(run: SyncRun | None) -> str:
    if run is None:
        return "—"
    return format_html('<a href="{}">{}</a>', reverse("admin:syncjobs_syncrun_change", args=[run.pk]), run)


def worker_link(worker: Worker | None, fallback: str = "—") -> str:
    if worker is None:
        return fallback
    return format_html('<a href="{}">{}</a>', reverse("admin:syncjobs_worker_change", args=[worker.pk]), worker)


def queue_and_report(model_admin: admin.ModelAdmin, request: HttpRequest, workers: QuerySet[Worker]) -> list[SyncRun]:
    """Queue one resync run per connection and tell the user, linking each run."""
    username = request.user.get_username()
    workers = list(workers.select_related("connection"))
    runs = queue_resync(workers, trigger=SyncRun.Trigger.RESYNC, reason=f"manual resync by {username}",
                        username=username)
    links = format_html_join(", ", "{}", ((run_link(run),) for run in runs))
    model_admin.message_user(request, format_html("Resync queued for {} worker(s): {}", len(workers), links))
    return runs


# --- workers ---------------------------------------------------------------------------------------
class HeldFilter(admin.SimpleListFilter):
    title = "held"
    parameter_name = "held"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Held (mapping missing)"), ("no", "Not held")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        held = Q(last_result=Worker.Result.HELD)
        return {"yes": queryset.filter(held), "no": queryset.exclude(held)}.get(self.value(), queryset)


class SyncStateFilter(admin.ChoicesFieldListFilter):
    title = "sync state"


class PaychexStatusFilter(admin.AllValuesFieldListFilter):
    title = "Paychex status"


class RunFilter(admin.SimpleListFilter):
    """The workers of one run (the run page's drill-down link); shown only while in use."""

    title = "run"
    parameter_name = "run"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = self.value()
        return [(value, f"Run {value}")] if value and value.isdigit() else []

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(pk__in=RunItem.objects.filter(run_id=int(value)).values("worker_id"))
        return queryset


@admin.register(Worker)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = ("name", "employee_cd", "worker_id", "status_type", "sync_state", "last_synced_at")
    list_display_links = ("name",)
    list_filter = (("status_type", PaychexStatusFilter), "connection", ("last_result", SyncStateFilter), HeldFilter,
                   RunFilter)
    list_select_related = ("connection",)
    search_fields = ("given_name", "family_name", "employee_cd", "worker_id")
    search_help_text = "Name, employee number (Visma) or Paychex worker id"
    actions = ["resync"]
    change_form_template = "admin/syncjobs/worker/change_form.html"
    fieldsets = (
        (None, {"fields": ("name", "connection", "worker_id", "employee_cd", "company_id")}),
        ("Sync state", {"fields": ("sync_state", "last_message", "hold_reason", "last_synced_at", "last_written_at")}),
        ("Paychex", {"fields": ("status_type", "status_effective_date", "pending", "hire_date", "organization_id",
                                "job_title_id", "location_id")}),
    )
    readonly_fields = ("name", "sync_state", "pending")

    @admin.display(description="Name", ordering="family_name")
    def name(self, worker: Worker) -> str:
        return " ".join(part for part in (worker.given_name, worker.family_name) if part) or worker.worker_id

    @admin.display(description="Sync state", ordering="last_result")
    def sync_state(self, worker: Worker) -> str:
        return badge(worker.get_last_result_display(), RESULT_STYLE.get(worker.last_result, "unchecked"))

    @admin.display(description="Pending status")
    def pending(self, worker: Worker) -> str:
        return f"{worker.pending_status} on {worker.pending_status_date}" if worker.pending_status else "—"

    def has_resync_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("syncjobs.resync_worker")

    @admin.action(description="Resync worker", permissions=["resync"])
    def resync(self, request: HttpRequest, queryset: QuerySet[Worker]) -> None:
        queue_and_report(self, request, queryset)

    def get_urls(self) -> list:
        resync = path("<int:pk>/resync/", self.admin_site.admin_view(self.resync_view), name="syncjobs_worker_resync")
        return [resync, *super().get_urls()]

    def resync_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """POST: resync one worker from its page; 403 without the permission."""
        if request.method != "POST" or not self.has_resync_permission(request):
            raise PermissionDenied
        queue_and_report(self, request, Worker.objects.filter(pk=pk))
        return HttpResponseRedirect(reverse("admin:syncjobs_worker_change", args=[pk]))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        from syncjobs.admin_panels import worker_panels

        worker = get_object_or_404(Worker.objects.select_related("connection"), pk=object_id)
        context = {**worker_panels(worker, request), **(extra_context or {}),
                   "can_resync": self.has_resync_permission(request)}
        return super().change_view(request, object_id, form_url, context)


# --- inbox -----------------------------------------------------------------------------------------
@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("notification_id", "domains_text", "worker_id", "status", "attempts", "received_at", "processed_at")
    list_filter = ("status", "connection")
    search_fields = ("notification_id", "worker_id", "company_id")
    readonly_fields = [f.name for f in Notification._meta.fields]

    @admin.display(description="Domains")
    def domains_text(self, notification: Notification) -> str:
        return ", ".join(notification.domains)


# --- runs ------------------------------------------------------------------------------------------
@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "trigger", "status_badge", "started_by", "seen", "created", "updated", "unchanged",
                    "held", "failed", "duration", "progress", "created_at")
    list_display_links = ("pk",)
    list_filter = ("status", "trigger", "connection")
    search_fields = ("=id", "started_by", "note")
    change_form_template = "admin/syncjobs/syncrun/change_form.html"
    fieldsets = (
        (None, {"fields": ("trigger", "status_badge", "started_by", "connection", "note")}),
        ("Counts", {"fields": (("seen", "created", "updated", "unchanged", "held", "skipped", "failed"),
                               "progress")}),
        ("Times", {"fields": ("created_at", "started_at", "finished_at", "duration")}),
    )
    readonly_fields = ("status_badge", "duration", "progress", "created_at")

    @admin.display(description="Status", ordering="status")
    def status_badge(self, run: SyncRun) -> str:
        return badge(run.get_status_display(), RUN_STYLE.get(run.status, "unchecked"))

    @admin.display(description="Duration")
    def duration(self, run: SyncRun) -> str:
        if not run.started_at:
            return "—"
        seconds = ((run.finished_at or run.lease_until or run.started_at) - run.started_at).total_seconds()
        if not run.finished_at:
            return "running"
        return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"

    @admin.display(description="Progress")
    def progress(self, run: SyncRun) -> str:
        percent = run.percent_done
        if percent is None:
            return "—"
        if run.status in SyncRun.FINAL:
            return f"{percent} %"
        url = reverse("admin:syncjobs_syncrun_progress", args=[run.pk])
        return format_html('<progress max="100" value="{}" data-progress-url="{}"></progress> '
                           '<span class="percent">{} %</span>', percent, url, percent)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        from syncjobs.admin_panels import RUN_ITEMS_SHOWN

        items = (RunItem.objects.filter(run_id=object_id).select_related("worker").order_by("id")[:RUN_ITEMS_SHOWN])
        workers_url = reverse("admin:syncjobs_worker_changelist") + "?" + urlencode({"run": object_id})
        context = {"run_items": list(items), "run_items_shown": RUN_ITEMS_SHOWN, "run_workers_url": workers_url,
                   **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)


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
@admin.action(description="Register Paychex webhooks (new credentials, replaces old hooks)",
              permissions=["register_webhooks"])
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

from syncjobs import admin_errors, admin_mappings  # noqa: E402,F401  (register the error queue and mapping hooks)
