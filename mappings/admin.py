"""The console for the mapping tables, the status mapping, the target settings and the Visma catalog."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path

from connector.errors import ApiError
from connector.models import Connection
from mappings import signals
from mappings.admin_views import csv_export_view, csv_import_view, preview_view
from mappings.forms import MappingRowForm
from mappings.models import (MAPPING_MODELS, CatalogValue, JobTitleMapping, Kind, LocationMapping, MappingRow,
                             OrganizationMapping, StatusMapping, TargetSettings)
from mappings.refresh import refresh_catalog_and_match, refresh_reference_and_align
from mappings.matching import catalog_kind

CATALOG_DATALIST_ID = "catalog-targets"


def catalog_choices(kind: str) -> list[CatalogValue]:
    """The active Visma values a `kind` mapping may point at (for the target box's suggestions).

    Organizations point at departments or cost-center values depending on each Visma company's target
    settings, so the kinds are collected from every target-settings row (one query each way).
    """
    model = MAPPING_MODELS[kind]
    kinds = {catalog_kind(kind, settings) for settings in TargetSettings.objects.all()} if not model.CATALOG_KIND \
        else {model.CATALOG_KIND}
    if not kinds:
        kinds = {CatalogValue.Kind.DEPARTMENT}
    return list(CatalogValue.objects.filter(kind__in=kinds, active=True).only("value_id", "description")
                .order_by("value_id"))


class NeedsMappingFilter(admin.SimpleListFilter):
    title = "mapping"
    parameter_name = "mapped"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "Needs mapping"), ("yes", "Mapped")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "no":
            return queryset.filter(target="")
        if self.value() == "yes":
            return queryset.exclude(target="")
        return queryset


class MappingAdmin(admin.ModelAdmin):
    form = MappingRowForm
    list_display = ("source_id", "source_name", "source_number", "target", "origin", "set_by", "updated_at")
    list_display_links = ("source_id",)
    list_editable = ("target",)
    list_filter = (NeedsMappingFilter, "origin", "source_active", "paychex_connection")
    search_fields = ("source_id", "source_name", "source_number", "target")
    readonly_fields = ("paychex_connection", "source_id", "source_name", "source_number", "source_active", "origin",
                       "set_by", "updated_at")
    fields = readonly_fields[:5] + ("target",) + readonly_fields[5:]
    actions = ("refresh_from_paychex",)
    change_list_template = "admin/mappings/change_list.html"
    change_form_template = "admin/mappings/mapping_change_form.html"
    list_per_page = 50  # editable rows are costly to render; "needs mapping" rows come first

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """The target box suggests the Visma catalog's values (a <datalist>; the form still checks them)."""
        if db_field.name == "target":
            kwargs["widget"] = forms.TextInput(attrs={"list": CATALOG_DATALIST_ID, "autocomplete": "off",
                                                      "size": 14, "placeholder": "needs mapping"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def catalog_context(self) -> dict[str, Any]:
        return {"catalog_values": catalog_choices(self.model.KIND), "catalog_datalist_id": CATALOG_DATALIST_ID}

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        return super().change_view(request, object_id, form_url, {**self.catalog_context(), **(extra_context or {})})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows come from the Paychex reference lists

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a row that Paychex no longer lists is marked inactive, never deleted

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        return MappingRowForm

    def save_model(self, request: HttpRequest, obj: MappingRow, form: Any, change: bool) -> None:
        """A person's edit: origin manual, set_by them, and the affected workers announced."""
        if "target" in form.changed_data:
            obj.origin, obj.set_by = MappingRow.Origin.MANUAL, request.user.get_username()
            super().save_model(request, obj, form, change)
            signals.announce(obj.paychex_connection_id, obj.KIND, [obj.source_id])

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # list_editable saves rows one by one: collect them into one signal per change set.
        with signals.batch():
            return super().changelist_view(request, extra_context={**(extra_context or {}), "kind": self.model.KIND,
                                                                   "can_import": self.has_change_permission(request),
                                                                   **self.catalog_context()})

    def get_urls(self) -> list:
        kind = self.model.KIND
        name = self.model._meta.model_name
        return [
            path("import/", self.guarded(self.has_change_permission, lambda r: csv_import_view(r, self.admin_site, kind)),
                 name=f"mappings_{name}_import"),
            path("export/", self.guarded(self.has_view_permission, lambda r: csv_export_view(r, self.admin_site, kind)),
                 name=f"mappings_{name}_export"),
            *super().get_urls(),
        ]

    def guarded(self, allowed: Callable[[HttpRequest], bool], view: Callable[[HttpRequest], HttpResponse]) -> Callable:
        """An admin view that answers 403 unless `allowed(request)`."""
        def checked(request: HttpRequest) -> HttpResponse:
            if not allowed(request):
                raise PermissionDenied
            return view(request)
        return self.admin_site.admin_view(checked)

    @admin.action(description="Re-read the Paychex lists, match and align (the selected rows' companies)",
                  permissions=["change"])
    def refresh_from_paychex(self, request: HttpRequest, queryset: QuerySet) -> None:
        for connection in Connection.objects.filter(pk__in=queryset.values("paychex_connection")):
            try:
                outcome = refresh_reference_and_align(connection, username=request.user.get_username())
            except ApiError as error:
                self.message_user(request, f"{connection.name}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"{connection.name}: {outcome.summary()}")


@admin.register(OrganizationMapping)
class OrganizationMappingAdmin(MappingAdmin):
    def get_urls(self) -> list:
        preview = path("preview/", self.guarded(self.has_view_permission, lambda r: preview_view(r, self.admin_site)),
                       name="mappings_preview")
        return [preview, *super().get_urls()]


@admin.register(JobTitleMapping)
class JobTitleMappingAdmin(MappingAdmin):
    pass


@admin.register(LocationMapping)
class LocationMappingAdmin(MappingAdmin):
    pass


@admin.register(StatusMapping)
class StatusMappingAdmin(admin.ModelAdmin):
    list_display = ("status_type", "visma_status", "note", "paychex_connection", "set_by", "updated_at")
    list_editable = ("visma_status",)
    list_filter = ("paychex_connection", "visma_status")
    readonly_fields = ("set_by", "updated_at")

    def save_model(self, request: HttpRequest, obj: StatusMapping, form: Any, change: bool) -> None:
        obj.set_by = request.user.get_username()
        super().save_model(request, obj, form, change)
        signals.announce(obj.paychex_connection_id, Kind.STATUS, [obj.status_type])

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        with signals.batch():
            return super().changelist_view(request, extra_context)


@admin.register(TargetSettings)
class TargetSettingsAdmin(admin.ModelAdmin):
    list_display = ("visma_connection", "cost_center_target", "job_title_dimension", "job_title_segment",
                    "create_in_visma", "catalog_refreshed_at")
    readonly_fields = ("catalog_refreshed_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("visma_connection",)}),
        ("Cost centers", {"fields": ("cost_center_target", "cost_center_dimension", "cost_center_segment",
                                     "default_department")}),
        ("Job titles", {"fields": ("job_title_dimension", "job_title_segment")}),
        ("Defaults for new employees", {"fields": ("default_employee_class", "default_calendar", "default_branch",
                                                   "use_default_branch_for_unmapped_locations",
                                                   "email_fallback_pattern")}),
        ("Alignment", {"fields": ("create_in_visma", "catalog_refreshed_at", "updated_at")}),
    )
    actions = ("refresh_catalog_full", "refresh_catalog_incremental")

    @admin.action(description="Refresh the Visma catalog now (full)", permissions=["change"])
    def refresh_catalog_full(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._refresh(request, queryset, full=True)

    @admin.action(description="Refresh the Visma catalog now (changes only)", permissions=["change"])
    def refresh_catalog_incremental(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._refresh(request, queryset, full=False)

    def _refresh(self, request: HttpRequest, queryset: QuerySet, *, full: bool) -> None:
        for settings in queryset.select_related("visma_connection"):
            try:
                outcome = refresh_catalog_and_match(settings.visma_connection, full=full)
            except ApiError as error:
                self.message_user(request, f"{settings.visma_connection.name}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"{settings.visma_connection.name}: {outcome.summary()}")


@admin.register(CatalogValue)
class CatalogValueAdmin(admin.ModelAdmin):
    list_display = ("value_id", "description", "kind", "active", "last_modified", "visma_connection")
    list_filter = ("kind", "active", "visma_connection")
    search_fields = ("value_id", "description")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
