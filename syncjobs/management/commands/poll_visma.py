"""`python manage.py poll_visma [--connection NAME] [--catalog]`: poll Visma now, as the schedule does."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from connector.models import Connection
from syncjobs import polling
from syncjobs.models import SyncRun

FAILED = (SyncRun.Status.FAILED, SyncRun.Status.PARTIAL)


class Command(BaseCommand):
    help = "Read Visma employees changed since the last poll (and correct or report drift); --catalog: dimension values."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--connection", default="", help="Visma connection name (default: every active one)")
        parser.add_argument("--catalog", action="store_true", help="refresh the dimension catalog instead")

    def handle(self, *args: Any, connection: str, catalog: bool, **options: Any) -> None:
        connections = Connection.objects.filter(system=Connection.System.VISMA, is_active=True)
        if connection:
            connections = connections.filter(name=connection)
        if not connections:
            raise CommandError("No active Visma connection" + (f" named {connection!r}." if connection else "."))
        failed = []
        for visma in connections:
            report = polling.poll_catalog(visma, started_by="poll_visma command") if catalog else \
                polling.poll_employees(visma, started_by="poll_visma command")
            drift = ", ".join(f"{n} {k}" for k, n in report.drift.items())
            self.stdout.write(f"{visma.name}: {report.status}. {report.message}" + (f" Drift: {drift}." if drift else ""))
            if report.status in FAILED:
                failed.append(visma.name)
        if failed:
            raise CommandError(f"Poll failed for {', '.join(failed)}.")
