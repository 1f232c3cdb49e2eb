"""Alert digest: one e-mail per interval to the integration admins and ALERT_EMAILS, only news, with links."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.utils import timezone

from connector.models import Connection
from syncjobs.alerts import is_working_time, send_digest
from syncjobs.models import AlertState, ErrorItem, HeadcountReport, Notification
from syncjobs.roles import INTEGRATION_ADMIN

# A Tuesday 10:00 in Europe/Oslo: working time with the default settings.
TUESDAY_10 = timezone.make_aware(datetime(2026, 11, 24, 10, 0))


@pytest.fixture
def admin_user(roles) -> User:
    user = User.objects.create_user("ia", "ia@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name=INTEGRATION_ADMIN))
    User.objects.create_user("hr", "hr@example.com", "pw", is_staff=True)  # not in the group: not told
    return user


@pytest.fixture
def console_settings(settings):
    settings.SITE_URL = "https://connector.example.com"
    settings.CONSOLE = {**settings.CONSOLE, "ALERT_EMAILS": ["ops@example.com"], "ALERT_DIGEST_MINUTES": 30}
    return settings


def new_error(worker, reason: str = "organization ORG-NEW has no Visma cost center") -> ErrorItem:
    item = ErrorItem.objects.create(worker=worker, category="held", reason=reason)
    return item


def test_new_errors_are_sent_once_to_the_group_and_alert_emails_with_absolute_links(
        admin_user, console_settings, held_worker):
    AlertState.objects.create(key="digest", checked_until=timezone.now() - timedelta(minutes=5))
    new_error(held_worker)

    assert send_digest() == 1

    message = mail.outbox[0]
    assert sorted(message.to) == ["ia@example.com", "ops@example.com"]
    assert "1 new item(s) in the error queue" in message.subject
    assert "has no Visma cost center" in message.body
    assert "https://connector.example.com/admin/syncjobs/erroritem/?status__exact=open" in message.body
    assert send_digest(timezone.now() + timedelta(hours=2)) == 0  # nothing new since
    assert len(mail.outbox) == 1


def test_a_second_digest_waits_for_the_interval_and_then_carries_the_news(admin_user, console_settings, held_worker,
                                                                        worker):
    AlertState.objects.create(key="digest", checked_until=timezone.now() - timedelta(minutes=5))
    new_error(held_worker)
    now = timezone.now()
    assert send_digest(now) == 1
    new_error(worker, reason="Visma refused the e-mail address")

    assert send_digest(now + timedelta(minutes=10)) == 0
    assert send_digest(now + timedelta(minutes=31)) == 1
    assert "Visma refused the e-mail address" in mail.outbox[1].body


def test_a_failing_connection_is_reported_with_its_message(admin_user, console_settings, paychex):
    AlertState.objects.create(key="digest", checked_until=timezone.now() - timedelta(minutes=5))
    Connection.objects.filter(pk=paychex.pk).update(last_check_ok=False, last_check_at=timezone.now(),
                                                    last_check_message="invalid_client: check the client id")

    assert send_digest() == 1
    assert "Connection Paychex offline is failing" in mail.outbox[0].subject
    assert f"/admin/connector/connection/{paychex.pk}/change/" in mail.outbox[0].body


def test_a_reconciliation_mismatch_is_reported(admin_user, console_settings, db):
    AlertState.objects.create(key="digest", checked_until=timezone.now() - timedelta(minutes=5))
    HeadcountReport.objects.create(ok=False, mismatches=3)

    assert send_digest() == 1
    assert "Reconciliation found 3 mismatch(es)" in mail.outbox[0].subject


def test_silence_on_a_working_day_is_reported_once(admin_user, console_settings, paychex):
    Connection.objects.filter(pk=paychex.pk).update(registered_hook_ids=["h1"])
    Notification.objects.create(notification_id="n1", connection=paychex, received_at=TUESDAY_10 - timedelta(hours=5))
    AlertState.objects.create(key="digest", checked_until=TUESDAY_10 - timedelta(minutes=30))

    assert send_digest(TUESDAY_10) == 1
    assert "No Paychex notification for 4 hours" in mail.outbox[0].subject
    assert send_digest(TUESDAY_10 + timedelta(hours=1)) == 0


def test_silence_at_the_weekend_or_at_night_is_not_an_alert(admin_user, console_settings):
    saturday = TUESDAY_10 + timedelta(days=4)
    night = TUESDAY_10 + timedelta(hours=12)
    assert is_working_time(TUESDAY_10)
    assert not is_working_time(saturday) and not is_working_time(night)


def test_nothing_new_sends_nothing(admin_user, console_settings, worker):
    assert send_digest() == 0
    assert mail.outbox == []
    assert AlertState.objects.get().checked_until is not None
