"""Operations on connections: the right client, the destination of a Paychex company, a connection test."""
from __future__ import annotations

from dataclasses import dataclass

from connector import tokens
from connector.clients.paychex import PaychexClient
from connector.clients.visma import VismaClient
from connector.clock import Clock, system_clock
from connector.errors import ApiError
from connector.fields import UndecryptableSecret
from connector.models import Connection
from connector.tokens import UNDECRYPTABLE_MESSAGE

WRONG_TENANT_MESSAGE = (
    "token accepted by Visma Connect but refused by the ERP API: check that tenant_id is the company tenant, "
    "not the customer tenant"
)


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str


def client_for(connection: Connection, *, clock: Clock | None = None) -> PaychexClient | VismaClient:
    """The vendor client for `connection`."""
    if connection.system == Connection.System.PAYCHEX:
        return PaychexClient(connection, clock=clock)
    return VismaClient(connection, clock=clock)


def destination_for(paychex_connection: Connection) -> Connection:
    """The Visma connection that receives this Paychex company's workers: its `destination`, else the
    only active Visma connection. Raises ApiError(permanent, code="configuration") when there is none
    or the choice is ambiguous."""
    if paychex_connection.destination_id:
        return paychex_connection.destination
    candidates = list(Connection.objects.filter(system=Connection.System.VISMA, is_active=True)[:2])
    if len(candidates) == 1:
        return candidates[0]
    problem = "no active Visma connection" if not candidates else "several active Visma connections"
    raise ApiError(
        f"{problem}: set the destination of Paychex connection {paychex_connection.name!r}",
        permanent=True, code="configuration",
    )


def check_connection(connection: Connection, *, clock: Clock | None = None) -> CheckResult:
    """Get a token and make one cheap read; report in words a person can act on.

    Changes: last_check_at/last_check_ok/last_check_message (and the token cache) on the connection.
    """
    clock = clock or system_clock
    result = _check(connection, clock)
    connection.last_check_at = clock.now()
    connection.last_check_ok = result.ok
    connection.last_check_message = result.message[:500]
    Connection.objects.filter(pk=connection.pk).update(
        last_check_at=connection.last_check_at, last_check_ok=result.ok, last_check_message=connection.last_check_message
    )
    return result


def _check(connection: Connection, clock: Clock) -> CheckResult:
    if isinstance(connection.client_secret, UndecryptableSecret):
        return CheckResult(False, UNDECRYPTABLE_MESSAGE)
    client = client_for(connection, clock=clock)
    try:
        # Always a new grant: a cached token would hide a secret that has since been changed or revoked.
        tokens.renew_token(client.http, stale_token=connection.access_token)
    except ApiError as error:
        return CheckResult(False, _explain_token(error))
    try:
        summary = _cheap_read(client)
    except ApiError as error:
        return CheckResult(False, _explain_api(connection, error))
    return CheckResult(True, f"OK: token obtained and {summary}")


def _cheap_read(client: PaychexClient | VismaClient) -> str:
    if isinstance(client, PaychexClient):
        company = client.company()
        name = company.get("legalName") or ""
        return f"company {company.get('displayId') or client.connection.company_id} {name}".rstrip() + " is readable"
    return f"{len(client.branches())} branches readable"


def _explain_token(error: ApiError) -> str:
    if error.code in ("timeout", "connection"):
        return f"unreachable: {error.message} (check the token URL and the network)"
    return error.message  # tokens.token_error already says "wrong credentials" / "wrong tenant" / …


def _explain_api(connection: Connection, error: ApiError) -> str:
    """An API failure after a good token, in words a person can act on."""
    if error.code in ("timeout", "connection"):
        return f"unreachable: {error.message} (check the base URL and the network)"
    if error.code == "12027":
        return "no license for this company: Visma answered IPPException 12027 (wrong tenant, or the licence expired)"
    if error.code == "12002":
        return "company not set or not permitted: Visma answered IPPException 12002 (check the company id)"
    if error.status == 401 and connection.system == Connection.System.VISMA:
        return WRONG_TENANT_MESSAGE
    if error.status == 401:
        return "token accepted by Paychex but refused by the API: check that the app is linked to this company"
    if error.status == 403:
        return f"not permitted: these credentials may not read this company ({error.message})"
    if error.status == 404:
        return f"company not found: check the company id ({error.message})"
    return error.message
