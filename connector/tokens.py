"""OAuth2 client-credentials tokens, cached encrypted on the Connection row and shared by every process.

A token is renewed before it expires: when less than max(TOKEN_RENEW_FRACTION × lifetime,
TOKEN_RENEW_MIN_SECONDS) is left. One renewal at a time across processes: the renewal runs inside a
transaction that locks the connection row (PostgreSQL: SELECT … FOR UPDATE; SQLite: the IMMEDIATE
transaction takes the database write lock at BEGIN), and re-checks the row after the lock is granted,
so a process that waited uses the token the first one just stored instead of asking for another.
Threads of one process also share an in-process lock, so they do not even contend for the row.
Neither vendor issues refresh tokens to client-credentials clients: renewal is always a new grant.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction

from connector.errors import ApiError
from connector.fields import UndecryptableSecret
from connector.http import parse_json, setting

if TYPE_CHECKING:
    from connector.clock import Clock
    from connector.http import ApiSession
    from connector.models import Connection

UNDECRYPTABLE_MESSAGE = "stored secret cannot be decrypted: re-enter it"
TOKEN_FIELDS = ("access_token", "token_expires_at", "token_lifetime_seconds")

_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()


@contextmanager
def _process_lock(connection_id: int) -> Iterator[None]:
    with _locks_guard:
        lock = _locks.setdefault(connection_id, threading.Lock())
    with lock:
        yield


def is_fresh(connection: Connection, clock: Clock) -> bool:
    """True when the cached token is readable and outside the renewal margin."""
    token, expires_at = connection.access_token, connection.token_expires_at
    if not token or isinstance(token, UndecryptableSecret) or expires_at is None:
        return False
    lifetime = connection.token_lifetime_seconds or 0
    margin = max(lifetime * setting("TOKEN_RENEW_FRACTION"), setting("TOKEN_RENEW_MIN_SECONDS"))
    return clock.now() < expires_at - timedelta(seconds=margin)


def access_token(session: ApiSession) -> str:
    """Return a token for `session.connection`, renewing it first when it is about to expire.

    Raises ApiError when the token endpoint refuses or cannot be reached.
    Changes: the connection's token fields (in the database and on the instance) when renewed.
    """
    if is_fresh(session.connection, session.clock):
        return session.connection.access_token
    return renew_token(session, stale_token=None)


def renew_token(session: ApiSession, *, stale_token: str | None) -> str:
    """Renew under the row lock, unless another process already did (a fresh token other than
    `stale_token`, the one that was just refused with 401), and return the token to use."""
    from connector.models import Connection

    connection = session.connection
    with _process_lock(connection.pk), transaction.atomic():
        row = Connection.objects.select_for_update().get(pk=connection.pk)
        if is_fresh(row, session.clock) and row.access_token != stale_token:
            _copy_token(row, connection)
            return row.access_token
        token, lifetime = request_token(session, row)
        row.access_token = token
        row.token_lifetime_seconds = lifetime
        row.token_expires_at = session.clock.now() + timedelta(seconds=lifetime)
        row.save(update_fields=list(TOKEN_FIELDS))
    _copy_token(row, connection)
    return token


def _copy_token(source: Connection, target: Connection) -> None:
    for name in TOKEN_FIELDS:
        setattr(target, name, getattr(source, name))


def token_form(connection: Connection) -> dict[str, str]:
    """The client-credentials form for this vendor (Paychex: the three standard fields; Visma Connect:
    also the scope and the company tenant_id)."""
    secret = connection.client_secret
    if isinstance(secret, UndecryptableSecret):
        raise ApiError(UNDECRYPTABLE_MESSAGE, permanent=True, code="undecryptable_secret")
    if not secret:
        raise ApiError("no client secret is stored: set it with `manage.py connect` or in the admin",
                       permanent=True, code="auth")
    form = {"grant_type": "client_credentials", "client_id": connection.client_id, "client_secret": secret}
    if connection.system == "visma":
        form["scope"] = setting("VISMA_SCOPE")
        if connection.tenant_id:
            form["tenant_id"] = connection.tenant_id
    return form


def request_token(session: ApiSession, connection: Connection) -> tuple[str, int]:
    """POST the client-credentials grant; return (access_token, lifetime in seconds). Raises ApiError."""
    response = session.post_form(connection.token_url, token_form(connection))
    body = parse_json(response)
    if not response.ok:
        raise token_error(session, response.status_code, body)
    if not isinstance(body, dict) or not body.get("access_token"):
        raise ApiError("the token endpoint answered without an access_token", permanent=False,
                       status=response.status_code, code="auth", request_excerpt="POST token")
    return str(body["access_token"]), lifetime_seconds(body.get("expires_in"))


def lifetime_seconds(expires_in: Any) -> int:
    """`expires_in` as whole seconds: Paychex sends it as a string ("600"), Visma Connect as a number."""
    try:
        value = int(float(str(expires_in).strip()))
    except (TypeError, ValueError):
        return int(setting("TOKEN_DEFAULT_LIFETIME_SECONDS"))
    return value if value > 0 else int(setting("TOKEN_DEFAULT_LIFETIME_SECONDS"))


def token_error(session: ApiSession, status: int, body: Any) -> ApiError:
    """Turn a refused grant into an ApiError whose message says what to fix (never the secret)."""
    code, description = _oauth_error(body)
    if not code:
        code, description = session.rules.describe(body)
    where = session.connection.get_system_display()
    common = dict(status=status, request_excerpt="POST token (form redacted)", response_excerpt=(description or "")[:300])
    if status >= 500 or status == 429:
        return ApiError(f"{where} token endpoint failed ({status}); will retry", permanent=False,
                        code=code or "server_error", **common)
    if code == "invalid_tenant":
        return ApiError(
            f"wrong tenant: Visma Connect refused tenant_id {session.connection.tenant_id!r} (invalid_tenant): "
            "check the company tenant id and that the integration is approved for that company",
            permanent=True, code=code, **common)
    if code in ("invalid_client", "unauthorized_client", "API-102") or status == 401:
        return ApiError(f"wrong credentials: the {where} token endpoint refused the client id or secret",
                        permanent=True, code=code or "auth", **common)
    if code == "invalid_scope":
        return ApiError(f"{where} refused the requested scope (CONNECTOR VISMA_SCOPE)", permanent=True,
                        code=code, **common)
    return ApiError(f"{where} token endpoint refused the request ({status} {code or ''})".rstrip(),
                    permanent=True, code=code or "auth", **common)


def _oauth_error(body: Any) -> tuple[str, str]:
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"], str(body.get("error_description", ""))
    return "", ""
