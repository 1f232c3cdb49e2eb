"""`python manage.py sync_worker WORKER_ID [--connection NAME]`: sync one worker now, in this process."""
from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from connector.models import Connection
from syncjobs.models import SyncRun
from syncjobs.services import sync_worker


class Command(BaseCommand):
    help = "Sync one Paychex worker to Visma now and print what was done."

    def add_arguments(self, parser) -> None:
        parser.add_argument("worker_id", help="Paychex workerId")
        parser.add_argument("--connection", default="", help="Paychex connection name (needed when there are several)")

    def handle(self, *args, worker_id: str, connection: str, **options) -> None:
        conn = self._connection(connection)
        run = SyncRun.objects.create(trigger=SyncRun.Trigger.COMMAND, connection=conn, started_by="sync_worker command")
        run.start(settings.SYNCJOBS["RUN_LEASE_SECONDS"])
        result = sync_worker(conn, worker_id, "manual sync (sync_worker command)", run=run, audit_unchanged=True)
        run.finish()
        self.stdout.write(f"{worker_id}: {result.outcome}. {result.message} (run {run.pk})")
        if result.outcome in ("failed", "retrying"):
            raise CommandError(f"Sync did not complete; see the error queue (item {result.error_item_id}).")

    def _connection(self, name: str) -> Connection:
        candidates = Connection.objects.filter(system=Connection.System.PAYCHEX, is_active=True)
        if name:
            candidates = candidates.filter(name=name)
        found = list(candidates[:2])
        if len(found) != 1:
            problem = "No active Paychex connection" if not found else "Several Paychex connections: give --connection"
            raise CommandError(f"{problem}{' named ' + repr(name) if name and not found else ''}.")
        return found[0]
