"""Test connections: a token and one cheap read each; one line per connection; exit 1 on any failure."""
from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from connector.models import Connection
from connector.services import check_connection


class Command(BaseCommand):
    help = "Check every active connection (or the named ones): token + one cheap read."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--name", action="append", help="check only this connection (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["name"]
        connections = Connection.objects.filter(name__in=names) if names else Connection.objects.filter(is_active=True)
        connections = list(connections)
        missing = set(names or []) - {c.name for c in connections}
        if missing:
            raise CommandError(f"no connection named {', '.join(sorted(missing))}")
        failures = 0
        for connection in connections:
            result = check_connection(connection)
            failures += not result.ok
            self.stdout.write(f"{'OK  ' if result.ok else 'FAIL'} {connection.name} ({connection.system}): {result.message}")
        if failures:
            self.stderr.write(f"{failures} of {len(connections)} connection(s) failed")
            sys.exit(1)
