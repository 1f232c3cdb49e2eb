"""`manage.py connect` creates, updates (keyed by name), takes secrets from the environment, refuses bad input."""
from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from connector.models import Connection
from tests.connector.conftest import TENANT_ID


def connect(*args: str) -> None:
    call_command("connect", *args)


@pytest.mark.django_db
def test_creates_a_paychex_connection_with_defaults(monkeypatch):
    monkeypatch.delenv("PAYCHEX_CLIENT_SECRET", raising=False)
    connect("paychex", "--client-id", "key-1", "--client-secret", "s3cret-value", "--company-id", "99Z5V9BTI8J2FCGESC05")

    stored = Connection.objects.get(name="paychex")
    assert stored.system == "paychex" and stored.client_secret == "s3cret-value"
    assert stored.base_url == "https://api.paychex.com" and stored.token_url.endswith("/auth/oauth/v2/token")
    assert stored.is_active and stored.secret_changed_at is not None


@pytest.mark.django_db
def test_running_again_updates_the_same_row_and_keeps_the_secret(monkeypatch):
    monkeypatch.delenv("VISMA_CLIENT_SECRET", raising=False)
    connect("visma", "--name", "erp", "--client-id", "c1", "--client-secret", "first-secret", "--tenant-id", TENANT_ID)
    connect("visma", "--name", "erp", "--company-id", "1234567", "--base-url", "https://erp.example.test")

    assert Connection.objects.count() == 1
    stored = Connection.objects.get(name="erp")
    assert stored.company_id == "1234567" and stored.base_url == "https://erp.example.test"
    assert stored.client_secret == "first-secret" and stored.client_id == "c1"


@pytest.mark.django_db
def test_secret_from_a_named_variable_or_the_default_variable(monkeypatch):
    monkeypatch.setenv("MY_VAR", "from-named-var")
    monkeypatch.setenv("VISMA_CLIENT_SECRET", "from-default-var")
    connect("visma", "--client-id", "c1", "--client-secret-env", "MY_VAR", "--tenant-id", TENANT_ID)
    assert Connection.objects.get(name="visma").client_secret == "from-named-var"

    connect("visma")
    assert Connection.objects.get(name="visma").client_secret == "from-default-var"


@pytest.mark.django_db
def test_paychex_destination_must_name_a_visma_connection(monkeypatch):
    monkeypatch.setenv("VISMA_CLIENT_SECRET", "v-secret")
    monkeypatch.setenv("PAYCHEX_CLIENT_SECRET", "p-secret")
    connect("visma", "--client-id", "c1", "--tenant-id", TENANT_ID)

    connect("paychex", "--client-id", "k", "--company-id", "C1", "--destination", "visma")
    assert Connection.objects.get(name="paychex").destination.name == "visma"
    with pytest.raises(CommandError, match="not a Visma connection"):
        connect("paychex", "--destination", "paychex")


@pytest.mark.django_db
@pytest.mark.parametrize("args, problem", [
    (("--base-url", "not a url"), "--base-url 'not a url' is not a valid http(s) URL"),
    (("--token-url", "ftp://x.test/token"), "is not a valid http(s) URL"),
    ((), "--company-id"),
])
def test_bad_input_is_refused_clearly_and_nothing_is_saved(monkeypatch, args, problem):
    monkeypatch.setenv("PAYCHEX_CLIENT_SECRET", "p-secret")
    company = () if problem == "--company-id" else ("--company-id", "C1")
    with pytest.raises(CommandError, match="Nothing was saved") as caught:
        connect("paychex", "--client-id", "k", *company, *args)
    assert problem in str(caught.value)
    assert Connection.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_secret_on_create_is_refused(monkeypatch):
    monkeypatch.delenv("PAYCHEX_CLIENT_SECRET", raising=False)
    with pytest.raises(CommandError, match="client secret is required"):
        connect("paychex", "--client-id", "k", "--company-id", "C1")


@pytest.mark.django_db
def test_a_name_used_by_the_other_system_is_refused(monkeypatch):
    monkeypatch.setenv("PAYCHEX_CLIENT_SECRET", "p-secret")
    connect("paychex", "--name", "acme", "--client-id", "k", "--company-id", "C1")
    with pytest.raises(CommandError, match="already a paychex connection"):
        connect("visma", "--name", "acme", "--tenant-id", TENANT_ID)
