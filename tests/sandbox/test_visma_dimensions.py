"""Visma dimensions, segment values (PUT operations), departments and branches."""

import base64

from sandbox import PaychexSandbox
from tests.sandbox.conftest import visma_schema


def _b64(text):
    return base64.b64encode(text.encode()).decode()


def test_dimension_list_and_subaccount_segments(visma, visma_api):
    assert "SUBACCOUNT" in visma_api.get(visma.url + "/v1/dimension", timeout=5).json()
    dimension = visma_api.get(visma.url + "/v1/dimension/SUBACCOUNT", timeout=5).json()
    assert set(dimension) <= set(visma_schema("DtoDimension")["properties"])
    assert [(s["segmentId"], s["description"]) for s in dimension["segments"]] == [(1, "Kostnadssted"), (2, "Stilling")]
    assert set(dimension["segments"][0]) <= set(visma_schema("DtoSegment")["properties"])
    bare = visma_api.get(visma.url + "/v1/dimension/SUBACCOUNT", params={"expandSegmentsValues": "false"}, timeout=5)
    assert "segmentValues" not in bare.json()["segments"][0]


def test_segment_values_mostly_match_paychex_names(visma):
    px = PaychexSandbox(workers=0)
    cost_centers = {v["valueId"]: v["description"] for v in visma.segment("SUBACCOUNT", 1)["segmentValues"]}
    organizations = {o["number"]: o["name"] for o in px.organizations()}
    exact = [n for n, name in organizations.items() if cost_centers.get(n) == name]
    assert len(organizations) - 4 <= len(exact) < len(organizations)
    titles = {v["description"].casefold() for v in visma.segment("SUBACCOUNT", 2)["segmentValues"]}
    assert sum(t["title"].casefold() in titles for t in px.job_titles()) >= len(px.job_titles()) - 3


def test_segment_value_is_read_by_its_base64_id(visma, visma_api):
    response = visma_api.get(visma.url + "/v1/dimension/SUBACCOUNT/1/" + _b64("1100"), timeout=5)
    assert response.status_code == 200 and response.json()["valueId"] == "1100"
    assert set(response.json()) <= set(visma_schema("DtoSegmentValue")["properties"])
    assert visma_api.get(visma.url + "/v1/dimension/SUBACCOUNT/1/" + _b64("7777"), timeout=5).status_code == 404


def test_segment_put_inserts_updates_and_deletes_values(visma, visma_api):
    url = visma.url + "/v1/dimension/SUBACCOUNT/1"
    etag = visma_api.get(url, timeout=5).headers["ETag"]
    body = {"segmentValues": [
        {"operation": "Insert", "value": "7100", "description": {"value": "Vedlikehold"}, "active": {"value": True}},
        {"operation": "Update", "value": "1200", "description": {"value": "Produksjon Linje 2"}},
        {"operation": "Delete", "value": "0000"}]}
    response = visma_api.put(url, json=body, headers={"If-Match": etag}, timeout=5)
    assert response.status_code == 204 and response.headers["ETag"] != etag
    values = {v["valueId"]: v for v in visma.segment("SUBACCOUNT", 1)["segmentValues"]}
    assert values["7100"]["description"] == "Vedlikehold" and values["1200"]["description"] == "Produksjon Linje 2"
    assert "0000" not in values
    assert visma_api.put(url, json=body, headers={"If-Match": etag}, timeout=5).status_code == 412


def test_segment_put_refuses_bad_operations_and_changes_nothing(visma, visma_api):
    url = visma.url + "/v1/dimension/SUBACCOUNT/1"
    before = visma.segment("SUBACCOUNT", 1)
    for bad in ({"operation": "Insert", "value": "1100", "description": {"value": "dup"}},
                {"operation": "Update", "value": "4444", "description": {"value": "missing"}},
                {"operation": "Insert", "value": {"value": "5555"}},
                {"operation": "Insert", "value": "5555", "description": "not wrapped"}):
        response = visma_api.put(url, json={"segmentValues": [{"operation": "Insert", "value": "6666"}, bad]}, timeout=5)
        assert response.status_code == 400 and response.json()["ExceptionType"] == "IPPException"
    assert visma.segment("SUBACCOUNT", 1) == before


def test_dimension_filter_applies_to_segment_values(visma, visma_api):
    edited = visma.edit_segment_value("SUBACCOUNT", 2, "OPR", description="Operatør (skift)")
    params = {"lastModifiedDateTime": edited["lastModified"], "lastModifiedDateTimeCondition": ">="}
    dimension = visma_api.get(visma.url + "/v1/dimension/SUBACCOUNT", params=params, timeout=5).json()
    assert [v["valueId"] for s in dimension["segments"] for v in s["segmentValues"]] == ["OPR"]


def test_departments_support_create_update_and_if_match(visma, visma_api):
    created = visma_api.post(visma.url + "/v1/department", json={"departmentId": "INNKJOP", "description": {"value": "Innkjøp"}}, timeout=5)
    assert created.status_code == 201 and created.headers["ETag"]
    url = visma.url + "/v1/department/INNKJOP"
    fetched = visma_api.get(url, timeout=5)
    assert set(fetched.json()) <= set(visma_schema("DepartmentDto")["properties"])
    updated = visma_api.put(url, json={"description": {"value": "Innkjøp & Logistikk"}},
                            headers={"If-Match": fetched.headers["ETag"]}, timeout=5)
    assert updated.status_code == 204
    stale = visma_api.put(url, json={"description": {"value": "x"}}, headers={"If-Match": fetched.headers["ETag"]}, timeout=5)
    assert stale.status_code == 412
    assert visma_api.post(visma.url + "/v1/department", json={"departmentId": "INNKJOP"}, timeout=5).status_code == 400
    descriptions = {d["description"] for d in visma_api.get(visma.url + "/v1/department", timeout=5).json()}
    assert {"Innkjøp & Logistikk", "Produksjon linje 1", "Maskinering  CNC"} <= descriptions


def test_branches_match_the_paychex_locations(visma, visma_api):
    branches = visma_api.get(visma.url + "/v1/branch", timeout=5).json()
    assert [(b["number"], b["name"]) for b in branches] == [
        ("1", "Oslo HQ"), ("2", "Plant Gjøvik"), ("3", "Plant Västerås"), ("4", "Plant Århus")]
