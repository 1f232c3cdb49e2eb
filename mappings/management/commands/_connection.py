"""Choosing the Paychex connection for a management command."""
from __future__ import annotations

from django.core.management.base import CommandError

from connector.models import Connection


def paychex_connection(name: str | None) -> Connection:
    """The named Paychex connection, or the only one; CommandError otherwise."""
    connections = Connection.objects.filter(system=Connection.System.PAYCHEX)
    if name:
        connections = connections.filter(name=name)
    found = list(connections[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise CommandError(f"no Paychex connection{f' named {name!r}' if name else ''}")
    raise CommandError("several Paychex connections: choose one with --connection NAME")
