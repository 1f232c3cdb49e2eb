"""`python manage.py backfill [--company NAME|COMPANY_ID] [--restart] [--reconcile]`: the initial load.

Reads every Paychex worker page by page and syncs each through the same service as webhooks, showing a
progress bar. Interrupt it (Ctrl-C) at any time: the next `backfill` resumes after the last finished page
and does not redo the workers it already finished. Exit status 1 when the run did not succeed.
"""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from connector.models import Connection
from syncjobs import backfill
from syncjobs.models import SyncRun

OK = (SyncRun.Status.SUCCEEDED, SyncRun.Status.NO_CHANGES)


class Command(BaseCommand):
    help = "Sync every worker of a Paychex company to Visma (page by page, resumable, with progress)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--company", default="", help="Paychex connection name or company id (needed when there are several)")
        parser.add_argument("--restart", action="store_true", help="start from the first worker even if an interrupted backfill could resume")
        parser.add_argument("--resume", action="store_true", help="resume an interrupted backfill (the default; kept for scripts)")
        parser.add_argument("--reconcile", action="store_true", help="run a Paychex reconciliation (trigger 'reconcile') instead")
        parser.add_argument("--concurrency", type=int, default=None, help="workers synced in parallel (default BACKFILL_CONCURRENCY)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs, cron)")

    def handle(self, *args: Any, company: str, restart: bool, reconcile: bool, concurrency: int | None,
               no_progress: bool, **options: Any) -> None:
        if restart and options.get("resume"):
            raise CommandError("--restart and --resume exclude each other.")
        connection = paychex_connection(company)
        trigger = SyncRun.Trigger.RECONCILE if reconcile else SyncRun.Trigger.BACKFILL
        queued = backfill.start(connection, trigger=trigger, started_by="backfill command", resume=not restart)
        if queued.status != SyncRun.Status.QUEUED:
            raise CommandError(f"A {trigger} of {connection.name} is already running (run {queued.pk}).")
        if queued.params.get("resume_of"):
            self.stdout.write(f"Resuming run {queued.params['resume_of']} after {queued.checkpoint.get('offset', 0)} workers.")
        bar = None if no_progress else progress_bar(queued, self.stdout)
        try:
            run = backfill.run(queued.pk, progress=bar.update_from if bar else None, concurrency=concurrency)
        except KeyboardInterrupt:
            stopped = SyncRun.objects.get(pk=queued.pk)
            stopped.finish(error="Interrupted (Ctrl-C). Run `backfill` again to resume after the last finished page.")
            raise CommandError(f"Interrupted: run {queued.pk} stopped after {stopped.checkpoint.get('offset', 0)} "
                               "workers; run the command again to resume.", returncode=130) from None
        finally:
            if bar:
                bar.close()
        run = run or queued
        run.refresh_from_db()
        self.stdout.write(f"Run {run.pk}: {run.get_status_display()}. {run.note}")
        if run.status not in OK:
            raise CommandError(f"{run.get_trigger_display()} did not succeed: see run {run.pk} and the error queue.")


def paychex_connection(name_or_company: str) -> Connection:
    candidates = Connection.objects.filter(system=Connection.System.PAYCHEX, is_active=True)
    if name_or_company:
        candidates = candidates.filter(name=name_or_company) or candidates.filter(company_id=name_or_company)
    found = list(candidates[:2])
    if len(found) != 1:
        problem = "No active Paychex connection" if not found else "Several Paychex connections: give --company"
        raise CommandError(f"{problem}{' named ' + repr(name_or_company) if name_or_company and not found else ''}.")
    return found[0]


class _Bar:
    """tqdm over workers read; the total comes from Paychex's first page."""

    def __init__(self, run: SyncRun, stream: Any) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm(total=run.progress_total, initial=run.progress_done, unit="worker", file=stream,
                          desc=run.get_trigger_display(), dynamic_ncols=True)

    def update_from(self, run: SyncRun) -> None:
        if run.progress_total is not None and self._tqdm.total != run.progress_total:
            self._tqdm.total = run.progress_total
        self._tqdm.update(run.progress_done - self._tqdm.n)

    def close(self) -> None:
        self._tqdm.close()


def progress_bar(run: SyncRun, stdout: Any) -> _Bar:
    return _Bar(run, getattr(stdout, "_out", stdout))
