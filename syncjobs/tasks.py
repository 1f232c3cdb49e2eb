"""django-q2 entry points: thin, take ids, call services. Each may run twice; the services make that harmless."""
from __future__ import annotations

from syncjobs import reaper, runs


def process_notification(notification_pk: int) -> str:
    notification = runs.process_notification(notification_pk)
    return notification.status if notification else "not due (claimed elsewhere or done)"


def run_resync(run_id: int) -> str:
    run = runs.run_resync(run_id)
    return run.status if run else "already started"


def backfill_company(connection_id: int) -> str:
    return runs.backfill_company(connection_id).status


def apply_due_statuses() -> int:
    return len(runs.apply_due_statuses())


def retry_error_item(item_pk: int, username: str = "") -> str:
    run = runs.retry_error_item(item_pk, username=username)
    return run.status if run else "nothing to retry"


def reap() -> str:
    return str(reaper.reap())
