"""Paychex /management/hooks CRUD and /management/domains, against the spec examples."""

from tests.sandbox.conftest import paychex_sample


def _register(paychex, paychex_api, **changes):
    body = paychex_sample("webhook-register-request-basic-auth.json")
    body.pop("hookId")
    body.update(companyId=paychex.company_id, uri="http://127.0.0.1:9/hook", **changes)
    return paychex_api.post(paychex.url + "/management/hooks", json=body, timeout=5)


def test_registering_a_hook_returns_201_with_the_spec_shape(paychex, paychex_api):
    response = _register(paychex, paychex_api)
    assert response.status_code == 201
    assert set(response.json()) == set(paychex_sample("webhook-register-response-201.json"))
    assert response.json()["authType"] == "BASIC_AUTH" and "authentication" not in response.json()


def test_hooks_can_be_listed_read_and_deleted(paychex, paychex_api):
    hook_id = _register(paychex, paychex_api).json()["hookId"]
    listed = paychex_api.get(paychex.url + "/management/hooks", timeout=5).json()
    assert isinstance(listed, list) and [h["hookId"] for h in listed] == [hook_id]
    assert set(listed[0]) == set(paychex_sample("webhooks-list-response.json")[0])
    assert paychex_api.get(f"{paychex.url}/management/hooks/{hook_id}", timeout=5).json() == listed[0]
    assert paychex_api.delete(f"{paychex.url}/management/hooks/{hook_id}", timeout=5).status_code == 204
    assert paychex_api.get(f"{paychex.url}/management/hooks/{hook_id}", timeout=5).status_code == 404
    assert paychex_api.get(paychex.url + "/management/hooks", timeout=5).json() == []


def test_a_hook_without_a_required_field_gets_400_api_22(paychex, paychex_api):
    for body in ({"domains": ["WRKR_DEM"], "authentication": {"authType": "NO_AUTH"}},
                 {"uri": "http://127.0.0.1:9/", "authentication": {"authType": "NO_AUTH"}},
                 {"uri": "http://127.0.0.1:9/", "domains": ["WRKR_DEM"], "authentication": {"authType": "BASIC_AUTH"}}):
        response = paychex_api.post(paychex.url + "/management/hooks", json=body, timeout=5)
        assert response.status_code == 400
        assert response.json() == paychex_sample("error-400-api-22.json")


def test_domains_are_a_flat_array(paychex, paychex_api):
    domains = paychex_api.get(paychex.url + "/management/domains", timeout=5).json()
    assert domains == paychex_sample("webhook-domains-partner.json")[0]
