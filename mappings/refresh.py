"""The refresh sequences the tasks and the admin run: read, then match, then align."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connector.models import Connection
from mappings.alignment import AlignResult, align
from mappings.catalog import RefreshResult, refresh_catalog
from mappings.matching import match
from mappings.reference import ReferenceResult, refresh_reference


@dataclass
class Outcome:
    catalog: RefreshResult | None = None
    reference: ReferenceResult | None = None
    matched: dict[str, list[str]] | None = None
    aligned: AlignResult | None = None

    def summary(self) -> str:
        parts = []
        if self.catalog:
            c = self.catalog
            parts.append(f"catalog: {c.created} new, {c.updated} changed, {c.deactivated} inactive")
        if self.reference:
            r = self.reference
            parts.append("Paychex: " + ", ".join(
                f"{sum(len(v) for v in getattr(r, name).values())} {name}" for name in ("added", "renamed", "gone")))
        if self.matched is not None:
            parts.append(f"{sum(len(ids) for ids in self.matched.values())} matched automatically")
        if self.aligned:
            a = self.aligned
            parts.append(f"{len(a.created)} created and {len(a.renamed)} renamed in Visma")
            if a.waiting:
                parts.append(f"{a.waiting} waiting for a person (creating in Visma is off)")
            parts.extend(a.errors)
        return "; ".join(parts)


def refresh_catalog_and_match(visma_connection: Connection, *, full: bool = True, client: Any = None) -> Outcome:
    """Refresh the Visma catalog; when it changed, re-match every Paychex company that writes to it."""
    outcome = Outcome(catalog=refresh_catalog(visma_connection, full=full, client=client), matched={})
    if outcome.catalog.changed:
        for paychex in paychex_connections_of(visma_connection):
            for kind, ids in match(paychex).items():
                outcome.matched.setdefault(kind, []).extend(ids)
    return outcome


def refresh_reference_and_align(
    paychex_connection: Connection, *, paychex_client: Any = None, visma_client: Any = None, username: str = ""
) -> Outcome:
    """Refresh the Paychex reference lists, re-match, then create/rename Visma values as needed."""
    reference = refresh_reference(paychex_connection, client=paychex_client)
    matched = match(paychex_connection)
    aligned = align(paychex_connection, client=visma_client, username=username)
    return Outcome(reference=reference, matched=matched, aligned=aligned)


def paychex_connections_of(visma_connection: Connection) -> list[Connection]:
    """The active Paychex connections whose workers go to this Visma connection."""
    from connector.services import destination_for
    from connector.errors import ApiError

    found = []
    for paychex in Connection.objects.filter(system=Connection.System.PAYCHEX, is_active=True):
        try:
            if destination_for(paychex).pk == visma_connection.pk:
                found.append(paychex)
        except ApiError:
            continue
    return found
