"""Paychex offset/limit paging: metadata, next/previous links, caps, and no paging with filters."""

from tests.sandbox.conftest import paychex_sample


def _workers_url(px):
    return f"{px.url}/companies/{px.company_id}/workers"


def test_following_next_links_reads_every_worker_once_and_stops(paychex, paychex_api):
    url, seen, pages = _workers_url(paychex) + "?offset=0&limit=15", [], 0
    while url:
        body = paychex_api.get(url, timeout=5).json()
        seen += [w["workerId"] for w in body["content"]]
        links = {link["rel"]: link["href"] for link in body["links"]}
        assert ("previous" in links) == (pages > 0)
        url, pages = links.get("next"), pages + 1
    assert pages == 3 and len(seen) == len(set(seen)) == 40


def test_page_metadata_matches_the_third_party_fixture_shape(paychex, paychex_api):
    response = paychex_api.get(_workers_url(paychex), params={"offset": 15, "limit": 15}, timeout=5)
    metadata = response.json()["metadata"]
    fixture = paychex_sample("thirdparty-fixture-workers-page-helloworld1812.json")["metadata"]
    assert set(metadata) == set(fixture) and set(metadata["pagination"]) == set(fixture["pagination"])
    assert metadata["pagination"] == {"offset": 15, "limit": 15, "itemCount": 40, "total": 40}
    assert metadata["contentItemCount"] == 15
    assert response.headers["ETag"]
    links = {link["rel"]: link["href"] for link in response.json()["links"]}
    assert links["next"].startswith("http://127.0.0.1") and "offset=30" in links["next"]
    assert "offset=0" in links["previous"]


def test_limit_is_capped_by_page_cap(paychex, paychex_api):
    paychex.faults.page_cap = 10
    body = paychex_api.get(_workers_url(paychex), params={"offset": 0, "limit": 500}, timeout=5).json()
    assert body["metadata"]["pagination"]["limit"] == 10 and len(body["content"]) == 10


def test_no_paging_parameters_returns_the_full_list(paychex, paychex_api):
    paychex.faults.page_cap = 10
    body = paychex_api.get(_workers_url(paychex), timeout=5).json()
    assert len(body["content"]) == 40 and "pagination" not in body["metadata"]


def test_paging_combined_with_a_filter_gets_400_api_40(paychex, paychex_api):
    response = paychex_api.get(_workers_url(paychex), params={"offset": 0, "limit": 5, "employeeid": "1001"}, timeout=5)
    assert response.status_code == 400
    assert response.json() == paychex_sample("error-400-api-40.json")


def test_employee_id_filter_finds_one_worker(paychex, paychex_api):
    body = paychex_api.get(_workers_url(paychex), params={"employeeid": "1005"}, timeout=5).json()
    assert [w["employeeId"] for w in body["content"]] == ["1005"]
    missing = paychex_api.get(_workers_url(paychex), params={"employeeid": "999999"}, timeout=5)
    assert missing.status_code == 404
