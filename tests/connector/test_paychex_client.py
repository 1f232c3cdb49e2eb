"""Paychex client: offset/limit paging over `next` links, non-PII media types, correlation ids."""
from __future__ import annotations

import copy
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from connector.clients.paychex import WORKER_MEDIA_TYPE, WORKERS_MEDIA_TYPE, PaychexClient
from connector.errors import ApiError
from tests.connector.conftest import COMPANY_ID, PAYCHEX_URL, calls_to, paychex_token
from tests.specs import load

WORKERS_URL = f"{PAYCHEX_URL}/companies/{COMPANY_ID}/workers"


@pytest.fixture
def client(paychex, clock, mocked):
    paychex_token(mocked)
    return PaychexClient(paychex, clock=clock)


def workers_page(offset: int, limit: int, total: int, next_href: str | None) -> dict:
    worker = load("paychex", "company-workers-get.json")["content"][0]
    content = []
    for index in range(offset, min(offset + limit, total)):
        item = copy.deepcopy(worker)
        item["workerId"], item["employeeId"] = f"W{index:03d}", str(index)
        content.append(item)
    links = [{"rel": "self", "href": f"{WORKERS_URL}?offset={offset}&limit={limit}"}]
    if next_href:
        links.append({"rel": "next", "href": next_href})
    return {"metadata": {"contentItemCount": len(content),
                         "pagination": {"offset": offset, "limit": limit, "itemCount": total, "total": total}},
            "content": content, "links": links}


def paged_server(mocked, total: int, link_host: str = "https://api.paychex.com") -> None:
    def callback(request):
        query = parse_qs(urlsplit(request.url).query)
        offset, limit = int(query["offset"][0]), int(query["limit"][0])
        nxt = f"{link_host}/companies/{COMPANY_ID}/workers?offset={offset + limit}&limit={limit}" if offset + limit < total else None
        import json
        return 200, {"ETag": f'"snap-{offset}"'}, json.dumps(workers_page(offset, limit, total, nxt))

    mocked.add_callback(responses.GET, WORKERS_URL, callback=callback)


def test_iter_workers_reads_every_page_and_stops_without_next(client, mocked):
    paged_server(mocked, total=7)

    workers = list(client.iter_workers(page_size=3))

    assert [w["workerId"] for w in workers] == [f"W{i:03d}" for i in range(7)]
    assert len(calls_to(mocked, "/workers")) == 3


def test_next_links_on_another_host_stay_on_the_connection_host(client, mocked):
    paged_server(mocked, total=4, link_host="https://elsewhere.example")

    list(client.iter_workers(page_size=2))

    hosts = {urlsplit(c.request.url).netloc for c in calls_to(mocked, "/workers")}
    assert hosts == {urlsplit(PAYCHEX_URL).netloc}


def test_worker_pages_carry_the_total_and_echo_the_paging_etag(client, mocked):
    paged_server(mocked, total=5)

    pages = list(client.iter_worker_pages(page_size=2))

    assert [p.total for p in pages] == [5, 5, 5] and [len(p.workers) for p in pages] == [2, 2, 1]
    requests_sent = calls_to(mocked, "/workers")
    assert "ETag" not in requests_sent[0].request.headers
    assert requests_sent[1].request.headers["ETag"] == '"snap-0"'


def test_a_next_link_that_does_not_advance_raises_instead_of_looping(client, mocked):
    stuck = f"{WORKERS_URL}?offset=2&limit=2"
    mocked.add(responses.GET, WORKERS_URL, json=workers_page(0, 2, 10, stuck))
    mocked.add(responses.GET, WORKERS_URL, json=workers_page(2, 2, 10, stuck))  # next points at itself

    with pytest.raises(ApiError) as caught:
        list(client.iter_workers(page_size=2))

    assert caught.value.code == "paging" and caught.value.permanent
    assert len(calls_to(mocked, "/workers")) == 2


def test_worker_reads_ask_for_the_non_pii_communications_profile(client, mocked):
    mocked.add(responses.GET, f"{PAYCHEX_URL}/workers/00H2A1IUKAESBXZN4PYS", json=load("paychex", "worker-get.json"))
    paged_server(mocked, total=1)

    worker = client.worker("00H2A1IUKAESBXZN4PYS")
    list(client.iter_workers())

    assert worker["workerId"] == "00H2A1IUKAESBXZN4PYS"
    single, collection = calls_to(mocked, "/workers")
    assert single.request.headers["Accept"] == WORKER_MEDIA_TYPE == "application/vnd.paychex.worker.nonpii_communications.v1+json"
    assert collection.request.headers["Accept"] == WORKERS_MEDIA_TYPE == "application/vnd.paychex.workers.nonpii_communications.v1+json"


def test_every_call_carries_a_fresh_paychex_correlation_id(client, mocked):
    mocked.add(responses.GET, f"{PAYCHEX_URL}/companies", json=load("paychex", "companies-get.json"))

    client.companies()
    client.companies()

    ids = [c.request.headers["X-payx-client-correlationId"] for c in calls_to(mocked, "/companies")]
    assert len(set(ids)) == 2


def test_register_hook_sends_basic_auth_credentials_for_our_receiver(client, mocked):
    mocked.add(responses.POST, f"{PAYCHEX_URL}/management/hooks", status=201, json=load("paychex", "webhook-register-response-201.json"))

    hook = client.register_hook("https://us.test/webhooks/paychex/", ["WRKR_ADD"], username="px", password="pw-123456")

    import json
    sent = json.loads(calls_to(mocked, "/management/hooks")[0].request.body)
    assert sent["authentication"] == {"authType": "BASIC_AUTH", "username": "px", "password": "pw-123456"}
    assert hook["hookId"]
