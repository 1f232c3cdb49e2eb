"""Connection admin: credentials are write-only, health is read-only, "Test connection" checks them."""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from connector.fields import UndecryptableSecret
from connector.models import Connection
from connector.services import check_connection

SECRET_FIELDS = ("client_secret", "webhook_signing_key")


class WriteOnlySecretInput(forms.PasswordInput):
    """A password box that never renders a value: leaving it empty keeps the stored secret."""

    def __init__(self) -> None:
        super().__init__(render_value=False, attrs={"autocomplete": "new-password"})


def secret_state(connection: Connection, name: str) -> str:
    """"set, changed <date>" / "not set" / "undecryptable — re-enter", never the value."""
    value = getattr(connection, name)
    if isinstance(value, UndecryptableSecret):
        return "undecryptable — re-enter"
    if not value:
        return "not set"
    changed = connection.secret_changed_at if name == "client_secret" else connection.updated_at
    return f"set, changed {timezone.localtime(changed):%Y-%m-%d %H:%M}" if changed else "set"


class ConnectionForm(forms.ModelForm):
    base_url = forms.URLField(assume_scheme="https", help_text=Connection._meta.get_field("base_url").help_text)
    token_url = forms.URLField(assume_scheme="https", help_text=Connection._meta.get_field("token_url").help_text)
    client_secret = forms.CharField(required=False, strip=True, widget=WriteOnlySecretInput())
    webhook_signing_key = forms.CharField(required=False, strip=True, widget=WriteOnlySecretInput())

    class Meta:
        model = Connection
        fields = ("name", "system", "is_active", "base_url", "token_url", "client_id", "client_secret",
                  "company_id", "tenant_id", "destination", "webhook_signing_key")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            # Never hand the stored value to the widget (not even masked): the page must not contain it.
            self.initial[name] = ""
            state = secret_state(self.instance, name) if self.instance.pk else "not set"
            self.fields[name].help_text = f"Currently: {state}. Leave empty to keep it."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("system") == Connection.System.PAYCHEX and not cleaned.get("company_id"):
            self.add_error("company_id", "A Paychex connection needs its companyId.")
        if cleaned.get("system") == Connection.System.VISMA and not cleaned.get("tenant_id"):
            self.add_error("tenant_id", "A Visma connection needs the company tenant id.")
        if cleaned.get("destination") and cleaned.get("system") != Connection.System.PAYCHEX:
            self.add_error("destination", "Only a Paychex connection has a destination.")
        if not self.instance.pk and not cleaned.get("client_secret"):
            self.add_error("client_secret", "Enter the client secret.")
        return cleaned

    def _post_clean(self) -> None:
        # An empty box means "keep": restore the stored values before the model instance is updated.
        for name in SECRET_FIELDS:
            if not self.cleaned_data.get(name):
                self.cleaned_data[name] = getattr(self.instance, name) if self.instance.pk else None
        super()._post_clean()

    def save(self, commit: bool = True) -> Connection:
        connection = super().save(commit=False)
        if "client_secret" in self.changed_data and self.data.get("client_secret"):
            connection.set_client_secret(self.cleaned_data["client_secret"])
        if commit:
            connection.save()
            self.save_m2m()
        return connection


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    form = ConnectionForm
    list_display = ("name", "system", "is_active", "health", "last_success_at", "last_check_at")
    list_filter = ("system", "is_active")
    search_fields = ("name", "client_id", "company_id", "tenant_id")
    actions = ("test_connection",)
    change_form_template = "admin/connector/connection/change_form.html"
    readonly_fields = ("secrets_state", "health", "last_check_at", "last_check_message", "last_success_at",
                       "last_error", "last_error_at", "token_expires_at", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "system", "is_active", "destination")}),
        ("Endpoint and credentials", {"fields": ("base_url", "token_url", "client_id", "client_secret",
                                                 "company_id", "tenant_id", "webhook_signing_key", "secrets_state")}),
        ("Health", {"fields": ("health", "last_check_at", "last_check_message", "last_success_at", "last_error",
                               "last_error_at", "token_expires_at", "created_at", "updated_at")}),
    )

    def save_model(self, request: HttpRequest, obj: Connection, form: forms.ModelForm, change: bool) -> None:
        """Save everything except values no key can decrypt: those stay as stored until re-entered
        (writing the marker back would fail, and would destroy a value an old key might still read)."""
        if not change:
            obj.save()
            return
        fields = [f.name for f in Connection._meta.concrete_fields
                  if not f.primary_key and not isinstance(getattr(obj, f.attname), UndecryptableSecret)]
        obj.save(update_fields=fields)

    @admin.display(description="Stored secrets")
    def secrets_state(self, connection: Connection) -> str:
        return "; ".join(f"{name.replace('_', ' ')}: {secret_state(connection, name)}"
                         for name in (*SECRET_FIELDS, "webhook_password"))

    @admin.display(description="Health")
    def health(self, connection: Connection) -> str:
        if connection.secret_is_undecryptable:
            return format_html('<span style="color:#ba2121">{}</span>', "secret undecryptable — re-enter")
        if connection.last_check_ok is False:
            return format_html('<span style="color:#ba2121">{}</span>', connection.last_check_message[:80])
        if connection.last_error_at and (not connection.last_success_at or connection.last_error_at > connection.last_success_at):
            return format_html('<span style="color:#b26b00">{}</span>', connection.last_error[:80])
        return "OK" if connection.last_check_ok or connection.last_success_at else "not checked"

    def has_test_connection_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("connector.test_connection")

    def has_register_webhooks_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("connector.register_webhooks")

    @admin.action(description="Test connection", permissions=["test_connection"])
    def test_connection(self, request: HttpRequest, queryset: QuerySet[Connection]) -> None:
        for connection in queryset:
            result = check_connection(connection)
            level = messages.SUCCESS if result.ok else messages.ERROR
            self.message_user(request, f"{connection.name}: {result.message}", level)

    def get_urls(self) -> list:
        test = path("<int:pk>/test/", self.admin_site.admin_view(self.test_view), name="connector_connection_test")
        return [test, *super().get_urls()]

    def test_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """POST from the connection's page: run the check, say the result; 403 without the permission."""
        if request.method != "POST" or not self.has_test_connection_permission(request):
            raise PermissionDenied
        self.test_connection(request, Connection.objects.filter(pk=pk))
        return HttpResponseRedirect(reverse("admin:connector_connection_change", args=[pk]))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        context = {"can_test": self.has_test_connection_permission(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)
