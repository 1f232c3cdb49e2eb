"""The mapping pages learn which workers a change resyncs (mappings may not import syncjobs, so the mapping
admins are extended here): a message after saving, with a link to those workers, and a list on the row's page.

The set is the one `syncjobs.receivers.on_mapping_changed` resyncs: workers of the same Paychex connection
whose record holds the changed source id.
"""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from mappings.admin import JobTitleMappingAdmin, LocationMappingAdmin, OrganizationMappingAdmin, StatusMappingAdmin
from mappings.models import JobTitleMapping, Kind, LocationMapping, OrganizationMapping, StatusMapping
from syncjobs.models import Worker
from syncjobs.receivers import KIND_FIELDS

AFFECTED_SHOWN = 20
CHANGES_ATTR = "_console_mapping_changes"


def affected_workers(connection_id: int, kind: str, source_ids: set[str]) -> QuerySet[Worker]:
    condition = Q()
    for column in KIND_FIELDS.get(kind, ()):
        condition |= Q(**{f"{column}__in": sorted(source_ids)})
    if not source_ids:
        return Worker.objects.none()
    return Worker.objects.filter(condition, connection_id=connection_id)


def affected_url(connection_id: int, kind: str, source_ids: set[str]) -> str:
    column = KIND_FIELDS[kind][0]
    query = {"connection__id__exact": connection_id, f"{column}__in": ",".join(sorted(source_ids))}
    return reverse("admin:syncjobs_worker_changelist") + "?" + urlencode(query)


class WorkerImpactMixin:
    """Collects the rows a request changes and reports the workers that will resync."""

    changed_field = "target"

    def _kind(self) -> str:
        return getattr(self.model, "KIND", Kind.STATUS)  # type: ignore[attr-defined]

    def _source_id(self, obj: Any) -> str:
        return obj.status_type if self._kind() == Kind.STATUS else obj.source_id

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        if self.changed_field in form.changed_data and hasattr(request, CHANGES_ATTR):
            getattr(request, CHANGES_ATTR).setdefault(obj.paychex_connection_id, set()).add(self._source_id(obj))

    def _report(self, request: HttpRequest) -> None:
        for connection_id, source_ids in getattr(request, CHANGES_ATTR, {}).items():
            count = affected_workers(connection_id, self._kind(), source_ids).count()
            url = affected_url(connection_id, self._kind(), source_ids)
            self.message_user(request, format_html(  # type: ignore[attr-defined]
                '{} worker(s) will be resynced: <a href="{}">see them</a>.', count, url))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        setattr(request, CHANGES_ATTR, {})
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        self._report(request)
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        setattr(request, CHANGES_ATTR, {})
        context = {**self._affected_context(object_id), **(extra_context or {})}
        response = super().change_view(request, object_id, form_url, context)  # type: ignore[misc]
        self._report(request)
        return response

    def _affected_context(self, object_id: str) -> dict[str, Any]:
        obj = self.model.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None  # type: ignore[attr-defined]
        if obj is None:
            return {}
        ids = {self._source_id(obj)}
        workers = affected_workers(obj.paychex_connection_id, self._kind(), ids)
        return {"affected_workers": list(workers.order_by("family_name", "given_name")[:AFFECTED_SHOWN]),
                "affected_count": workers.count(),
                "affected_url": affected_url(obj.paychex_connection_id, self._kind(), ids)}


class StatusImpactMixin(WorkerImpactMixin):
    changed_field = "visma_status"


for _model, _base, _mixin in ((OrganizationMapping, OrganizationMappingAdmin, WorkerImpactMixin),
                              (JobTitleMapping, JobTitleMappingAdmin, WorkerImpactMixin),
                              (LocationMapping, LocationMappingAdmin, WorkerImpactMixin),
                              (StatusMapping, StatusMappingAdmin, StatusImpactMixin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(_base.__name__, (_mixin, _base), {"__module__": __name__}))
