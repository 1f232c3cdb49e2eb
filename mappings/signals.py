"""The one thing mappings tells the apps above it: a mapping changed, and for which Paychex sources.

syncjobs listens and resyncs exactly the workers with one of those source ids (held ones included).
Sent after commit, once per (connection, kind) per change set: use `batch()` around several saves.
"""
from __future__ import annotations

import contextvars
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.dispatch import Signal

# kwargs: paychex_connection_id: int, kind: str ("organization" | "job_title" | "location" | "status"),
# source_ids: tuple[str, ...] (sorted, unique)
mapping_changed = Signal()

_batch: contextvars.ContextVar[dict[tuple[int, str], set[str]] | None] = contextvars.ContextVar(
    "mapping_change_batch", default=None
)


def announce(paychex_connection_id: int, kind: str, source_ids: Iterable[str]) -> None:
    """Send mapping_changed for these source ids after the current transaction commits.

    Inside `batch()` the ids are collected and sent once when the batch ends. Nothing is sent for an
    empty set of ids, and nothing at all if the transaction rolls back.
    """
    ids = {str(source_id) for source_id in source_ids}
    if not ids:
        return
    pending = _batch.get()
    if pending is not None:
        pending[(paychex_connection_id, kind)] |= ids
        return
    transaction.on_commit(lambda: _send(paychex_connection_id, kind, ids))


@contextmanager
def batch() -> Iterator[None]:
    """Collect every announce() inside the block into one signal per (connection, kind)."""
    if _batch.get() is not None:  # nested: the outer batch sends
        yield
        return
    token = _batch.set(defaultdict(set))
    try:
        yield
        pending = _batch.get()
    finally:
        _batch.reset(token)
    for (connection_id, kind), ids in pending.items():
        announce(connection_id, kind, ids)


def _send(paychex_connection_id: int, kind: str, ids: set[str]) -> None:
    from mappings.models import MAPPING_MODELS, StatusMapping

    mapping_changed.send(
        sender=MAPPING_MODELS.get(kind, StatusMapping), paychex_connection_id=paychex_connection_id, kind=kind, source_ids=tuple(sorted(ids))
    )
