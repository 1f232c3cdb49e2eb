"""The webhook inbox: check a notification's shape, store it once, count what was rejected."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from syncjobs.models import Notification, WebhookRejection
from syncjobs.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

CLT_ACCESS = "CLT_ACCESS"
MAX_ID_LENGTH = 64


class InvalidNotification(ValueError):
    """The body is not a Paychex notification; the message says what is wrong (safe to send back)."""


@dataclass(frozen=True)
class Stored:
    notification: Notification | None  # None for a duplicate
    duplicate: bool = False


def validate(body: Any) -> dict[str, Any]:
    """Return the notification if its shape is right; raise InvalidNotification with a short reason."""
    if not isinstance(body, dict):
        raise InvalidNotification("The body must be a JSON object.")
    notification_id = body.get("notificationId")
    if not isinstance(notification_id, str) or not notification_id.strip() or len(notification_id) > MAX_ID_LENGTH:
        raise InvalidNotification("notificationId is missing or not a short string.")
    domains = body.get("domains")
    if not isinstance(domains, list) or not domains or not all(isinstance(d, str) and d for d in domains):
        raise InvalidNotification("domains must be a non-empty list of strings.")
    for name in ("workerId", "companyId", "action", "asOfDate"):
        if body.get(name) is not None and (not isinstance(body[name], str) or len(body[name]) > MAX_ID_LENGTH):
            raise InvalidNotification(f"{name} must be a short string.")
    if any(d.startswith("WRKR_") for d in domains) and not body.get("workerId"):
        raise InvalidNotification("workerId is required for worker domains.")
    return body


def is_actionable(domains: list[str]) -> bool:
    """True if any domain is one we act on (the others are stored as ignored and answered 2xx)."""
    return any(d in settings.SYNCJOBS["WEBHOOK_SYNC_DOMAINS"] or d == CLT_ACCESS for d in domains)


def store(body: dict[str, Any], connection_id: int) -> Stored:
    """Store a validated notification (once per notificationId) and enqueue its processing after commit.

    Returns Stored(duplicate=True) without changing anything when the notificationId is known.
    """
    actionable = is_actionable(body["domains"])
    now = timezone.now()
    row = Notification(
        notification_id=body["notificationId"].strip(),
        connection_id=connection_id,
        company_id=body.get("companyId") or "",
        worker_id=body.get("workerId") or "",
        domains=body["domains"],
        action=body.get("action") or "",
        as_of=body.get("asOfDate") or "",
        payload=body,
        status=Notification.Status.RECEIVED if actionable else Notification.Status.IGNORED,
        outcome="" if actionable else "Domain not synced: " + ", ".join(body["domains"]),
        received_at=now,
        next_attempt_at=now + timedelta(seconds=settings.SYNCJOBS["INBOX_GRACE_SECONDS"]) if actionable else None,
        processed_at=None if actionable else now,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            if actionable:
                enqueue_on_commit("syncjobs.tasks.process_notification", row.pk)
    except IntegrityError:
        return Stored(notification=None, duplicate=True)
    return Stored(notification=row)


def count_rejection(reason: str) -> None:
    """Add one to today's counter for `reason` and log one line (nothing of the request is kept)."""
    day = timezone.localdate()
    logger.info("Webhook rejected: %s", reason)
    if WebhookRejection.objects.filter(day=day, reason=reason).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            WebhookRejection.objects.create(day=day, reason=reason, count=1)
    except IntegrityError:  # created by a parallel request in between
        WebhookRejection.objects.filter(day=day, reason=reason).update(count=F("count") + 1)
