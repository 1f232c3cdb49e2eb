"""Admin forms: a mapping target is checked against the Visma catalog before it is saved."""
from __future__ import annotations

from django import forms

from connector.errors import ApiError
from connector.models import Connection
from mappings.catalog import resolve_target
from mappings.matching import catalog_kind
from mappings.models import Kind
from mappings.services import MappingError, target_settings, visma_connection_for


class MappingRowForm(forms.ModelForm):
    """Used for the change page and the list_editable rows; `target` must exist and be active in Visma."""

    def clean_target(self) -> str:
        target = (self.cleaned_data.get("target") or "").strip()
        if not target:
            return ""
        row = self.instance
        try:
            visma = visma_connection_for(row.paychex_connection)
            return resolve_target(visma, catalog_kind(row.KIND, target_settings(visma)), target)
        except (MappingError, ApiError) as exc:
            raise forms.ValidationError(str(exc)) from exc


def paychex_connections() -> "forms.ModelChoiceField":
    return forms.ModelChoiceField(
        queryset=Connection.objects.filter(system=Connection.System.PAYCHEX), label="Paychex connection"
    )


class PreviewForm(forms.Form):
    paychex_connection = paychex_connections()
    worker_id = forms.CharField(max_length=64, label="Paychex worker id")


class CsvImportForm(forms.Form):
    paychex_connection = paychex_connections()
    file = forms.FileField(label="CSV file (UTF-8)")


class CsvExportForm(forms.Form):
    paychex_connection = paychex_connections()


KIND_CHOICES = [(kind.value, kind.label) for kind in Kind if kind != Kind.STATUS]
