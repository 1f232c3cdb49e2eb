"""Fixtures for the connector tests: connections, a fake clock, mocked vendors."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone as dt_timezone
from typing import Any

import pytest
import responses

from connector import http, tokens
from connector.models import Connection
from tests.specs import load

PAYCHEX_URL = "https://api.paychex.test"
PAYCHEX_TOKEN_URL = f"{PAYCHEX_URL}/auth/oauth/v2/token"
VISMA_URL = "https://api.visma.test"
VISMA_TOKEN_URL = "https://connect.visma.test/connect/token"
PAYCHEX_SECRET = "paychex-client-secret-Zq81"
VISMA_SECRET = "visma-client-secret-Wm52"
COMPANY_ID = "99Z5V9BTI8J2FCGESC05"
TENANT_ID = "af1140c1-52e0-46c7-b684-df894d4b8a5a"


class FakeClock:
    """Frozen time that moves only when told to, or when something sleeps."""

    def __init__(self) -> None:
        self.current = datetime(2025, 3, 1, 12, 0, tzinfo=dt_timezone.utc)
        self.mono = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.current

    def monotonic(self) -> float:
        return self.mono

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)
        self.mono += seconds


@pytest.fixture(autouse=True)
def fresh_process_state() -> Any:
    http.reset_process_state()
    tokens._locks.clear()
    yield
    http.reset_process_state()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mocked() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def visma(db: Any) -> Connection:
    connection = Connection(name="visma", system="visma", base_url=VISMA_URL, token_url=VISMA_TOKEN_URL,
                            client_id="visma-client", tenant_id=TENANT_ID)
    connection.set_client_secret(VISMA_SECRET)
    connection.save()
    return connection


@pytest.fixture
def paychex(db: Any) -> Connection:
    connection = Connection(name="paychex", system="paychex", base_url=PAYCHEX_URL, token_url=PAYCHEX_TOKEN_URL,
                            client_id="paychex-client", company_id=COMPANY_ID)
    connection.set_client_secret(PAYCHEX_SECRET)
    connection.save()
    return connection


def paychex_token(rsps: responses.RequestsMock, token: str = "99f9c30a-8134-4a30-a789-7c7665add41e",
                  expires_in: Any = "600") -> None:
    """Register one Paychex token answer (the spec sample, expires_in a string)."""
    body = {**load("paychex", "auth-token-response.json"), "access_token": token, "expires_in": expires_in}
    rsps.add(responses.POST, PAYCHEX_TOKEN_URL, json=body)


def visma_token(rsps: responses.RequestsMock, token: str = "eyJhb-visma-token", expires_in: Any = 3600) -> None:
    body = {**load("visma", "samples/visma-connect-token-response.json"), "access_token": token, "expires_in": expires_in}
    rsps.add(responses.POST, VISMA_TOKEN_URL, json=body)


def calls_to(rsps: responses.RequestsMock, url_pattern: str) -> list[Any]:
    return [call for call in rsps.calls if re.search(url_pattern, call.request.url)]
