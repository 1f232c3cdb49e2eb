"""`python manage.py register_webhooks [--public-url URL] [--connection NAME]`"""
from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from connector.errors import ApiError
from connector.models import Connection
from syncjobs.webhooks import register_webhooks


class Command(BaseCommand):
    help = "Register (or replace) the Paychex webhooks of active Paychex connections, with new credentials."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--public-url", default="", help="Public https base URL of this console (default: SITE_URL)")
        parser.add_argument("--connection", default="", help="Name of one Paychex connection (default: all active)")

    def handle(self, *args, public_url: str, connection: str, **options) -> None:
        base = (public_url or settings.SITE_URL).strip()
        if not base.startswith(("https://", "http://")):
            raise CommandError("Give --public-url https://… (or set SITE_URL): the address Paychex can reach.")
        connections = Connection.objects.filter(system=Connection.System.PAYCHEX, is_active=True)
        if connection:
            connections = connections.filter(name=connection)
        if not connections:
            raise CommandError(f"No active Paychex connection{' named ' + repr(connection) if connection else ''}.")
        failed = False
        for conn in connections:
            try:
                result = register_webhooks(conn, base)
            except ApiError as exc:
                failed = True
                self.stderr.write(f"{conn.name}: registration failed: {exc.message}")
                continue
            self.stdout.write(f"{conn.name}: hook {', '.join(result.hook_ids)} → {result.uri} for "
                              f"{', '.join(result.domains)}; removed {len(result.removed)} old hook(s)")
            if result.unavailable:
                self.stdout.write(f"  not offered to this app type: {', '.join(result.unavailable)}")
        if failed:
            raise CommandError("Some registrations failed (see above).")
