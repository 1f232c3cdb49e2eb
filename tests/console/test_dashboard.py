"""The front page: health, inbox, error queue, held and unmapped with links, runs, a chart drawn from our data."""
from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from connector.models import Connection
from syncjobs.dashboard import daily_activity
from syncjobs.models import Notification, SyncRun
from tests.console.conftest import HOSTILE_NAME


def test_a_fresh_install_says_what_to_do_first(login, db):
    page = login("superuser").get(reverse("admin:index")).content.decode()

    assert "Welcome: four steps to a working connector" in page
    for step in ("Add a Paychex connection and a Visma connection", "Test them", "Register the Paychex webhooks",
                 "Run the initial load"):
        assert step in page
    assert reverse("admin:connector_connection_add") in page


def test_the_dashboard_shows_each_part_with_a_link_to_fix_it(login, held_worker, error_item, org_mapping, paychex,
                                                           run):
    Connection.objects.filter(pk=paychex.pk).update(last_check_ok=False, last_check_at=timezone.now(),
                                                    last_check_message="invalid_client: wrong secret")
    Notification.objects.create(notification_id="n1", connection=paychex, status="failed")
    SyncRun.objects.create(trigger="backfill", status="running", progress_total=200, progress_done=50)

    page = login("superuser").get(reverse("admin:index")).content.decode()

    assert "invalid_client: wrong secret" in page
    assert reverse("admin:syncjobs_worker_changelist") + "?held=yes" in page
    assert reverse("admin:mappings_organizationmapping_changelist") + "?mapped=no" in page
    assert reverse("admin:syncjobs_erroritem_changelist") + "?status__exact=open" in page
    assert "1 failed" in page and "<svg class=\"chart\"" in page
    assert 'value="25"' in page and "progress.json" in page  # 50 of 200


def test_sections_follow_the_users_permissions(login, worker, error_item):
    page = login("Finance").get(reverse("admin:index")).content.decode()

    assert 'id="card-held"' in page
    assert 'id="card-errors"' not in page  # Finance has no error queue


def test_worker_names_are_escaped_everywhere(login, held_worker, error_item):
    client = login("superuser")
    for url in (reverse("admin:index"), reverse("admin:syncjobs_worker_changelist"),
                reverse("admin:syncjobs_worker_change", args=[held_worker.pk]),
                reverse("admin:syncjobs_erroritem_changelist"),
                reverse("admin:syncjobs_erroritem_change", args=[error_item.pk])):
        assert HOSTILE_NAME not in client.get(url).content.decode(), url


def test_the_chart_data_is_one_grouped_query_with_a_zero_for_quiet_days(django_assert_num_queries, run):
    SyncRun.objects.create(trigger="webhook", seen=3, failed=1)
    old = SyncRun.objects.create(trigger="webhook", seen=99)
    SyncRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))

    with django_assert_num_queries(1):
        days = daily_activity()

    assert len(days) == 30
    assert (days[-1].syncs, days[-1].failures) == (4, 1)
    assert sum(d.syncs for d in days) == 4
