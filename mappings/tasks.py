"""django-q2 entry points: take ids, call the refresh sequences, return a summary for the task log."""
from __future__ import annotations

from connector.models import Connection
from mappings.refresh import refresh_catalog_and_match, refresh_reference_and_align


def refresh_catalog_task(visma_connection_id: int, full: bool = True) -> str:
    """Refresh one Visma company's catalog (full, or incremental by lastModifiedDateTime) and re-match."""
    connection = Connection.objects.get(pk=visma_connection_id, system=Connection.System.VISMA)
    return refresh_catalog_and_match(connection, full=full).summary()


def refresh_reference_task(paychex_connection_id: int) -> str:
    """Refresh one Paychex company's organizations, job titles and locations; re-match and align."""
    connection = Connection.objects.get(pk=paychex_connection_id, system=Connection.System.PAYCHEX)
    return refresh_reference_and_align(connection).summary()
