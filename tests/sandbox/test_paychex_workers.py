"""Paychex worker shapes, media-type profiles and status semantics against the spec examples."""

from datetime import date, timedelta

from tests.sandbox.conftest import paychex_sample

V = "application/vnd.paychex.{}.v1+json"


def _first_worker(paychex, paychex_api, accept=None):
    headers = {"Accept": accept} if accept else {}
    response = paychex_api.get(f"{paychex.url}/companies/{paychex.company_id}/workers", headers=headers, timeout=5)
    assert response.status_code == 200
    return response, response.json()["content"][1]


def test_worker_fields_are_those_of_the_spec_example(paychex, paychex_api):
    _, worker = _first_worker(paychex, paychex_api)
    sample = paychex_sample("company-workers-get.json")["content"][0]
    assert set(sample) <= set(worker) | {"supervisor"}
    assert set(worker) <= set(sample) | {"clockId"}
    assert set(worker["name"]) <= set(paychex_sample("worker-get.json")["content"][0]["name"])
    assert set(worker["currentStatus"]) == set(sample["currentStatus"])
    assert set(worker["job"]) == set(sample["job"]) and set(worker["organization"]) == set(sample["organization"])
    assert worker["hireDate"].endswith("T00:00:00Z") and len(worker["hireDate"]) == 20


def test_collection_envelope_and_vendor_content_type(paychex, paychex_api):
    response, _ = _first_worker(paychex, paychex_api)
    body = response.json()
    assert response.headers["Content-Type"] == V.format("workers")
    assert body["metadata"]["contentItemCount"] == len(body["content"]) == 40
    assert body["links"][0]["rel"] == "self"


def test_single_worker_is_a_content_array_of_one(paychex, paychex_api):
    _, listed = _first_worker(paychex, paychex_api)
    response = paychex_api.get(f"{paychex.url}/workers/{listed['workerId']}", timeout=5)
    assert response.headers["Content-Type"] == V.format("worker")
    assert set(response.json()) == set(paychex_sample("worker-get.json"))
    assert response.json()["content"] == [listed]


def test_unknown_worker_gets_404_api_7(paychex, paychex_api):
    response = paychex_api.get(f"{paychex.url}/workers/00NOSUCHWORKER000000", timeout=5)
    assert response.status_code == 404
    assert response.json() == paychex_sample("error-404-api-7.json")


def test_nonpii_profile_drops_the_personal_fields(paychex, paychex_api):
    _, full = _first_worker(paychex, paychex_api)
    _, nonpii = _first_worker(paychex, paychex_api, V.format("workers.nonpii"))
    assert set(full) - set(nonpii) == {"birthDate", "ethnicityCode", "legalId", "sex", "workState"}
    sample_full = paychex_sample("worker-get.json")["content"][0]
    sample_nonpii = paychex_sample("worker-nonpii-get.json")["content"][0]
    assert set(sample_full) - set(sample_nonpii) == set(full) - set(nonpii)


def test_communications_profile_adds_the_business_email(paychex, paychex_api):
    response, worker = _first_worker(paychex, paychex_api, V.format("workers.nonpii_communications"))
    assert response.headers["Content-Type"] == V.format("workers.nonpii_communications")
    emails = [c for c in worker["communications"] if c["type"] == "EMAIL"]
    assert emails and emails[0]["usageType"] == "BUSINESS" and "@" in emails[0]["uri"]
    sample = paychex_sample("company-workers-communications-get.json")["content"][0]["communications"]
    sample_email = next(c for c in sample if c["type"] == "EMAIL")
    assert set(emails[0]) == set(sample_email)


def test_roster_profile_has_no_worker_id(paychex, paychex_api):
    _, worker = _first_worker(paychex, paychex_api, V.format("workers.roster"))
    assert set(worker) == set(paychex_sample("company-workers-roster-get.json")["content"][0])


def test_unknown_vendor_type_gets_406_api_75(paychex, paychex_api):
    response = paychex_api.get(f"{paychex.url}/companies/{paychex.company_id}/workers",
                               headers={"Accept": V.format("worker")}, timeout=5)
    assert response.status_code == 406
    assert response.json() == paychex_sample("error-406-api-75.json")


def test_future_termination_shows_in_history_but_not_in_current_status(paychex, paychex_api):
    worker = paychex.hire("Åse", "Ødegård-Lindqvist", hire_date=date.today() - timedelta(days=30))
    leave_day = date.today() + timedelta(days=14)
    paychex.terminate(worker["workerId"], effective_date=leave_day, reason="RESIGNED")
    current = paychex_api.get(f"{paychex.url}/workers/{worker['workerId']}", timeout=5).json()["content"][0]
    assert current["currentStatus"]["statusType"] == "ACTIVE"
    history = paychex_api.get(f"{paychex.url}/workers/{worker['workerId']}/status", timeout=5).json()["content"]
    assert [h["statusType"] for h in history] == ["TERMINATED", "ACTIVE"]  # newest first
    assert set(history[0]) == set(paychex_sample("worker-statuses-get.json")["content"][0])
    paychex.today = leave_day
    current = paychex_api.get(f"{paychex.url}/workers/{worker['workerId']}", timeout=5).json()["content"][0]
    assert current["currentStatus"]["statusType"] == "TERMINATED"
    assert current["currentStatus"]["effectiveDate"] == f"{leave_day.isoformat()}T00:00:00Z"


def test_scripted_changes_show_in_the_api(paychex, paychex_api):
    worker = paychex.hire("Øystein", "Bækkelund")
    orgs = paychex.organizations()
    paychex.transfer(worker["workerId"], organization_id=orgs[-1]["organizationId"])
    paychex.rename(worker["workerId"], family_name="Østby")
    paychex.set_status(worker["workerId"], "INACTIVE", "MEDICAL_LEAVE", date.today())
    fetched = paychex_api.get(f"{paychex.url}/workers/{worker['workerId']}", timeout=5).json()["content"][0]
    assert fetched["organization"]["name"] == orgs[-1]["name"]
    assert fetched["name"]["familyName"] == "Østby"
    assert fetched["currentStatus"]["statusType"] == "INACTIVE"
    assert fetched == {k: v for k, v in paychex.worker(worker["workerId"]).items() if k != "communications"}


def test_reference_data_has_the_spec_shapes(paychex, paychex_api):
    base = f"{paychex.url}/companies/{paychex.company_id}"
    orgs = paychex_api.get(base + "/organizations", timeout=5).json()
    assert set(orgs["content"][0]) == set(paychex_sample("company-organizations-get.json")["content"][0])
    titles = paychex_api.get(base + "/jobtitles", timeout=5).json()
    assert set(titles["content"][0]) == set(paychex_sample("company-jobtitles-get.json")["content"][0])
    locations = paychex_api.get(base + "/locations", timeout=5).json()
    assert set(locations["content"][0]) == set(paychex_sample("company-locations-get.json")["content"][0])
    assert [loc["name"] for loc in locations["content"]][:2] == ["Oslo HQ", "Plant Gjøvik"]
    one = paychex_api.get(f"{base}/organizations/{orgs['content'][0]['organizationId']}", timeout=5).json()
    assert one["content"] == [orgs["content"][0]]
    company = paychex_api.get(base, timeout=5).json()
    assert set(company["content"][0]) == set(paychex_sample("company-get.json")["content"][0])
