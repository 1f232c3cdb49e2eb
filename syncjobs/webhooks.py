"""Registering our receiver with Paychex: fresh random credentials, no pile-up of old hooks."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from connector.errors import ApiError, NotFound
from connector.models import Connection

logger = logging.getLogger(__name__)


@dataclass
class Registration:
    connection: str
    uri: str
    domains: list[str]
    hook_ids: list[str]
    removed: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)  # wanted, but not offered to this app type


def receiver_uri(public_url: str) -> str:
    return public_url.rstrip("/") + reverse("paychex-webhook")


def register_webhooks(connection: Connection, public_url: str) -> Registration:
    """Replace this connection's hooks with one hook for the wanted domains that Paychex offers.

    Order: store new credentials → register the new hook → delete the hooks registered before (and any
    other hook pointing at our URI). The replaced credentials stay valid for a grace period, so a
    delivery Paychex queued for an old hook (it retries until it gets a 2xx) is still accepted, and a
    duplicate of one the new hook delivers is dropped by the inbox. Raises ApiError.
    """
    from connector.services import client_for

    client = client_for(connection)
    uri = receiver_uri(public_url)
    offered = set(client.domains())
    wanted = settings.SYNCJOBS["WEBHOOK_DOMAINS"]
    domains = [d for d in wanted if d in offered]
    if not domains:
        raise ApiError(f"Paychex offers none of the domains {', '.join(wanted)} to this app.", permanent=True,
                       code="configuration")
    previous = set(connection.registered_hook_ids or [])
    _store_credentials(connection)
    hook = client.register_hook(uri, domains, username=connection.webhook_username,
                                password=connection.webhook_password, company_id=connection.company_id or None)
    new_id = str(hook.get("hookId", ""))
    removed = _remove_old(client, uri, previous, keep=new_id)
    Connection.objects.filter(pk=connection.pk).update(registered_hook_ids=[new_id] if new_id else [])
    connection.registered_hook_ids = [new_id] if new_id else []
    return Registration(connection.name, uri, domains, connection.registered_hook_ids, removed,
                        [d for d in wanted if d not in offered])


def _store_credentials(connection: Connection) -> None:
    """Generate new credentials; the replaced ones stay valid for WEBHOOK_PREVIOUS_CREDENTIALS_HOURS."""
    if connection.webhook_username and connection.webhook_password:
        connection.previous_webhook_username = connection.webhook_username
        connection.previous_webhook_password = connection.webhook_password
        connection.previous_webhook_valid_until = timezone.now() + timedelta(
            hours=settings.SYNCJOBS["WEBHOOK_PREVIOUS_CREDENTIALS_HOURS"]
        )
    connection.webhook_username = "mlc-" + secrets.token_hex(8)
    connection.webhook_password = secrets.token_urlsafe(32)
    connection.save(
        update_fields=[
            "webhook_username",
            "webhook_password",
            "previous_webhook_username",
            "previous_webhook_password",
            "previous_webhook_valid_until",
        ]
    )


def _remove_old(client, uri: str, previous: set[str], *, keep: str) -> list[str]:
    stale = {str(h.get("hookId")) for h in client.hooks() if h.get("uri") == uri or str(h.get("hookId")) in previous}
    stale |= previous
    stale.discard(keep)
    removed = []
    for hook_id in sorted(h for h in stale if h and h != "None"):
        try:
            client.delete_hook(hook_id)
        except NotFound:
            pass  # already gone
        removed.append(hook_id)
    return removed
