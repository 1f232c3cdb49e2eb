"""Enqueueing tasks: always after commit, and never failing the caller (the database is the truth).

If the broker is down the row that describes the work is already stored; the reaper enqueues it again.
"""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task_path: str, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task_path(*args, **kwargs)` now; a broker failure is logged, not raised."""
    from django_q.tasks import async_task

    try:
        async_task(task_path, *args, **kwargs)
    except Exception as exc:  # the reaper recovers from the stored state; the caller must not fail
        logger.warning("Could not enqueue %s%r (%s); the reaper will pick it up", task_path, args, exc.__class__.__name__)


def enqueue_on_commit(task_path: str, *args: Any, **kwargs: Any) -> None:
    """Enqueue after the current transaction commits (immediately when there is none)."""
    transaction.on_commit(lambda: enqueue(task_path, *args, **kwargs))
