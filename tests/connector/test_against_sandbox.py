"""The connector against the local simulators (real HTTP, real time): token renewal, paging, 412, 429."""
from __future__ import annotations

import time

import pytest

from connector import http
from connector.clients.paychex import PaychexClient
from connector.clients.visma import VismaClient
from connector.clock import SystemClock
from connector.errors import PreconditionFailed
from connector.models import Connection

sandbox = pytest.importorskip("sandbox")


class RecordingClock(SystemClock):
    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        super().sleep(seconds)


@pytest.fixture
def px():
    server = sandbox.PaychexSandbox(workers=1000)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def vs():
    server = sandbox.VismaSandbox()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def paychex_sandbox_connection(px, db):
    connection = Connection(name="px-sandbox", system="paychex", base_url=px.url, token_url=px.token_url,
                            client_id=px.client_id, company_id=px.company_id)
    connection.set_client_secret(px.client_secret)
    connection.save()
    return connection


@pytest.fixture
def visma_sandbox_connection(vs, db):
    connection = Connection(name="vs-sandbox", system="visma", base_url=vs.url, token_url=vs.token_url,
                            client_id=vs.client_id, tenant_id=vs.tenant_id)
    connection.set_client_secret(vs.client_secret)
    connection.save()
    return connection


@pytest.mark.slow
def test_tokens_renew_across_a_two_second_lifetime_without_a_401(px, paychex_sandbox_connection):
    px.faults.token_lifetime = 2.0
    client = PaychexClient(paychex_sandbox_connection)

    deadline = time.monotonic() + 3.5
    while time.monotonic() < deadline:
        client.company()
        time.sleep(0.1)

    statuses = [entry["status"] for entry in px.requests if entry["path"].startswith("/companies")]
    token_requests = [entry for entry in px.requests if entry["path"].endswith("/token")]
    assert 401 not in statuses and len(statuses) >= 20
    assert len(token_requests) >= 3


def test_paging_reads_all_1000_workers(px, paychex_sandbox_connection):
    workers = list(PaychexClient(paychex_sandbox_connection).iter_workers(page_size=100))

    assert len(workers) == 1000 and len({w["workerId"] for w in workers}) == 1000
    pages = [e for e in px.requests if e["path"].endswith("/workers")]
    assert len(pages) == 10


def test_a_stale_etag_raises_precondition_failed_and_a_reread_recovers(vs, visma_sandbox_connection):
    client = VismaClient(visma_sandbox_connection)
    branch = vs.branches()[0]["number"]
    fields = {"employee_cd": "S100", "first_name": "Ada", "middle_name": None, "last_name": "Lovelace",
              "email": "ada@example.com", "status": "Active", "department": "ADMIN", "branch": branch,
              "employee_class": "EMPSTAND", "calendar": "STANDARD"}
    etag = client.create_employee(fields)
    vs.edit_employee("S100", lastName="Byron")  # someone edits in Visma meanwhile

    with pytest.raises(PreconditionFailed):
        client.update_employee("S100", {"status": "Hold"}, etag=etag)
    current = client.get_employee("S100")
    new_etag = client.update_employee("S100", {"status": "Hold"}, etag=current.etag)

    assert current.etag != etag and new_etag != current.etag
    assert client.get_employee("S100").fields["status"] == "Hold"
    assert client.get_employee("S100").fields["last_name"] == "Byron"


@pytest.mark.slow
def test_429_waits_for_retry_after_and_then_succeeds(vs, visma_sandbox_connection):
    vs.faults.rate_limit, vs.faults.rate_window_seconds = 2, 1.0
    clock = RecordingClock()
    client = VismaClient(visma_sandbox_connection, clock=clock)
    client.branches()
    client.branches()
    http.reset_process_state()  # another process: it has not seen the X-RateLimit headers

    assert client.branches()

    assert 429 in [e["status"] for e in vs.requests]
    assert clock.sleeps and 0 < clock.sleeps[0] <= 1.0
