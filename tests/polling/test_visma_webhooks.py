"""`POST /webhooks/visma/`: signed batches queue targeted checks; a wrong or missing signature changes nothing."""
from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from audit.models import AuditRecord
from connector.models import Connection
from syncjobs import backfill
from syncjobs.models import WebhookRejection
from syncjobs.visma_webhooks import parse, signature
from tests.polling.conftest import api_calls

URL = "/webhooks/visma/"
KEY = "portal-signing-key-0123456789"


@pytest.fixture
def paychex_workers() -> int:
    return 20


@pytest.fixture
def signed_visma(visma: Connection) -> Connection:
    visma.webhook_signing_key = KEY
    visma.save()
    return visma


def notification(cd: str, event: str = "employee_changed") -> dict:
    return {"notificationId": f"n-{cd}-{event}", "contextId": "tenant", "event": event,
            "relativeResourceUri": f"v1/employee/{cd}", "resourceUri": f"https://api.example/v1/employee/{cd}",
            "status": "Completed", "timeStamp": 638000000000000000}


def post(client, body: bytes, sig: str | None, django_capture_on_commit_callbacks, **headers):
    if sig is not None:
        headers["HTTP_X_VISMA_SIGNATURE"] = sig
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(URL, data=body, content_type="application/json", **headers)


def active(px) -> dict:
    return next(w for w in px.workers() if w["currentStatus"]["statusType"] == "ACTIVE")


@pytest.mark.django_db(transaction=True)
def test_a_batch_signed_by_visma_queues_a_check_that_repairs_the_employee(paychex, px, vs, live_server):
    visma = paychex.destination
    visma.webhook_signing_key = KEY
    visma.save()
    backfill.backfill(paychex)
    worker = active(px)
    vs.subscribe(live_server.url + URL, KEY)

    vs.edit_employee(worker["employeeId"], lastName="Edited by hand")
    assert vs.flush_webhooks(10)

    delivery = vs.webhook_deliveries[-1]
    assert delivery["status"] == 202
    assert vs.employee(worker["employeeId"])["contact"]["lastName"] == worker["name"]["familyName"]
    record = AuditRecord.objects.get(action="drift_corrected")
    assert "Visma webhook" in record.reason and record.changes["last_name"][0] == "Edited by hand"


def test_a_wrong_signature_is_refused_and_nothing_is_queued(signed_visma, paychex, vs, client,
                                                          django_capture_on_commit_callbacks):
    body = json.dumps([notification("1001")]).encode()

    response = post(client, body, signature("not-the-key", body), django_capture_on_commit_callbacks)

    assert response.status_code == 401 and "HMAC-SHA256" in response["WWW-Authenticate"]
    assert api_calls(vs) == []
    assert WebhookRejection.objects.get(reason="visma_signature").count == 1


def test_a_missing_signature_is_refused(signed_visma, paychex, vs, client, django_capture_on_commit_callbacks):
    response = post(client, json.dumps([notification("1001")]).encode(), None, django_capture_on_commit_callbacks)

    assert response.status_code == 401 and api_calls(vs) == []


def test_a_signature_over_other_bytes_is_refused(signed_visma, paychex, vs, client, django_capture_on_commit_callbacks):
    signed = json.dumps([notification("1001")]).encode()
    sent = json.dumps([notification("1002")]).encode()

    assert post(client, sent, signature(KEY, signed), django_capture_on_commit_callbacks).status_code == 401


def test_an_inactive_connections_key_is_not_accepted(signed_visma, paychex, vs, client, django_capture_on_commit_callbacks):
    Connection.objects.filter(pk=signed_visma.pk).update(is_active=False)
    body = json.dumps([notification("1001")]).encode()

    assert post(client, body, signature(KEY, body), django_capture_on_commit_callbacks).status_code == 401


def test_a_body_over_the_limit_is_refused_unread(signed_visma, paychex, client, settings, django_capture_on_commit_callbacks):
    settings.SYNCJOBS = {**settings.SYNCJOBS, "WEBHOOK_MAX_BODY_BYTES": 100}
    body = json.dumps([notification(str(n)) for n in range(5)]).encode()

    assert post(client, body, signature(KEY, body), django_capture_on_commit_callbacks).status_code == 413


def test_a_signed_body_that_is_not_a_notification_batch_gets_400(signed_visma, paychex, client,
                                                                 django_capture_on_commit_callbacks):
    for body in (b"not json", b'{"no": "event"}', b"[1, 2]"):
        assert post(client, body, signature(KEY, body), django_capture_on_commit_callbacks).status_code == 400


def test_the_signature_header_name_is_a_setting(signed_visma, paychex, vs, client, settings,
                                                 django_capture_on_commit_callbacks):
    settings.SYNCJOBS = {**settings.SYNCJOBS, "VISMA_WEBHOOK_SIGNATURE_HEADER": "X-Other-Signature"}
    body = json.dumps([notification("nobody")]).encode()

    default = post(client, body, signature(KEY, body), django_capture_on_commit_callbacks)
    other = post(client, body, None, django_capture_on_commit_callbacks, HTTP_X_OTHER_SIGNATURE=signature(KEY, body))

    assert (default.status_code, other.status_code) == (401, 202)


def test_a_batch_checks_each_employee_once_and_refreshes_the_catalog_once(signed_visma, paychex, px, vs, client,
                                                                           django_capture_on_commit_callbacks):
    cd = active(px)["employeeId"]
    batch = [notification(cd), notification(cd), notification("x", "dimension_segmentvalue_changed"),
             notification("y", "dimension_changed"), notification("z", "salesorder_changed")]
    body = json.dumps(batch).encode()

    response = post(client, body, signature(KEY, body), django_capture_on_commit_callbacks)

    assert response.status_code == 202 and response.json() == {"employees": 1, "catalog": True, "ignored": 1}
    assert len(api_calls(vs, "GET", f"/v1/employee/{cd}")) == 1
    assert api_calls(vs, "GET", "/v1/dimension") and api_calls(vs, "GET", "/v1/department")


def test_parse_reads_the_legacy_sample():
    from tests.specs import load

    hints = parse(load("visma", "samples/legacy-webhook-notification.json"))

    assert (hints.employees, hints.catalog, hints.ignored) == (set(), False, 1)


def test_visma_webhook_command_shows_the_url_and_a_new_key_once(visma, capsys):
    call_command("visma_webhook", "--generate-key", public_url="https://connector.example.com")

    out = capsys.readouterr().out
    visma.refresh_from_db()
    assert "https://connector.example.com/webhooks/visma/" in out
    assert f"Signing key (shown once, stored encrypted): {visma.webhook_signing_key}" in out
    call_command("visma_webhook")
    assert visma.webhook_signing_key not in capsys.readouterr().out
