"""Operations of the mappings app: target settings, the status mapping defaults, and the link from a
Paychex company to its Visma company. The bigger operations live beside this module:
catalog.py (Visma catalog cache), reference.py (Paychex reference lists), matching.py, alignment.py,
csv_io.py, preview.py."""
from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from connector.models import Connection
from mappings.models import DEFAULT_STATUS_MAPPING, StatusMapping, TargetSettings


class MappingError(Exception):
    """A mapping operation cannot go ahead; the message says why, in words a person can act on."""


def target_settings(visma_connection: Connection) -> TargetSettings:
    """Return the Visma connection's target settings, creating them with the defaults on first use."""
    try:
        return TargetSettings.objects.get(visma_connection=visma_connection)
    except TargetSettings.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return TargetSettings.objects.create(visma_connection=visma_connection)
    except IntegrityError:  # another process created it first
        return TargetSettings.objects.get(visma_connection=visma_connection)


def ensure_status_mapping(paychex_connection: Connection) -> dict[str, str]:
    """Create the default status rows that are missing and return {statusType: Visma status or ""}."""
    existing = dict(
        StatusMapping.objects.filter(paychex_connection=paychex_connection).values_list("status_type", "visma_status")
    )
    missing = [
        StatusMapping(paychex_connection=paychex_connection, status_type=status_type, visma_status=target, note=note)
        for status_type, (target, note) in DEFAULT_STATUS_MAPPING.items()
        if status_type not in existing
    ]
    if missing:
        StatusMapping.objects.bulk_create(missing, ignore_conflicts=True)
        existing.update({row.status_type: row.visma_status for row in missing})
    return existing


def visma_connection_for(paychex_connection: Connection) -> Connection:
    """The Visma connection that receives this Paychex company's workers.

    Raises connector.errors.ApiError (permanent, code "configuration") when there is none or the
    choice is ambiguous.
    """
    from connector.services import destination_for

    return destination_for(paychex_connection)


def client_for(connection: Connection) -> Any:
    """The connector's API client for this connection (PaychexClient or VismaClient)."""
    from connector.services import client_for as connector_client_for

    return connector_client_for(connection)
