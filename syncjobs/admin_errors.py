"""The error queue in the console: open / retrying / resolved, the reason in words, the raw exchange
(redacted again on display), "Retry" and "Mark resolved" with a note, one item or many at once."""
from __future__ import annotations

import re

from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from connector.redaction import redact_text
from syncjobs import errorqueue
from syncjobs.admin import ReadOnlyAdmin, badge, run_link, worker_link
from syncjobs.models import ErrorItem
from syncjobs.queueing import enqueue_on_commit

# Display-time belt and braces: excerpts are redacted when stored; a bare "Bearer …" is caught here too.
BARE_CREDENTIAL = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
STATUS_STYLE = {"open": "error", "retrying": "warning", "resolved": "ok"}
NOTE_MAX = 500


@admin.register(ErrorItem)
class ErrorItemAdmin(ReadOnlyAdmin):
    list_display = ("pk", "worker_name", "status_badge", "category", "reason", "attempts", "age", "next_attempt_at")
    list_display_links = ("pk",)
    list_filter = ("status", "category", "connection")
    list_select_related = ("worker",)
    search_fields = ("reason", "worker__worker_id", "worker__employee_cd", "worker__family_name", "code")
    actions = ["retry", "mark_resolved"]
    change_form_template = "admin/syncjobs/erroritem/change_form.html"
    fieldsets = (
        (None, {"fields": ("status_badge", "category", "reason", "worker_name", "connection", "run_ref", "code")}),
        ("Attempts", {"fields": ("attempts", "first_seen_at", "last_seen_at", "next_attempt_at")}),
        ("Resolution", {"fields": ("resolved_at", "resolved_by", "resolution_note")}),
        ("Raw exchange (secrets redacted)", {"fields": ("request_text", "response_text")}),
    )
    readonly_fields = ("status_badge", "worker_name", "run_ref", "request_text", "response_text")

    @admin.display(description="Worker", ordering="worker__family_name")
    def worker_name(self, item: ErrorItem) -> str:
        return worker_link(item.worker, fallback="(notification)")

    @admin.display(description="Status", ordering="status")
    def status_badge(self, item: ErrorItem) -> str:
        return badge(item.get_status_display(), STATUS_STYLE.get(item.status, "unchecked"))

    @admin.display(description="Waiting", ordering="first_seen_at")
    def age(self, item: ErrorItem) -> str:
        return "—" if item.status == ErrorItem.Status.RESOLVED else timesince(item.first_seen_at, timezone.now())

    @admin.display(description="Run")
    def run_ref(self, item: ErrorItem) -> str:
        return run_link(item.run)

    @admin.display(description="Request")
    def request_text(self, item: ErrorItem) -> str:
        return format_html('<pre class="excerpt">{}</pre>', shown(item.request_excerpt))

    @admin.display(description="Response")
    def response_text(self, item: ErrorItem) -> str:
        return format_html('<pre class="excerpt">{}</pre>', shown(item.response_excerpt))

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("syncjobs.retry_error")

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("syncjobs.resolve_error")

    @admin.action(description="Retry", permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[ErrorItem]) -> None:
        count = queue_retries(queryset, request.user.get_username())
        runs = reverse("admin:syncjobs_syncrun_changelist") + "?trigger__exact=retry"
        self.message_user(request, format_html('Retry queued for {} item(s): see <a href="{}">the retry runs</a>.',
                                               count, runs))

    @admin.action(description="Mark resolved (with a note)", permissions=["resolve"])
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[ErrorItem]) -> HttpResponse | None:
        if "apply" not in request.POST:
            return self.resolve_form(request, queryset)
        count = resolve(queryset, request.user.get_username(), request.POST.get("note", ""))
        self.message_user(request, f"{count} item(s) marked resolved.")
        return None

    def resolve_form(self, request: HttpRequest, queryset: QuerySet[ErrorItem]) -> HttpResponse:
        """The intermediate page of "Mark resolved": the items and a box for the note."""
        context = {**self.admin_site.each_context(request), "title": "Mark resolved", "opts": self.model._meta,
                   "items": list(queryset.select_related("worker")[:200]), "count": queryset.count(),
                   "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                   "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME, "select_across": request.POST.get("select_across", "0")}
        return TemplateResponse(request, "admin/syncjobs/erroritem/resolve.html", context)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [path("<int:pk>/retry/", view(self.retry_view), name="syncjobs_erroritem_retry"),
                path("<int:pk>/resolve/", view(self.resolve_view), name="syncjobs_erroritem_resolve"),
                *super().get_urls()]

    def retry_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST" or not self.has_retry_permission(request):
            raise PermissionDenied
        self.retry(request, ErrorItem.objects.filter(pk=pk))
        return HttpResponseRedirect(reverse("admin:syncjobs_erroritem_change", args=[pk]))

    def resolve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST" or not self.has_resolve_permission(request):
            raise PermissionDenied
        count = resolve(ErrorItem.objects.filter(pk=pk), request.user.get_username(), request.POST.get("note", ""))
        self.message_user(request, f"{count} item(s) marked resolved.")
        return HttpResponseRedirect(reverse("admin:syncjobs_erroritem_change", args=[pk]))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        context = {"can_retry": self.has_retry_permission(request), "can_resolve": self.has_resolve_permission(request),
                   **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)


def shown(excerpt: str) -> str:
    """An excerpt as displayed: redacted again (stored ones already are), "—" when empty."""
    return BARE_CREDENTIAL.sub(lambda m: m.group(1) + " [REDACTED]", redact_text(excerpt or "")) or "—"


def queue_retries(queryset: QuerySet[ErrorItem], username: str) -> int:
    """Enqueue a retry of every unresolved item (after commit). Returns how many."""
    pks = list(queryset.exclude(status=ErrorItem.Status.RESOLVED).values_list("pk", flat=True))
    for pk in pks:
        enqueue_on_commit("syncjobs.tasks.retry_error_item", pk, username=username)
    return len(pks)


def resolve(queryset: QuerySet[ErrorItem], username: str, note: str) -> int:
    note = " ".join(note.split())[:NOTE_MAX] or "Marked resolved by hand."
    return errorqueue.mark_resolved(list(queryset.values_list("pk", flat=True)), username=username, note=note)
