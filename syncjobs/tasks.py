"""django-q2 entry points: thin, take ids, call services. Each may run twice; the services make that harmless."""
from __future__ import annotations

from connector.models import Connection
from syncjobs import backfill, headcount, polling, pruning, reaper, runs


def process_notification(notification_pk: int) -> str:
    notification = runs.process_notification(notification_pk)
    return notification.status if notification else "not due (claimed elsewhere or done)"


def run_resync(run_id: int) -> str:
    run = runs.run_resync(run_id)
    return run.status if run else "already started"


def backfill_company(connection_id: int, trigger: str = "backfill") -> str:
    """Start (or resume) and run a backfill — or, with trigger "reconcile", a Paychex reconciliation."""
    return runs.backfill_company(connection_id, started_by="queue", trigger=trigger).status


def run_backfill(run_id: int) -> str:
    """Run an already created (queued) backfill or reconciliation run, e.g. from the admin."""
    run = backfill.run(run_id)
    return run.status if run else "already started"


def reconcile_paychex() -> dict[str, str]:
    """Scheduled: a Paychex reconciliation of every active Paychex connection (one after the other)."""
    return {c.name: runs.backfill_company(c.pk, started_by="schedule", trigger="reconcile").status
            for c in Connection.objects.filter(system=Connection.System.PAYCHEX, is_active=True)}


def poll_visma() -> dict[str, str]:
    """Scheduled: incremental poll of every active Visma connection's employees (drift)."""
    return {name: report.status for name, report in polling.poll_all_employees().items()}


def poll_catalog(visma_connection_id: int | None = None) -> dict[str, str]:
    """Scheduled (all connections), or one connection after a Visma dimension webhook."""
    if visma_connection_id is None:
        return {name: report.status for name, report in polling.poll_all_catalogs().items()}
    visma = Connection.objects.get(pk=visma_connection_id, system=Connection.System.VISMA)
    return {visma.name: polling.poll_catalog(visma, started_by="Visma webhook").status}


def check_visma_employee(visma_connection_id: int, employee_cd: str) -> str:
    """A Visma webhook's hint: read that employee and check it for drift."""
    visma = Connection.objects.get(pk=visma_connection_id, system=Connection.System.VISMA)
    return polling.check_employee(visma, employee_cd).status


def headcount_report(username: str = "", refresh: bool = True) -> str:
    """Build and store the headcount reconciliation report (the admin's "Refresh now")."""
    report = headcount.store(headcount.build(refresh=refresh), requested_by=username or "queue")
    return "matches" if report.ok else f"{report.mismatches} mismatches"


def prune() -> str:
    return str(pruning.prune())


def apply_due_statuses() -> int:
    return len(runs.apply_due_statuses())


def retry_error_item(item_pk: int, username: str = "") -> str:
    run = runs.retry_error_item(item_pk, username=username)
    return run.status if run else "nothing to retry"


def reap() -> str:
    return str(reaper.reap())


def send_alert_digest() -> int:
    """Scheduled: e-mail the integration admins what went wrong since the last digest (0 or 1 e-mails)."""
    from syncjobs import alerts

    return alerts.send_digest()
