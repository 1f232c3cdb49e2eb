"""Paychex webhook delivery: thin payloads, Basic auth, retry until 2xx, drop/duplicate/reorder knobs."""

import base64
import time

from tests.sandbox.conftest import paychex_sample

WORKER_DOMAINS = ["WRKR_ADD", "WRKR_EMPL", "WRKR_DEM", "WRKR_ASGN"]


def _hook(paychex, paychex_api, receiver, domains=WORKER_DOMAINS, auth=None):
    auth = auth or {"authType": "BASIC_AUTH", "username": "paychex", "password": "s3cret"}
    body = {"uri": receiver.url, "domains": domains, "authentication": auth, "companyId": paychex.company_id}
    return paychex_api.post(paychex.url + "/management/hooks", json=body, timeout=5).json()


def test_hire_posts_wrkr_add_and_wrkr_empl_with_basic_auth(paychex, paychex_api, receiver):
    _hook(paychex, paychex_api, receiver)
    worker = paychex.hire("Märta", "Söderström")
    calls = receiver.wait_for(2)
    assert sorted(c["json"]["domains"][0] for c in calls) == ["WRKR_ADD", "WRKR_EMPL"]
    expected_auth = "Basic " + base64.b64encode(b"paychex:s3cret").decode()
    for call in calls:
        assert call["headers"]["Authorization"] == expected_auth
        assert set(call["json"]) == set(paychex_sample("webhook-notification-wrkr-add.json"))
        assert call["json"]["workerId"] == worker["workerId"] and call["json"]["companyId"] == paychex.company_id
        assert call["json"]["notificationType"] == "WORKER_MESSAGE"


def test_each_change_maps_to_its_domain(paychex, paychex_api, receiver):
    _hook(paychex, paychex_api, receiver)
    worker_id = paychex.workers()[3]["workerId"]
    paychex.rename(worker_id, given_name="Ægir")
    paychex.transfer(worker_id, location_id=paychex.locations()[2]["locationId"])
    paychex.terminate(worker_id)
    calls = receiver.wait_for(3)
    assert [c["json"]["domains"] for c in calls] == [["WRKR_DEM"], ["WRKR_ASGN"], ["WRKR_EMPL"]]
    assert {c["json"]["action"] for c in calls} == {"UPDATE"}


def test_only_hooks_with_a_matching_domain_are_notified(paychex, paychex_api, receiver):
    _hook(paychex, paychex_api, receiver, domains=["WRKR_DEM"])
    worker_id = paychex.workers()[0]["workerId"]
    paychex.terminate(worker_id)
    paychex.rename(worker_id, family_name="Åström")
    assert paychex.flush_webhooks(5)
    assert [c["json"]["domains"] for c in receiver.calls] == [["WRKR_DEM"]]


def test_failed_delivery_is_retried_until_a_2xx(paychex, paychex_api, receiver):
    receiver.statuses = [500, 503]
    _hook(paychex, paychex_api, receiver, domains=["WRKR_DEM"])
    paychex.rename(paychex.workers()[0]["workerId"], given_name="Ylva")
    calls = receiver.wait_for(3)
    assert [c["status"] for c in calls] == [500, 503, 200]
    assert len({c["json"]["notificationId"] for c in calls}) == 1
    assert paychex.flush_webhooks(2)
    assert [d["status"] for d in paychex.deliveries] == [500, 503, 200]


def test_an_unreachable_receiver_is_retried_and_reported_as_an_error(paychex, paychex_api, receiver):
    hook = _hook(paychex, paychex_api, receiver, domains=["WRKR_DEM"])
    paychex.hooks[hook["hookId"]]["uri"] = "http://127.0.0.1:9/nothing-listens"
    paychex.rename(paychex.workers()[0]["workerId"], given_name="Ylva")
    assert not paychex.flush_webhooks(0.5)
    assert len(paychex.deliveries) >= 2 and paychex.deliveries[0]["error"]


def test_drop_knob_loses_notifications(paychex, paychex_api, receiver):
    paychex.faults.drop_webhooks = 1.0
    _hook(paychex, paychex_api, receiver, domains=["WRKR_DEM"])
    paychex.rename(paychex.workers()[0]["workerId"], given_name="Ylva")
    assert paychex.flush_webhooks(2)
    time.sleep(0.1)
    assert receiver.calls == [] and len(paychex.dropped_webhooks) == 1


def test_duplicate_knob_delivers_the_same_notification_twice(paychex, paychex_api, receiver):
    paychex.faults.duplicate_webhooks = 1.0
    _hook(paychex, paychex_api, receiver, domains=["WRKR_DEM"])
    paychex.rename(paychex.workers()[0]["workerId"], given_name="Ylva")
    calls = receiver.wait_for(2)
    assert len(calls) == 2 and calls[0]["json"] == calls[1]["json"]


def test_reorder_knob_sends_a_burst_newest_first(paychex, paychex_api, receiver):
    paychex.faults.reorder_webhooks = True
    _hook(paychex, paychex_api, receiver, domains=["WRKR_DEM", "WRKR_EMPL"])
    worker_id = paychex.workers()[0]["workerId"]
    paychex.rename(worker_id, given_name="Ylva")
    paychex.terminate(worker_id)
    calls = receiver.wait_for(2)
    assert [c["json"]["domains"][0] for c in calls] == ["WRKR_EMPL", "WRKR_DEM"]


def test_a_slow_receiver_never_blocks_a_scripted_change(paychex, paychex_api, receiver):
    receiver.delay = 1.0
    _hook(paychex, paychex_api, receiver)
    started = time.monotonic()
    paychex.hire("Liv", "Nærø")
    assert time.monotonic() - started < 0.2


def test_apikey_hooks_send_the_key_in_the_configured_header(paychex, paychex_api, receiver):
    paychex.faults.apikey_header = "X-Api-Key"
    _hook(paychex, paychex_api, receiver, domains=["WRKR_DEM"], auth={"authType": "APIKEY", "apiKey": "k-123"})
    paychex.rename(paychex.workers()[0]["workerId"], given_name="Ylva")
    assert receiver.wait_for(1)[0]["headers"]["X-Api-Key"] == "k-123"
