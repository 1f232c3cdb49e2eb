"""The receiver: wrong auth, bad JSON, huge bodies, missing fields, unknown domains, duplicates.

Bad input gets its 4xx (401 with WWW-Authenticate, 400, 413) with a short reason, stores nothing but a
counter and calls neither Paychex nor Visma.
"""
from __future__ import annotations

import json

import pytest

from syncjobs.models import Notification, SyncRun, WebhookRejection
from tests.syncjobs.conftest import basic, notification, visma_writes


def rejections() -> dict[str, int]:
    return dict(WebhookRejection.objects.values_list("reason", "count"))


@pytest.fixture
def nothing_called(paychex_sandbox, visma_sandbox):
    """After the test: neither sandbox saw a single API call."""
    yield
    assert paychex_sandbox.requests == [] and visma_sandbox.requests == []


@pytest.mark.parametrize("auth", [basic(password="wrong"), basic(username="someone-else"), "", "Bearer abc",
                                  "Basic not-base64!!", "Basic " + "bm9jb2xvbg=="])
def test_wrong_or_missing_credentials_get_401_with_a_basic_challenge(mapped, post_webhook, auth, nothing_called):
    response = post_webhook(notification("W1"), auth=auth)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert Notification.objects.count() == 0
    assert rejections() == {"auth": 1}


def test_credentials_of_an_inactive_connection_are_refused(mapped, post_webhook, nothing_called):
    mapped.is_active = False
    mapped.save()

    assert post_webhook(notification("W1")).status_code == 401


def test_malformed_json_gets_400_and_stores_nothing(mapped, post_webhook, nothing_called):
    response = post_webhook(None, raw=b'{"notificationId": "x", "domains": [')

    assert response.status_code == 400
    assert response.json()["detail"] == "The body is not valid JSON."
    assert Notification.objects.count() == 0 and rejections() == {"malformed": 1}


@pytest.mark.parametrize(
    "body, reason",
    [
        ([], "JSON object"),
        ({"domains": ["WRKR_EMPL"], "workerId": "W1"}, "notificationId"),
        ({"notificationId": "n1", "workerId": "W1"}, "domains"),
        ({"notificationId": "n1", "domains": []}, "domains"),
        ({"notificationId": "n1", "domains": ["WRKR_EMPL"]}, "workerId"),
        ({"notificationId": "n1", "domains": ["WRKR_EMPL"], "workerId": {"x": 1}}, "workerId"),
    ],
)
def test_a_body_of_the_wrong_shape_gets_400_naming_what_is_wrong(mapped, post_webhook, body, reason, nothing_called):
    response = post_webhook(body)

    assert response.status_code == 400
    assert reason in response.json()["detail"]
    assert Notification.objects.count() == 0


def test_a_body_over_the_limit_gets_413_without_being_stored(mapped, post_webhook, settings, nothing_called):
    settings.SYNCJOBS = {**settings.SYNCJOBS, "WEBHOOK_MAX_BODY_BYTES": 1024}
    body = notification("W1", padding="x" * 2000)

    response = post_webhook(body)

    assert response.status_code == 413
    assert Notification.objects.count() == 0 and rejections() == {"too_large": 1}


def test_a_body_longer_than_its_declared_length_is_cut_at_the_limit(mapped, client, settings, nothing_called):
    settings.SYNCJOBS = {**settings.SYNCJOBS, "WEBHOOK_MAX_BODY_BYTES": 1024}
    body = json.dumps(notification("W1", padding="x" * 2000)).encode()

    response = client.generic("POST", "/webhooks/paychex/", body, content_type="application/json",
                              HTTP_AUTHORIZATION=basic(), CONTENT_LENGTH="100")

    assert response.status_code in (400, 413)  # only 100 bytes were read: never the whole body
    assert Notification.objects.count() == 0


def test_an_unknown_but_authentic_domain_is_stored_as_ignored_and_answered_2xx(mapped, post_webhook, nothing_called):
    response = post_webhook(notification("W1", "WRKR_TAX"))

    assert response.status_code == 202
    stored = Notification.objects.get()
    assert stored.status == "ignored" and "WRKR_TAX" in stored.outcome
    assert SyncRun.objects.count() == 0


def test_a_valid_notification_is_stored_with_its_connection_and_ids(mapped, post_webhook, settings):
    settings.SYNCJOBS = {**settings.SYNCJOBS, "WEBHOOK_SYNC_DOMAINS": []}  # store only, no processing
    body = notification("W9", "WRKR_CMP", company_id=mapped.company_id)

    response = post_webhook({**body, "domains": ["WRKR_CMP"]})

    assert response.status_code == 202
    stored = Notification.objects.get()
    assert (stored.notification_id, stored.worker_id, stored.company_id, stored.connection) == (
        body["notificationId"], "W9", mapped.company_id, mapped)
    assert stored.payload == body


def test_a_duplicate_notification_answers_200_and_syncs_once(mapped, paychex_sandbox, visma_sandbox, post_webhook):
    hired = paychex_sandbox.hire("Ola", "Dunk")
    body = notification(hired["workerId"], "WRKR_ADD")

    first, second = post_webhook(body), post_webhook(body)

    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json() == {"status": "duplicate"}
    assert Notification.objects.count() == 1 and SyncRun.objects.count() == 1
    assert len(visma_writes(visma_sandbox)) == 1


def test_the_receiver_answers_2xx_even_when_the_queue_is_down(mapped, post_webhook, monkeypatch, nothing_called):
    import django_q.tasks

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(django_q.tasks, "async_task", broken)

    response = post_webhook(notification("W1"))

    assert response.status_code == 202
    assert Notification.objects.get().status == "received"  # the reaper will enqueue it


def test_the_receiver_does_one_credentials_read_then_only_inserts(mapped, post_webhook, settings,
                                                                   django_assert_max_num_queries):
    settings.SYNCJOBS = {**settings.SYNCJOBS, "WEBHOOK_SYNC_DOMAINS": []}
    post_webhook(notification("W0", "WRKR_TAX"))  # loads the credentials into the process cache

    with django_assert_max_num_queries(3):  # savepoint + insert + release
        response = post_webhook(notification("W1", "WRKR_TAX"))

    assert response.status_code == 202
