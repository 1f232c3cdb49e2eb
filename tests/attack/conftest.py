"""Fixtures for the attack tests: a Paychex connection with webhook credentials, and a tripwire on HTTP.

Hypothesis runs derandomized with a fixed number of examples so the suite never flakes; set
HYPOTHESIS_PROFILE=fuzz for a longer, random run (e.g. before a release).
"""
from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.apps import apps
from hypothesis import HealthCheck, settings

from connector import http
from connector.models import Connection
from syncjobs.api.auth import credentials

settings.register_profile(
    "suite", derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz", max_examples=5000, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "suite"))

WEBHOOK_USER, WEBHOOK_PASSWORD = "mlc-attack", "attack-webhook-password-7f3a9c"
# Models an unauthenticated request may touch: the per-day rejection counter (and nothing else).
COUNTERS = {"syncjobs.WebhookRejection"}


def basic(username: str = WEBHOOK_USER, password: str = WEBHOOK_PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture(autouse=True)
def fresh_process_state() -> Iterator[None]:
    http.reset_process_state()
    credentials.clear()
    yield
    http.reset_process_state()
    credentials.clear()


@pytest.fixture
def outbound_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every outbound HTTP call (through requests) is recorded and refused: the test asserts the list."""
    calls: list[str] = []

    def refuse(self: Any, request: requests.PreparedRequest, **kwargs: Any) -> None:
        calls.append(f"{request.method} {request.url}")
        raise requests.ConnectionError("outbound HTTP is not allowed in this test")

    monkeypatch.setattr(requests.Session, "send", refuse)
    return calls


@pytest.fixture
def paychex(db: Any) -> Connection:
    """A Paychex connection (to nowhere: nothing may be called) with webhook credentials."""
    visma = Connection.objects.create(name="Visma attack", system="visma", base_url="https://visma.invalid",
                                      token_url="https://visma.invalid/token", client_id="v", tenant_id="t")
    connection = Connection(name="Paychex attack", system="paychex", base_url="https://paychex.invalid",
                            token_url="https://paychex.invalid/token", client_id="p", company_id="COMPANY1",
                            destination=visma, webhook_username=WEBHOOK_USER, webhook_password=WEBHOOK_PASSWORD)
    connection.set_client_secret("paychex-client-secret-attack")
    connection.save()
    return connection


def row_counts() -> dict[str, int]:
    """Rows per model of our apps and the queue (sessions and auth excluded), counters left out."""
    counts = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label in ("connector", "mappings", "syncjobs", "audit", "django_q") and label not in COUNTERS:
            counts[label] = model._default_manager.count()
    return counts
