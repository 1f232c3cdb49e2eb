"""What syncjobs does when another app tells it something (see docs/ARCHITECTURE.md)."""
from __future__ import annotations

from typing import Any

from syncjobs.models import SyncRun, Worker

# mapping kind → the Worker columns holding that kind's Paychex source id
KIND_FIELDS = {
    "organization": ("organization_id",),
    "job_title": ("job_title_id",),
    "location": ("location_id",),
    "status": ("status_type", "pending_status"),
}


def workers_for_mapping(paychex_connection_id: int, kind: str, source_ids: tuple[str, ...]) -> list[Worker]:
    """The workers of this connection whose record has one of `source_ids` for `kind` (held ones too)."""
    from django.db.models import Q

    condition = Q()
    for column in KIND_FIELDS.get(kind, ()):
        condition |= Q(**{f"{column}__in": source_ids})
    if not condition or not source_ids:
        return []
    return list(Worker.objects.filter(condition, connection_id=paychex_connection_id).select_related("connection"))


def on_mapping_changed(sender: Any, paychex_connection_id: int, kind: str, source_ids: tuple[str, ...],
                       **kwargs: Any) -> None:
    """Resync exactly the workers a changed mapping affects, in one "mapping" run."""
    from syncjobs.runs import queue_resync

    workers = workers_for_mapping(paychex_connection_id, kind, tuple(source_ids))
    shown = ", ".join(list(source_ids)[:5]) + (" …" if len(source_ids) > 5 else "")
    queue_resync(workers, trigger=SyncRun.Trigger.MAPPING, reason=f"mapping changed: {kind} {shown}",
                 started_by="mapping change")
