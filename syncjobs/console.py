"""The console's admin site: the dashboard as the front page, a run-progress endpoint, and extra menu entries.

Installed in place of `django.contrib.admin` (INSTALLED_APPS: "syncjobs.console.ConsoleAdminConfig"), so
every app's `admin.site.register(...)` lands here. Data comes from `syncjobs.dashboard`; the chart is an
inline SVG drawn here from our own numbers (no JavaScript, no CDN: offline machines render it).
"""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Pages other modules add to the menu: (title, url name, permission). Issue-6 pages are wired here.
EXTRA_PAGES: list[tuple[str, str, str]] = [
    ("Dashboard", "admin:index", ""),
    ("Reconciliation", "admin:syncjobs_reconciliation", "syncjobs.view_reconciliation"),
    ("Start backfill", "admin:syncjobs_start_backfill", "syncjobs.start_backfill"),
]


class ConsoleSite(admin.AdminSite):
    site_header = "ml-connector console"
    site_title = "ml-connector"
    index_title = "Dashboard"
    index_template = "admin/dashboard.html"

    def get_urls(self) -> list:
        from syncjobs.admin_views_reconcile import admin_urls  # reconciliation and "Start backfill" (issue 6)

        progress = path("syncjobs/syncrun/<int:run_id>/progress.json", self.admin_view(run_progress),
                        name="syncjobs_syncrun_progress")
        return [progress, *admin_urls(self), *super().get_urls()]

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        context = {**dashboard_context(request), **(extra_context or {})}
        return super().index(request, context)

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        apps = super().get_app_list(request, app_label)
        pages = console_pages(request)
        if app_label is None and pages:
            apps.insert(0, {"name": "Console", "app_label": "console", "app_url": reverse("admin:index"),
                            "has_module_perms": True, "models": pages})
        return apps


class ConsoleAdminConfig(AdminConfig):
    default_site = "syncjobs.console.ConsoleSite"


def console_pages(request: HttpRequest) -> list[dict[str, Any]]:
    """Menu entries for the custom pages this user may open (a page not built yet is left out)."""
    pages = []
    for title, url_name, permission in EXTRA_PAGES:
        if permission and not request.user.has_perm(permission):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        pages.append({"name": title, "object_name": title.replace(" ", ""), "admin_url": url, "view_only": True,
                      "perms": {"view": True}})
    return pages


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    """Everything the front page shows; each section only for users who may open the page it links to."""
    from syncjobs import dashboard

    user = request.user
    context: dict[str, Any] = {"steps": dashboard.setup_steps()}
    context["setup_done"] = all(step.done for step in context["steps"])
    if user.has_perm("connector.view_connection"):
        context["health"] = dashboard.connection_health()
    if user.has_perm("syncjobs.view_notification"):
        context["inbox"] = dashboard.inbox_summary()
    if user.has_perm("syncjobs.view_erroritem"):
        context["errors"] = dashboard.error_queue_summary()
    if user.has_perm("syncjobs.view_worker"):
        context["held"] = dashboard.held_worker_count()
    if user.has_perm("mappings.view_organizationmapping"):
        context["unmapped"] = dashboard.unmapped_counts()
    if user.has_perm("syncjobs.view_syncrun"):
        days = dashboard.daily_activity()
        context.update(active_runs=dashboard.active_runs(), last_poll=dashboard.last_poll(), chart=chart_svg(days),
                       chart_totals=(sum(d.syncs for d in days), sum(d.failures for d in days)))
    if user.has_perm("syncjobs.view_reconciliation"):
        context["reconciliation"] = dashboard.last_reconciliation()
        context["reconciliation_url"] = _reverse_or_empty("admin:syncjobs_reconciliation")
    return context


def _reverse_or_empty(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def run_progress(request: HttpRequest, run_id: int) -> JsonResponse:
    """{status, percent, done, total, counts…} of one run, for the live progress bar (view permission)."""
    from syncjobs.models import SyncRun

    if not request.user.has_perm("syncjobs.view_syncrun"):
        return JsonResponse({"error": "forbidden"}, status=403)
    run = get_object_or_404(SyncRun, pk=run_id)
    data = {name: getattr(run, name) for name in SyncRun.COUNTERS}
    data.update(status=run.status, status_display=run.get_status_display(), percent=run.percent_done,
                done=run.progress_done, total=run.progress_total, final=run.status in SyncRun.FINAL)
    return JsonResponse(data)


# --- the chart -------------------------------------------------------------------------------------
CHART_W, CHART_H, PAD_L, PAD_B, PAD_T = 640, 180, 40, 22, 10


def chart_svg(days: list) -> SafeString:
    """Bars of syncs per day with failures stacked in red; a <title> on each bar gives the numbers."""
    if not days:
        return SafeString("")
    top = max(max(d.syncs for d in days), 1)
    slot = (CHART_W - PAD_L) / len(days)
    plot_h = CHART_H - PAD_B - PAD_T

    def bar(index: int, day: Any) -> tuple:
        x = PAD_L + index * slot + 1
        total_h = plot_h * day.syncs / top
        fail_h = plot_h * min(day.failures, day.syncs or day.failures) / top
        return (f"{x:.1f}", f"{CHART_H - PAD_B - total_h:.1f}", f"{max(slot - 2, 1):.1f}", f"{total_h:.1f}",
                f"{x:.1f}", f"{CHART_H - PAD_B - fail_h:.1f}", f"{max(slot - 2, 1):.1f}", f"{fail_h:.1f}",
                f"{day.day:%a %d %b}: {day.syncs} syncs, {day.failures} failed")

    bars = format_html_join(
        "", '<g><title>{}</title><rect class="syncs" x="{}" y="{}" width="{}" height="{}"/>'
            '<rect class="failures" x="{}" y="{}" width="{}" height="{}"/></g>',
        ((b[8], *b[:8]) for b in (bar(i, d) for i, d in enumerate(days))))
    labels = format_html_join(
        "", '<text x="{}" y="{}" class="label">{}</text>',
        ((f"{PAD_L + i * slot:.1f}", CHART_H - 6, f"{d.day:%d %b}") for i, d in enumerate(days) if i % 5 == 0))
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="Syncs and failures per day, last {n} days">'
        '<line x1="{l}" y1="{base}" x2="{w}" y2="{base}" class="axis"/>'
        '<text x="0" y="{ty}" class="label">{top}</text><text x="0" y="{base}" class="label">0</text>'
        "{bars}{labels}</svg>",
        w=CHART_W, h=CHART_H, n=len(days), l=PAD_L, base=CHART_H - PAD_B, ty=PAD_T + 8, top=top, bars=bars,
        labels=labels,
    )
