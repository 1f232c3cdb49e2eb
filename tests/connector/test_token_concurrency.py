"""Concurrent renewals make one token request: the connection row lock plus a re-check after it.

Threads stand in for processes. `no_process_lock` removes the in-process lock, so only the database
serializes the renewals (SELECT … FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) — exactly what
separate worker processes rely on.
"""
from __future__ import annotations

import threading
import time
from contextlib import nullcontext

import pytest
import responses
from django.db import connection as db
from django.db import connections

from connector import tokens
from connector.clients.paychex import PaychexClient
from connector.models import Connection
from tests.connector.conftest import COMPANY_ID, PAYCHEX_TOKEN_URL, PAYCHEX_URL

THREADS = 6


def run_concurrently(connection_id: int) -> tuple[list[str], list[BaseException]]:
    tokens_used, errors = [], []
    barrier = threading.Barrier(THREADS)

    def work() -> None:
        try:
            row = Connection.objects.get(pk=connection_id)  # each "process" loads its own copy
            barrier.wait()
            client = PaychexClient(row)
            client.company()
            tokens_used.append(row.access_token)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return tokens_used, errors


@pytest.fixture
def slow_token_endpoint(mocked):
    issued = []

    def token(request):
        issued.append(1)
        time.sleep(0.2)  # a slow identity provider widens the race window
        return 200, {}, f'{{"access_token": "token-{len(issued)}-abcdef", "expires_in": "600"}}'

    mocked.add_callback(responses.POST, PAYCHEX_TOKEN_URL, callback=token)
    mocked.add(responses.GET, f"{PAYCHEX_URL}/companies/{COMPANY_ID}", json={"content": [{"companyId": COMPANY_ID}]})
    return issued


@pytest.fixture
def no_process_lock(monkeypatch):
    monkeypatch.setattr(tokens, "_process_lock", lambda connection_id: nullcontext())


@pytest.fixture
def sqlite_single_writer(monkeypatch):
    """The in-memory SQLite test database is shared-cache: a second writer fails at once ("table is
    locked") instead of waiting on the busy timeout as a file database does. Token renewals are
    serialized by our locks, but the health bookkeeping UPDATE is not, so on SQLite it is left out here."""
    if db.vendor == "sqlite":
        from connector.http import ApiSession
        monkeypatch.setattr(ApiSession, "_record_health", lambda self, **kwargs: None)


@pytest.mark.django_db(transaction=True)
def test_threads_of_one_process_make_one_token_request(paychex, slow_token_endpoint, sqlite_single_writer):
    used, errors = run_concurrently(paychex.pk)

    assert errors == []
    assert len(slow_token_endpoint) == 1
    assert set(used) == {"token-1-abcdef"}


@pytest.mark.django_db(transaction=True)
def test_separate_processes_make_one_token_request_through_the_row_lock(paychex, slow_token_endpoint, no_process_lock):
    if db.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database is shared-cache: a locked table fails at once instead of "
                    "waiting, so only PostgreSQL (and file SQLite in production) can show the database lock")
    used, errors = run_concurrently(paychex.pk)

    assert errors == []
    assert len(slow_token_endpoint) == 1
    assert set(used) == {"token-1-abcdef"}
