"""Visma client: neutral employee dicts in, DTOs with wrappers out; paging by totalCount; ETags."""
from __future__ import annotations

import json
from datetime import datetime, timezone as dt_timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from connector.clients.visma import EMPLOYEE_FIELDS, VismaClient
from tests.connector.conftest import VISMA_URL, calls_to, visma_token

EMPLOYEES = f"{VISMA_URL}/v1/employee"
FIELDS = {"employee_cd": "105", "first_name": "Paul", "middle_name": "L", "last_name": "Walker",
          "email": "paul@example.com", "status": "Hold", "department": "SALES", "branch": "1",
          "employee_class": "EMPSTAND", "calendar": "STANDARD"}


def employee_dto(number: str, total: int = 1, status: str = "Active") -> dict:
    return {"employeeId": int(number), "employeeNumber": number, "employeeName": "Paul Walker", "status": status,
            "department": "SALES", "contact": {"firstName": "Paul", "midName": "L", "lastName": "Walker",
                                                "email": "paul@example.com"},
            "lastModifiedDateTime": "2025-02-01T10:11:12.345", "employeeClass": {"id": "EMPSTAND", "description": "Standard"},
            "branch": {"number": "1", "name": "Main"}, "calendarID": "STANDARD", "timeStamp": f"AAAA{number}=",
            "metadata": {"totalCount": total, "maxPageSize": 1000}}


@pytest.fixture
def client(visma, clock, mocked):
    visma_token(mocked)
    return VismaClient(visma, clock=clock)


def test_read_dto_becomes_a_neutral_record_with_onhold_read_as_hold(client, mocked):
    mocked.add(responses.GET, f"{EMPLOYEES}/105", json=employee_dto("105", status="OnHold"), headers={"ETag": '"AAAA105="'})

    record = client.get_employee("105")

    assert set(record.fields) == set(EMPLOYEE_FIELDS)
    assert record.fields == {**FIELDS, "status": "Hold"}
    assert record.etag == "AAAA105="
    assert record.last_modified == datetime(2025, 2, 1, 10, 11, 12, 345000, tzinfo=dt_timezone.utc)


def test_missing_employee_is_none(client, mocked):
    mocked.add(responses.GET, f"{EMPLOYEES}/404", status=404)
    assert client.get_employee("404") is None


def test_create_sends_the_wrapped_dto_and_returns_the_etag(client, mocked):
    mocked.add(responses.POST, EMPLOYEES, status=201, headers={"ETag": '"AAAAnew="', "Location": f"{EMPLOYEES}/105"})

    etag = client.create_employee(FIELDS)

    assert etag == "AAAAnew="
    assert json.loads(calls_to(mocked, "/v1/employee")[0].request.body) == {
        "employeeCd": {"value": "105"},
        "contact": {"firstName": {"value": "Paul"}, "middleName": {"value": "L"}, "lastName": {"value": "Walker"},
                    "email": {"value": "paul@example.com"}},
        "department": {"value": "SALES"}, "branch": {"value": "1"}, "employeeClass": {"value": "EMPSTAND"},
        "calendar": {"value": "STANDARD"}, "status": {"value": "Hold"},
    }


def test_create_without_etag_reads_the_location(client, mocked):
    mocked.add(responses.POST, EMPLOYEES, status=201, headers={"Location": f"{EMPLOYEES}/105"})
    mocked.add(responses.GET, f"{EMPLOYEES}/105", json=employee_dto("105"), headers={"ETag": '"AAAA105="'})

    assert client.create_employee(FIELDS) == "AAAA105="
    assert len(calls_to(mocked, "/v1/employee")) == 2


def test_create_refuses_an_incomplete_employee_before_calling(client, mocked):
    with pytest.raises(ValueError, match="email"):
        client.create_employee({**FIELDS, "email": ""})
    assert calls_to(mocked, "/v1/employee") == []


def test_update_sends_only_the_changes_with_a_quoted_if_match(client, mocked):
    mocked.add(responses.PUT, f"{EMPLOYEES}/105", status=204, headers={"ETag": '"AAAAnext="'})

    etag = client.update_employee("105", {"status": ("Active", "Hold"), "department": "OPS"}, etag="AAAA105=")

    request = calls_to(mocked, "/v1/employee/105")[0].request
    assert request.headers["If-Match"] == '"AAAA105="'
    assert json.loads(request.body) == {"contact": {}, "status": {"value": "Hold"}, "department": {"value": "OPS"}}
    assert etag == "AAAAnext="


def test_update_of_a_name_uses_middle_name_in_the_contact_block(client, mocked):
    mocked.add(responses.PUT, f"{EMPLOYEES}/105", status=204, headers={"ETag": '"x"'})

    client.update_employee("105", {"middle_name": "Lee"})

    assert json.loads(calls_to(mocked, "/v1/employee/105")[0].request.body) == {"contact": {"middleName": {"value": "Lee"}}}
    assert "If-Match" not in calls_to(mocked, "/v1/employee/105")[0].request.headers


def test_update_refuses_unknown_status_and_employee_cd(client, mocked):
    with pytest.raises(ValueError, match="status"):
        client.update_employee("105", {"status": "Suspended"})
    with pytest.raises(ValueError, match="employee_cd"):
        client.update_employee("105", {"employee_cd": "106"})
    assert calls_to(mocked, "/v1/employee") == []


def test_iter_employees_pages_until_total_count(client, mocked):
    total = 5

    def page(request):
        query = parse_qs(urlsplit(request.url).query)
        number, size = int(query["pageNumber"][0]), int(query["pageSize"][0])
        start = (number - 1) * size
        return 200, {}, json.dumps([employee_dto(str(100 + i), total) for i in range(start, min(start + size, total))])

    mocked.add_callback(responses.GET, EMPLOYEES, callback=page)

    records = list(client.iter_employees(page_size=2))

    assert [r.fields["employee_cd"] for r in records] == ["100", "101", "102", "103", "104"]
    assert len(calls_to(mocked, "/v1/employee")) == 3  # 2 + 2 + 1, and 3 × 2 ≥ 5 stops it


def test_iter_employees_stops_on_an_empty_page(client, mocked):
    mocked.add(responses.GET, EMPLOYEES, json=[])
    assert list(client.iter_employees()) == []
    assert len(calls_to(mocked, "/v1/employee")) == 1


def test_modified_since_is_sent_in_visma_format_with_at_or_after(client, mocked):
    mocked.add(responses.GET, EMPLOYEES, json=[])
    oslo_time = datetime(2025, 3, 1, 13, 4, 5, 678900, tzinfo=dt_timezone.utc)

    list(client.iter_employees(modified_since=oslo_time))

    query = parse_qs(urlsplit(calls_to(mocked, "/v1/employee")[0].request.url).query)
    assert query["lastModifiedDateTime"] == ["2025-03-01T13:04:05.678"]
    assert query["lastModifiedDateTimeCondition"] == [">="]
    assert query["pageNumber"] == ["1"]


def test_ipp_company_id_is_sent_only_when_set(client, visma, mocked):
    mocked.add(responses.GET, f"{VISMA_URL}/v1/branch", json=[])
    client.branches()
    visma.company_id = "1234567"
    client.branches()

    first, second = calls_to(mocked, "/v1/branch")
    assert "ipp-company-id" not in first.request.headers
    assert second.request.headers["ipp-company-id"] == "1234567"
    assert first.request.headers["X-Correlation-Id"]


def test_segment_values_are_put_with_plain_value_and_wrapped_description(client, mocked):
    mocked.add(responses.PUT, f"{VISMA_URL}/v1/dimension/SUBACCOUNT/2", status=204)

    client.put_segment_values("SUBACCOUNT", 2, [{"operation": "Insert", "value": "DEV", "description": "Developer", "active": True}])

    assert json.loads(mocked.calls[-1].request.body) == {"segmentValues": [
        {"operation": "Insert", "value": "DEV", "description": {"value": "Developer"}, "active": {"value": True}}]}
