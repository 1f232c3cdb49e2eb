"""The seeded company: deterministic, Nordic, varied, and cheap at 100,000 workers."""

import time
from collections import Counter

import requests

from sandbox import PaychexSandbox
from sandbox.seed import SeedCompany


def test_the_same_seed_gives_the_same_company():
    first, second = PaychexSandbox(workers=30, seed=5), PaychexSandbox(workers=30, seed=5)
    assert first.workers() == second.workers() and first.company_id == second.company_id
    assert PaychexSandbox(workers=30, seed=6).workers() != first.workers()


def test_workers_have_nordic_names_and_folded_ascii_emails():
    workers = PaychexSandbox(workers=400, seed=1).workers()
    names = " ".join(w["name"]["givenName"] + " " + w["name"]["familyName"] for w in workers)
    for letter in "ØÅÄÖÆ-":
        assert letter in names.upper()
    emails = [c["uri"] for w in workers for c in w["communications"] if c["type"] == "EMAIL"]
    assert all(e.isascii() and e.endswith("@nordvik-industri.no") for e in emails)
    assert 0 < 400 - len(emails) < 40  # a few workers have no e-mail
    assert max(len(w["name"]["familyName"]) for w in workers) > 20


def test_workers_cover_every_status_and_contractors():
    workers = PaychexSandbox(workers=400, seed=1).workers()
    statuses = Counter(w["currentStatus"]["statusType"] for w in workers)
    assert {"ACTIVE", "TERMINATED", "INACTIVE", "PENDING"} <= set(statuses)
    assert statuses["ACTIVE"] > 300
    assert any(w["workerType"] == "CONTRACTOR" for w in workers)
    assert [w["employeeId"] for w in workers[:3]] == ["1001", "1002", "1003"]


def test_reference_data_is_a_nordic_manufacturer():
    px = PaychexSandbox(workers=0)
    assert [loc["name"] for loc in px.locations()] == ["Oslo HQ", "Plant Gjøvik", "Plant Västerås", "Plant Århus"]
    assert len(px.organizations()) >= 12 and len(px.job_titles()) >= 20
    assert px.workers() == []


def test_a_hundred_thousand_workers_are_generated_lazily():
    started = time.monotonic()
    with PaychexSandbox(workers=100_000, seed=2) as px:
        token = requests.post(px.token_url, data={"grant_type": "client_credentials", "client_id": px.client_id,
                                                  "client_secret": px.client_secret}, timeout=5).json()["access_token"]
        page = requests.get(f"{px.url}/companies/{px.company_id}/workers", params={"offset": 99_950, "limit": 100},
                            headers={"Authorization": f"Bearer {token}"}, timeout=5).json()
    assert len(page["content"]) == 50 and page["metadata"]["pagination"]["total"] == 100_000
    assert time.monotonic() - started < 3


def test_ten_thousand_workers_generate_quickly():
    company = SeedCompany(seed=3, workers=10_000)
    started = time.monotonic()
    ids = {company.worker(i).worker_id for i in range(10_000)}
    assert len(ids) == 10_000 and time.monotonic() - started < 2
    assert all(company.index_of(company.worker_id(i)) == i for i in (0, 1, 9_999))
