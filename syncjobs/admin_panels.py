"""The extra panels of the worker page (Paychex data, Visma record, last runs, audit trail, open errors).

A fixed number of queries per page, whatever the worker's history: each panel is one sliced query.
"""
from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from audit.admin import diff_rows
from audit.models import AuditRecord
from syncjobs.models import ErrorItem, RunItem, Worker

RUN_ITEMS_SHOWN = 200
WORKER_RUNS_SHOWN = 10
WORKER_AUDIT_SHOWN = 20


def worker_panels(worker: Worker, request: HttpRequest) -> dict[str, Any]:
    """Template context for the worker page's panels."""
    user = request.user
    context: dict[str, Any] = {
        "paychex_rows": flatten(worker.paychex_profile),
        "visma_rows": sorted((worker.last_desired or {}).items()),
        "drift_rows": [(name, *values) for name, values in sorted((worker.drift or {}).items())
                       if isinstance(values, (list, tuple)) and len(values) == 2],
        "preview_url": preview_url(worker),
    }
    if user.has_perm("syncjobs.view_syncrun"):
        context["run_items"] = list(RunItem.objects.filter(worker=worker).select_related("run")
                                    .order_by("-id")[:WORKER_RUNS_SHOWN])
    if user.has_perm("audit.view_auditrecord"):
        records = AuditRecord.objects.filter(worker_id=worker.worker_id).order_by("-created_at", "-id")
        context["audit_records"] = [(r, diff_rows(r.changes)) for r in records[:WORKER_AUDIT_SHOWN]]
        context["audit_url"] = reverse("admin:audit_auditrecord_changelist") + "?" + urlencode(
            {"worker_id": worker.worker_id})
    if user.has_perm("syncjobs.view_erroritem"):
        context["open_errors"] = list(ErrorItem.objects.filter(worker=worker).exclude(
            status=ErrorItem.Status.RESOLVED).order_by("-last_seen_at"))
    return context


def preview_url(worker: Worker) -> str:
    """The mappings preview of this worker (what the sync would write, Visma's record now, the difference)."""
    try:
        base = reverse("admin:mappings_preview")
    except NoReverseMatch:
        return ""
    return base + "?" + urlencode({"paychex_connection": worker.connection_id, "worker_id": worker.worker_id})


def flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """{"name": {"givenName": "Åse"}} → [("name.givenName", "Åse")]; lists shown as compact JSON."""
    if not isinstance(data, dict):
        return [(prefix or "value", _text(data))] if data not in (None, "", {}) else []
    rows: list[tuple[str, str]] = []
    for key in sorted(data):
        name = f"{prefix}.{key}" if prefix else str(key)
        value = data[key]
        rows.extend(flatten(value, name) if isinstance(value, dict) else [(name, _text(value))])
    return rows


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return json.dumps(value, ensure_ascii=False)[:500]
    return str(value)
