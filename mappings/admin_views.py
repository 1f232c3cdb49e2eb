"""Custom admin pages: preview one worker, import and export a mapping table as CSV. Preview never writes."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from connector.errors import ApiError
from mappings.csv_io import CsvImportError, export_csv, import_csv
from mappings.forms import CsvExportForm, CsvImportForm, PreviewForm
from mappings.models import MAPPING_MODELS
from mappings.preview import preview
from mappings.services import MappingError
from mappings.translate import Translation

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def preview_view(request: HttpRequest, site: AdminSite) -> HttpResponse:
    """GET with paychex_connection + worker_id renders what the sync would write; reads only."""
    form = PreviewForm(request.GET or None)
    result = None
    if form.is_valid():
        result = preview(form.cleaned_data["paychex_connection"], form.cleaned_data["worker_id"])
    context = {**site.each_context(request), "title": "Preview a worker", "form": form, "preview": result,
               "rows": _rows(result) if result and result.translation else []}
    return TemplateResponse(request, "admin/mappings/preview.html", context)


def _rows(result) -> list[tuple[str, object, object, bool]]:  # type: ignore[no-untyped-def]
    """(field, Visma now, would be, differs) for every employee field."""
    translation: Translation = result.translation
    desired = translation.employee or {}
    current = result.current or {}
    return [(name, current.get(name), value, name in result.changes) for name, value in desired.items()]


def csv_import_view(request: HttpRequest, site: AdminSite, kind: str) -> HttpResponse:
    model = MAPPING_MODELS[kind]
    form = CsvImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD_BYTES:
                raise MappingError(f"the file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB")
            result = import_csv(form.cleaned_data["paychex_connection"], kind, upload.read(),
                                username=request.user.get_username())
        except CsvImportError as exc:
            for error in exc.errors[:50]:
                messages.error(request, error)
            messages.error(request, "Nothing was imported.")
        except (MappingError, ApiError) as exc:
            messages.error(request, f"Nothing was imported: {exc}")
        else:
            messages.success(request, f"{len(result.changed)} mappings changed, {result.unchanged} unchanged.")
            return redirect(f"admin:mappings_{model._meta.model_name}_changelist")
    context = {**site.each_context(request), "title": f"Import {model._meta.verbose_name_plural} from CSV",
               "form": form, "opts": model._meta}
    return TemplateResponse(request, "admin/mappings/csv_import.html", context)


def csv_export_view(request: HttpRequest, site: AdminSite, kind: str) -> HttpResponse:
    model = MAPPING_MODELS[kind]
    form = CsvExportForm(request.GET or None)
    if form.is_valid():
        connection = form.cleaned_data["paychex_connection"]
        try:
            text = export_csv(connection, kind)
        except ApiError as exc:
            messages.error(request, str(exc))
        else:
            response = HttpResponse(text.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{kind}-mappings-{connection.pk}.csv"'
            return response
    context = {**site.each_context(request), "title": f"Export {model._meta.verbose_name_plural} as CSV",
               "form": form, "opts": model._meta}
    return TemplateResponse(request, "admin/mappings/csv_export.html", context)
