"""Visma webhooks: a faster hint on top of polling (Visma sends each notification once, with no retry).

Verification: HMAC-SHA256 of the raw body with the subscription's signing key, base64, compared in
constant time with the header VISMA_WEBHOOK_SIGNATURE_HEADER (Visma does not publish the header's name:
a setting). The key is stored encrypted on the Visma connection (`webhook_signing_key`); every active
Visma connection's key is tried, and the one that verifies names the connection.

Payload: the legacy batched array (specs/visma/samples/legacy-webhook-notification.json) of
{"notificationId", "contextId", "event", "relativeResourceUri", "resourceUri", …}; a single object is
accepted too. Employee events queue a targeted check of that employee; dimension and segment events
queue an incremental catalog refresh. Nothing else is done in the request.

Registration: Visma removed the subscription API (`/resources/v1/subscription`) on 30.04.2025 (NOTES §5);
subscriptions are made in the Developer Portal, which shows the signing key to paste into the connection
(or `visma_webhook --generate-key` makes one where a key can be chosen, e.g. the sandbox).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from django.conf import settings

from connector.fields import UndecryptableSecret
from connector.models import Connection
from syncjobs.queueing import enqueue_on_commit

EMPLOYEE_PATH = re.compile(r"(?:^|/)employee/([^/?#]+)", re.IGNORECASE)
CATALOG_EVENTS = ("dimension", "segment")
MIN_RELOAD_INTERVAL = 1.0


def signature(key: str, body: bytes) -> str:
    """base64(HMAC-SHA256(key, body)), as Visma signs."""
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def new_signing_key() -> str:
    return secrets.token_urlsafe(32)


class _KeyCache:
    """The active Visma connections' signing keys, decrypted once per process for WEBHOOK_AUTH_CACHE_SECONDS."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: list[tuple[str, int]] = []
        self._loaded_at = float("-inf")

    def keys(self, *, refresh: bool = False) -> list[tuple[str, int]]:
        with self._lock:
            age = time.monotonic() - self._loaded_at
            if age > settings.SYNCJOBS["WEBHOOK_AUTH_CACHE_SECONDS"] or (refresh and age > MIN_RELOAD_INTERVAL):
                self._keys, self._loaded_at = _load_keys(), time.monotonic()
            return self._keys

    def clear(self) -> None:
        with self._lock:
            self._keys, self._loaded_at = [], float("-inf")


def _load_keys() -> list[tuple[str, int]]:
    rows = Connection.objects.filter(system=Connection.System.VISMA, is_active=True)
    return [(str(row.webhook_signing_key), row.pk) for row in rows
            if row.webhook_signing_key and not isinstance(row.webhook_signing_key, UndecryptableSecret)]


signing_keys = _KeyCache()


def verify(body: bytes, sent: str) -> int | None:
    """The id of the Visma connection whose key signed `body`, or None. Every key is compared."""
    if not sent:
        return None
    for refresh in (False, True):
        found = None
        for key, connection_id in signing_keys.keys(refresh=refresh):
            if hmac.compare_digest(signature(key, body).encode(), sent.strip().encode()):
                found = connection_id
        if found is not None:
            return found
    return None


class InvalidPayload(ValueError):
    pass


@dataclass
class Hints:
    """What a batch asks us to look at."""

    employees: set[str] = field(default_factory=set)
    catalog: bool = False
    ignored: int = 0


def parse(payload: Any) -> Hints:
    """Read the notifications of a batch. Raises InvalidPayload for anything but objects with an event."""
    items = payload if isinstance(payload, list) else [payload]
    if not items or not all(isinstance(item, dict) and isinstance(item.get("event"), str) for item in items):
        raise InvalidPayload("Expected a JSON array of notifications, each with an 'event'.")
    hints = Hints()
    for item in items:
        event = item["event"].lower()
        uri = str(item.get("relativeResourceUri") or item.get("resourceUri") or "")
        match = EMPLOYEE_PATH.search(uri)
        if "employee" in event and match:
            hints.employees.add(unquote(match.group(1)))
        elif event.startswith(CATALOG_EVENTS):
            hints.catalog = True
        else:
            hints.ignored += 1
    return hints


def queue_checks(visma_connection_id: int, hints: Hints) -> None:
    """Enqueue (after commit) one targeted check per employee and at most one catalog refresh."""
    for employee_cd in sorted(hints.employees):
        enqueue_on_commit("syncjobs.tasks.check_visma_employee", visma_connection_id, employee_cd)
    if hints.catalog:
        enqueue_on_commit("syncjobs.tasks.poll_catalog", visma_connection_id)
