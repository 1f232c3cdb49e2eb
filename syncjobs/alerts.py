"""Alert e-mails to the integration admins: a digest of what went wrong since the last one, never a flood.

What counts: items that entered the error queue, a connection whose check or last call failed, a headcount
reconciliation that found a mismatch, and no Paychex notification for ALERT_SILENCE_HOURS during working
hours. The scheduled task (every ALERT_DIGEST_MINUTES) sends at most one e-mail per interval; the
`AlertState` row remembers up to when events were considered, so each event is reported once. Every
alert links (absolute, from SITE_URL) to the page that fixes it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from connector.models import Connection
from syncjobs.models import AlertState, ErrorItem, HeadcountReport, Notification
from syncjobs.roles import INTEGRATION_ADMIN

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    """One thing a person should look at: a headline, details, and the page that fixes it."""

    title: str
    details: tuple[str, ...]
    path: str


def console_settings() -> dict:
    return settings.CONSOLE


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- what is new ----------------------------------------------------------------------------------
def new_errors(since: datetime) -> list[Alert]:
    items = list(ErrorItem.objects.filter(first_seen_at__gt=since).exclude(status=ErrorItem.Status.RESOLVED)
                 .select_related("worker").order_by("first_seen_at")[:11])
    if not items:
        return []
    details = tuple(f"{item.worker or 'notification'}: {item.reason}" for item in items[:10])
    if len(items) > 10:
        details += ("… and more",)
    title = f"{len(items) if len(items) <= 10 else 'More than 10'} new item(s) in the error queue"
    return [Alert(title, details, reverse("admin:syncjobs_erroritem_changelist") + "?status__exact=open")]


def failing_connections(since: datetime) -> list[Alert]:
    failed_check = Q(last_check_ok=False, last_check_at__gt=since)
    failed_call = Q(last_error_at__gt=since) & (Q(last_success_at=None) | Q(last_error_at__gte=F("last_success_at")))
    alerts = []
    for connection in Connection.objects.filter(failed_check | failed_call, is_active=True):
        message = connection.last_check_message if connection.last_check_ok is False else connection.last_error
        alerts.append(Alert(f"Connection {connection.name} is failing", (message or "The last call failed.",),
                            reverse("admin:connector_connection_change", args=[connection.pk])))
    return alerts


def reconciliation_mismatches(since: datetime) -> list[Alert]:
    report = HeadcountReport.objects.filter(created_at__gt=since, ok=False).order_by("-created_at").first()
    if report is None:
        return []
    try:
        path = reverse("admin:syncjobs_reconciliation")
    except NoReverseMatch:
        path = reverse("admin:syncjobs_headcountreport_change", args=[report.pk]) if _registered("headcountreport") \
            else reverse("admin:index")
    return [Alert(f"Reconciliation found {report.mismatches} mismatch(es)",
                  (f"Report of {timezone.localtime(report.created_at):%Y-%m-%d %H:%M}.",), path)]


def _registered(model_name: str) -> bool:
    try:
        reverse(f"admin:syncjobs_{model_name}_changelist")
    except NoReverseMatch:
        return False
    return True


def is_working_time(now: datetime) -> bool:
    """Working days (ISO weekday numbers) and hours [start, end) in TIME_ZONE, from the CONSOLE settings."""
    local = timezone.localtime(now)
    start, end = console_settings()["WORKING_HOURS"]
    return local.isoweekday() in console_settings()["WORKING_DAYS"] and start <= local.hour < end


def silence(state: AlertState, now: datetime) -> tuple[list[Alert], datetime | None]:
    """An alert when no Paychex notification has arrived for ALERT_SILENCE_HOURS on a working day.

    Returns (alerts, the silence's start to remember) so one silence is reported once.
    """
    hours = console_settings()["ALERT_SILENCE_HOURS"]
    paychex = Connection.objects.filter(system=Connection.System.PAYCHEX, is_active=True).exclude(
        registered_hook_ids=[])
    if not hours or not is_working_time(now) or not paychex.exists():
        return [], None
    last = Notification.objects.aggregate(last=Max("received_at"))["last"]
    quiet_since = last or paychex.aggregate(first=Max("created_at"))["first"]
    if quiet_since is None or now - quiet_since < timedelta(hours=hours) or state.silence_reported_for == quiet_since:
        return [], None
    when = timezone.localtime(last).strftime("%Y-%m-%d %H:%M") if last else "never"
    alert = Alert(f"No Paychex notification for {hours} hours",
                  (f"Last one received: {when}. Check the Paychex connection and its webhook registration.",),
                  reverse("admin:connector_connection_changelist") + "?system__exact=paychex")
    return [alert], quiet_since


def collect(state: AlertState, now: datetime) -> tuple[list[Alert], datetime | None]:
    """Everything new since the state's `checked_until` (first run: one interval back)."""
    since = state.checked_until or now - timedelta(minutes=console_settings()["ALERT_DIGEST_MINUTES"])
    quiet, quiet_since = silence(state, now)
    return [*new_errors(since), *failing_connections(since), *reconciliation_mismatches(since), *quiet], quiet_since


# --- who and how ----------------------------------------------------------------------------------
def recipients() -> list[str]:
    """Active users of the Integration admin group with an address, plus ALERT_EMAILS; no duplicates."""
    users = get_user_model().objects.filter(is_active=True, groups__name=INTEGRATION_ADMIN).exclude(email="")
    addresses = [*users.values_list("email", flat=True), *console_settings()["ALERT_EMAILS"]]
    return list(dict.fromkeys(address.strip() for address in addresses if address.strip()))


def render(alerts: list[Alert]) -> tuple[str, str]:
    subject = f"[ml-connector] {alerts[0].title}" + (f" (+{len(alerts) - 1} more)" if len(alerts) > 1 else "")
    blocks = []
    for alert in alerts:
        lines = [alert.title, *(f"  - {line}" for line in alert.details), f"  Fix it here: {absolute(alert.path)}"]
        blocks.append("\n".join(lines))
    body = "\n\n".join(blocks) + f"\n\nDashboard: {absolute(reverse('admin:index'))}\n"
    return subject[:200], body


def send_digest(now: datetime | None = None) -> int:
    """Send one digest if an interval has passed since the last e-mail and there is news. Returns 0 or 1.

    Changes: the AlertState row (checked_until moves on only when the news was sent or there was none,
    so news found inside a quiet interval waits for the next digest).
    """
    now = now or timezone.now()
    interval = timedelta(minutes=console_settings()["ALERT_DIGEST_MINUTES"])
    with transaction.atomic():
        state, _ = AlertState.objects.select_for_update().get_or_create(key="digest")
        if state.last_sent_at and now - state.last_sent_at < interval:
            return 0
        alerts, quiet_since = collect(state, now)
        to = recipients()
        sent = 0
        if alerts and to:
            subject, body = render(alerts)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
            state.last_sent_at, sent = now, 1
        elif alerts:
            logger.warning("%d alert(s) but nobody to tell: add an e-mail to an Integration admin or ALERT_EMAILS",
                           len(alerts))
        state.checked_until = now
        state.silence_reported_for = quiet_since or state.silence_reported_for
        state.save()
    return sent
