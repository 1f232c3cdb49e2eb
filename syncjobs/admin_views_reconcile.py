"""Admin pages for reconciliation and backfill (wired by the console's admin with `admin_urls`).

- Headcount reconciliation (read-only): the latest stored report, or the stored state when none was
  made yet; "Refresh now" enqueues a report that reads both APIs first.
- Start backfill: confirm, then create (or resume) the run and enqueue it; the run shows its live
  percentage (`SyncRun.percent_done`, or the JSON view below).
  (the console's progress endpoint shows it live).

Wiring (in the admin site's or an admin's get_urls): `return [*admin_urls(self), *super().get_urls()]`.
URL names: syncjobs_reconciliation, syncjobs_reconciliation_refresh, syncjobs_start_backfill (asks which
company when there are several), syncjobs_start_backfill_for (connection id).
Permissions: syncjobs.view_reconciliation (page and refresh), syncjobs.start_backfill.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from connector.models import Connection
from syncjobs import backfill, headcount
from syncjobs.models import HeadcountReport, SyncRun
from syncjobs.queueing import enqueue_on_commit

# Refreshing reads both systems and writes nothing in them: whoever may read the report may refresh it.
VIEW_REPORT = REFRESH_REPORT = "syncjobs.view_reconciliation"
START_BACKFILL = "syncjobs.start_backfill"


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def headcount_view(request: HttpRequest, site: AdminSite) -> HttpResponse:
    """The latest stored report (made by "Refresh now", the command with --store, or a task)."""
    _require(request, VIEW_REPORT)
    stored = HeadcountReport.objects.first()
    report = stored.data if stored else headcount.build(refresh=False)
    context = {**site.each_context(request), "title": "Headcount reconciliation", "report": report, "stored": stored,
               "can_refresh": request.user.has_perm(REFRESH_REPORT)}
    return TemplateResponse(request, "syncjobs/headcount.html", context)


@require_POST
def headcount_refresh_view(request: HttpRequest, site: AdminSite) -> HttpResponse:
    _require(request, REFRESH_REPORT)
    enqueue_on_commit("syncjobs.tasks.headcount_report", request.user.get_username(), True)
    messages.info(request, "Reading Paychex and Visma for a new report; reload this page in a minute.")
    return redirect(reverse(f"{site.name}:syncjobs_reconciliation"))


def start_backfill_view(request: HttpRequest, site: AdminSite, connection_id: int | None = None) -> HttpResponse:
    """GET: confirm (and say whether it would resume). POST: start or resume, enqueue, go to the run.
    Without a connection id: the only active Paychex connection, or a list to choose from."""
    _require(request, START_BACKFILL)
    if connection_id is None:
        paychex = list(Connection.objects.filter(system=Connection.System.PAYCHEX, is_active=True))
        if len(paychex) != 1:
            context = {**site.each_context(request), "title": "Backfill", "connections": paychex}
            return TemplateResponse(request, "syncjobs/backfill_choose.html", context)
        connection_id = paychex[0].pk
    connection = get_object_or_404(Connection, pk=connection_id, system=Connection.System.PAYCHEX)
    if request.method != "POST":
        context = {**site.each_context(request), "title": f"Backfill {connection.name}", "connection": connection,
                   "live": backfill.live_run(connection, SyncRun.Trigger.BACKFILL),
                   "resumable": backfill.resumable_run(connection, SyncRun.Trigger.BACKFILL)}
        return TemplateResponse(request, "syncjobs/backfill_start.html", context)
    run = backfill.start(connection, started_by=request.user.get_username(), resume=request.POST.get("restart") != "1")
    if run.status == SyncRun.Status.QUEUED:  # new, or queued by a double click: the task claims it once
        enqueue_on_commit("syncjobs.tasks.run_backfill", run.pk)
        messages.success(request, f"Backfill of {connection.name} queued (run {run.pk}).")
    else:
        messages.warning(request, f"A backfill of {connection.name} is already under way (run {run.pk}).")
    return redirect(reverse(f"{site.name}:syncjobs_syncrun_change", args=[run.pk]))


def admin_urls(site: AdminSite) -> list[URLPattern]:
    """The URL patterns of these pages, each behind the admin's login (see the module docstring)."""
    def wrap(view):  # type: ignore[no-untyped-def]
        return site.admin_view(lambda request, **kwargs: view(request, site, **kwargs))

    return [
        path("syncjobs/reconciliation/", wrap(headcount_view), name="syncjobs_reconciliation"),
        path("syncjobs/reconciliation/refresh/", wrap(headcount_refresh_view), name="syncjobs_reconciliation_refresh"),
        path("syncjobs/backfill/", wrap(start_backfill_view), name="syncjobs_start_backfill"),
        path("syncjobs/backfill/<int:connection_id>/", wrap(start_backfill_view), name="syncjobs_start_backfill_for"),
    ]
