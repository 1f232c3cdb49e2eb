"""python manage.py mappings_export <kind> [--output file] [--connection name]"""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from mappings.csv_io import export_csv
from mappings.management.commands._connection import paychex_connection
from mappings.models import MAPPING_MODELS


class Command(BaseCommand):
    help = "Export a mapping table as CSV (UTF-8 with BOM)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("kind", choices=list(MAPPING_MODELS))
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument("--connection", help="Paychex connection name (needed when there are several)")

    def handle(self, *args, kind: str, output: str | None, connection: str | None, **options) -> None:  # type: ignore[no-untyped-def]
        text = export_csv(paychex_connection(connection), kind)
        if output:
            Path(output).write_bytes(text.encode("utf-8-sig"))
            self.stderr.write(f"wrote {output}")
        else:
            self.stdout.write(text, ending="")
