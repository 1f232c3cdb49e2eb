"""python manage.py mappings_import <kind> <file> [--connection name] [--user name]"""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mappings.csv_io import CsvImportError, import_csv
from mappings.management.commands._connection import paychex_connection
from mappings.models import MAPPING_MODELS


class Command(BaseCommand):
    help = "Import a mapping table from CSV: every row is checked first; nothing is written if one is bad."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("kind", choices=list(MAPPING_MODELS))
        parser.add_argument("file")
        parser.add_argument("--connection", help="Paychex connection name (needed when there are several)")
        parser.add_argument("--user", default="", help="recorded as set_by (default: the OS user)")

    def handle(self, *args, kind: str, file: str, connection: str | None, user: str, **options) -> None:  # type: ignore[no-untyped-def]
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        username = user or _os_user()
        try:
            result = import_csv(paychex_connection(connection), kind, data, username=username)
        except CsvImportError as exc:
            raise CommandError("nothing imported:\n" + "\n".join(exc.errors)) from exc
        self.stdout.write(f"{len(result.changed)} mappings changed, {result.unchanged} unchanged")


def _os_user() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"
