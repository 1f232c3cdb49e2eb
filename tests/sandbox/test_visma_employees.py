"""Visma employees: read DTO, create, update, ETag/If-Match, wrappers, filters and paging."""

import pytest
import requests

from sandbox import PaychexSandbox, VismaSandbox
from tests.sandbox.conftest import visma_schema, visma_token


def _create_body(cd="E1001", **overrides):
    body = {"employeeCd": {"value": cd}, "department": {"value": "PROD1"}, "employeeClass": {"value": "EMPSTAND"},
            "branch": {"value": "2"}, "calendar": {"value": "STANDARD"},
            "contact": {"firstName": {"value": "Åse"}, "middleName": {"value": "K"}, "lastName": {"value": "Ødegård"},
                        "email": {"value": "ase.odegard@nordvik-industri.no"}},
            "status": {"value": "Active"}}
    body.update(overrides)
    return body


def _create(visma, visma_api, **overrides):
    return visma_api.post(visma.url + "/v1/employee", json=_create_body(**overrides), timeout=5)


def test_create_answers_201_with_location_and_etag_and_no_body(visma, visma_api):
    response = _create(visma, visma_api)
    assert response.status_code == 201 and response.content == b""
    assert response.headers["Location"] == visma.url + "/v1/employee/E1001"
    fetched = visma_api.get(response.headers["Location"], timeout=5)
    assert fetched.headers["ETag"] == response.headers["ETag"] == f'"{fetched.json()["timeStamp"]}"'


def test_read_dto_uses_the_openapi_field_names(visma, visma_api):
    _create(visma, visma_api)
    employee = visma_api.get(visma.url + "/v1/employee/E1001", timeout=5).json()
    schema = visma_schema("EmployeeDto")["properties"]
    assert set(employee) <= set(schema)
    assert set(employee["contact"]) <= set(visma_schema("contactInEmployeeDto")["properties"])
    assert employee["employeeNumber"] == "E1001" and isinstance(employee["employeeId"], int)
    assert employee["contact"]["midName"] == "K" and employee["branch"] == {"number": "2", "name": "Plant Gjøvik"}
    assert employee["employeeClass"]["id"] == "EMPSTAND" and employee["calendarID"] == "STANDARD"


@pytest.mark.parametrize("missing", ["employeeCd", "department", "employeeClass", "branch", "calendar"])
def test_create_without_a_required_field_names_it(visma, visma_api, missing):
    body = _create_body()
    del body[missing]
    response = visma_api.post(visma.url + "/v1/employee", json=body, timeout=5)
    assert response.status_code == 400
    assert response.json()["ExceptionType"] == "IPPException" and missing in response.json()["ExceptionMessage"]


def test_create_without_an_email_is_refused(visma, visma_api):
    body = _create_body()
    del body["contact"]["email"]
    response = visma_api.post(visma.url + "/v1/employee", json=body, timeout=5)
    assert response.status_code == 400 and "contact.email" in response.json()["ExceptionMessage"]


def test_error_body_is_the_ippexception_envelope(visma, visma_api):
    body = _create(visma, visma_api, department={"value": "NOPE"}).json()
    assert set(body) == {"ExceptionType", "ExceptionMessage", "ExceptionFaultCode", "ExceptionMessageID", "ExceptionDetails"}
    assert "NOPE" in body["ExceptionMessage"]
    assert _create(visma, visma_api, branch={"value": "99"}).status_code == 400


def test_duplicate_employee_cd_is_refused(visma, visma_api):
    assert _create(visma, visma_api).status_code == 201
    assert _create(visma, visma_api).status_code == 400


def test_an_unwrapped_scalar_is_a_400(visma, visma_api):
    assert _create(visma, visma_api, department="PROD1").status_code == 400
    _create(visma, visma_api)
    response = visma_api.put(visma.url + "/v1/employee/E1001", json={"contact": {"lastName": "Østby"}}, timeout=5)
    assert response.status_code == 400


def test_update_changes_only_what_is_sent_and_returns_a_new_etag(visma, visma_api):
    etag = _create(visma, visma_api).headers["ETag"]
    response = visma_api.put(visma.url + "/v1/employee/E1001", headers={"If-Match": etag},
                             json={"contact": {"lastName": {"value": "Østby"}}, "status": {"value": "Hold"}}, timeout=5)
    assert response.status_code == 204 and response.headers["ETag"] != etag
    employee = visma.employee("E1001")
    assert employee["contact"]["lastName"] == "Østby" and employee["contact"]["firstName"] == "Åse"
    assert employee["status"] == "OnHold" and employee["department"] == "PROD1"
    assert response.headers["ETag"] == f'"{employee["timeStamp"]}"'


def test_stale_if_match_gets_412_and_changes_nothing(visma, visma_api):
    stale = _create(visma, visma_api).headers["ETag"]
    visma.edit_employee("E1001", lastName="Hansen")
    response = visma_api.put(visma.url + "/v1/employee/E1001", headers={"If-Match": stale},
                             json={"contact": {"lastName": {"value": "Østby"}}}, timeout=5)
    assert response.status_code == 412 and response.content == b""
    assert visma.employee("E1001")["contact"]["lastName"] == "Hansen"


def test_update_needs_contact_and_a_write_status(visma, visma_api):
    _create(visma, visma_api)
    url = visma.url + "/v1/employee/E1001"
    assert visma_api.put(url, json={"status": {"value": "Active"}}, timeout=5).status_code == 400
    assert visma_api.put(url, json={"contact": {}, "status": {"value": "OnHold"}}, timeout=5).status_code == 400


def test_unknown_employee_gets_404(visma, visma_api):
    response = visma_api.put(visma.url + "/v1/employee/NOPE", json={"contact": {}}, timeout=5)
    assert response.status_code == 404 and response.json()["ExceptionType"] == "IPPException"


def test_manual_edit_bumps_timestamp_and_last_modified(visma, visma_api):
    _create(visma, visma_api)
    before = visma.employee("E1001")
    after = visma.edit_employee("E1001", department="IT", status="OnHold")
    assert after["timeStamp"] != before["timeStamp"]
    assert after["lastModifiedDateTime"] >= before["lastModifiedDateTime"] and after["department"] == "IT"


@pytest.fixture
def populated():
    with VismaSandbox(seed=7, employees_from=PaychexSandbox(workers=60, seed=7)) as vs:
        vs.faults.max_page_size = 20
        yield vs


def test_list_pages_carry_metadata_on_every_item(populated):
    headers = {"Authorization": f"Bearer {visma_token(populated).json()['access_token']}"}
    total = len(populated.employees())
    page = requests.get(populated.url + "/v1/employee", params={"pageNumber": 1, "pageSize": 500},
                        headers=headers, timeout=5).json()
    assert len(page) == 20  # limited to maxPageSize
    assert {tuple(e["metadata"].items()) for e in page} == {(("totalCount", total), ("maxPageSize", 20))}
    numbers, page_number = [], 1
    while chunk := requests.get(populated.url + "/v1/employee", params={"pageNumber": page_number, "pageSize": 20},
                                headers=headers, timeout=5).json():
        numbers += [e["employeeNumber"] for e in chunk]
        page_number += 1
    assert len(numbers) == len(set(numbers)) == total > 30


def test_last_modified_filter_returns_only_newer_employees(visma, visma_api):
    _create(visma, visma_api, employeeCd={"value": "E1"})
    _create(visma, visma_api, employeeCd={"value": "E2"})
    cutoff = visma.employee("E2")["lastModifiedDateTime"]
    visma.edit_employee("E1", email="e1@nordvik-industri.no")
    for value in (cutoff, cutoff.replace("T", " "), cutoff[:19]):
        found = visma_api.get(visma.url + "/v1/employee", timeout=5,
                              params={"lastModifiedDateTime": value, "lastModifiedDateTimeCondition": ">="}).json()
        assert "E1" in [e["employeeNumber"] for e in found]
    later = visma.employee("E1")["lastModifiedDateTime"]
    found = visma_api.get(visma.url + "/v1/employee", timeout=5,
                          params={"lastModifiedDateTime": later, "lastModifiedDateTimeCondition": ">"}).json()
    assert found == []


def test_last_modified_needs_its_condition(visma, visma_api):
    response = visma_api.get(visma.url + "/v1/employee", params={"lastModifiedDateTime": "2025-01-01"}, timeout=5)
    assert response.status_code == 400 and response.json()["ExceptionType"] == "IPPException"
    bad = visma_api.get(visma.url + "/v1/employee", timeout=5,
                        params={"lastModifiedDateTime": "01/02/2025", "lastModifiedDateTimeCondition": ">"})
    assert bad.status_code == 400


def test_employees_from_paychex_mostly_match_with_some_drift(populated):
    employees = {e["employeeNumber"]: e for e in populated.employees()}
    px = PaychexSandbox(workers=60, seed=7)
    workers = {w["employeeId"]: w for w in px.workers()}
    assert 0 < len(employees) < len(workers)
    same = [cd for cd, e in employees.items() if e["contact"]["lastName"] == workers[cd]["name"]["familyName"]]
    assert len(employees) - 5 < len(same) < len(employees)
