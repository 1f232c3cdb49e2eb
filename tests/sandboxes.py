"""Connections pointed at the in-process sandboxes, as `manage.py connect` would store them."""
from __future__ import annotations

from typing import Any

from connector.models import Connection
from sandbox import PaychexSandbox, VismaSandbox


def visma_connection(vs: VismaSandbox, name: str = "Visma test") -> Connection:
    connection = Connection(name=name, system="visma", base_url=vs.url, token_url=vs.token_url,
                            client_id=vs.client_id, tenant_id=vs.tenant_id)
    connection.set_client_secret(vs.client_secret)
    connection.save()
    return connection


def paychex_connection(px: PaychexSandbox, visma: Connection | None, name: str = "Paychex test",
                       **fields: Any) -> Connection:
    connection = Connection(name=name, system="paychex", base_url=px.url, token_url=px.token_url,
                            client_id=px.client_id, company_id=px.company_id, destination=visma, **fields)
    connection.set_client_secret(px.client_secret)
    connection.save()
    return connection
