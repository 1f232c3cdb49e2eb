"""Store or update a connection from the shell.

    manage.py connect paychex --name acme --company-id 99Z5V9BTI8J2FCGESC05 --client-id … [--client-secret-env VAR]
    manage.py connect visma --name acme-erp --tenant-id <GUID> --client-id … [--company-id …]

Keyed by name (default: the system), so running it again updates the row. The secret is read, in this
order, from --client-secret, from the variable named by --client-secret-env, or from
PAYCHEX_CLIENT_SECRET / VISMA_CLIENT_SECRET; prefer the environment: a command-line argument ends up in
the shell history and the process list.
"""
from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator

from connector.models import Connection

DEFAULTS = {
    "paychex": {"base_url": "https://api.paychex.com", "token_url": "https://api.paychex.com/auth/oauth/v2/token"},
    "visma": {"base_url": "https://api.finance.visma.net", "token_url": "https://connect.visma.com/connect/token"},
}
SECRET_ENV = {"paychex": "PAYCHEX_CLIENT_SECRET", "visma": "VISMA_CLIENT_SECRET"}


class Command(BaseCommand):
    help = "Create or update a Paychex or Visma connection (keyed by --name)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        systems = parser.add_subparsers(dest="system", required=True)
        for system in ("paychex", "visma"):
            sub = systems.add_parser(system, help=f"a {system} connection")
            sub.add_argument("--name", default=system, help="unique name (default: the system)")
            sub.add_argument("--base-url", help=f"API root (default on create: {DEFAULTS[system]['base_url']})")
            sub.add_argument("--token-url", help=f"OAuth2 token URL (default on create: {DEFAULTS[system]['token_url']})")
            sub.add_argument("--client-id")
            sub.add_argument("--client-secret", help=f"prefer --client-secret-env or {SECRET_ENV[system]}")
            sub.add_argument("--client-secret-env", metavar="VAR", help="read the secret from this environment variable")
            sub.add_argument("--company-id", help="Paychex companyId" if system == "paychex" else "ipp-company-id header (optional)")
            state = sub.add_mutually_exclusive_group()
            state.add_argument("--active", dest="is_active", action="store_true", default=None, help="switch it on (default on create)")
            state.add_argument("--inactive", dest="is_active", action="store_false", help="switch it off")
            if system == "paychex":
                sub.add_argument("--destination", metavar="VISMA_NAME", help="the Visma connection receiving the workers")
            else:
                sub.add_argument("--tenant-id", help="Visma Connect company tenant id (GUID)")

    def handle(self, *args: Any, **options: Any) -> None:
        system = options["system"]
        connection = Connection.objects.filter(name=options["name"]).first()
        if connection and connection.system != system:
            raise CommandError(f"{options['name']!r} is already a {connection.system} connection; pick another --name")
        creating = connection is None
        connection = connection or Connection(name=options["name"], system=system)
        changed = self._apply(connection, options, creating)
        secret = self._secret(options, system)
        if secret:
            connection.set_client_secret(secret)
            changed += ["client_secret", "secret_changed_at", "access_token", "token_expires_at"]
        self._validate(connection, creating)
        if creating:
            connection.save()
        elif changed:
            connection.save(update_fields=sorted(set(changed)) + ["updated_at"])
        verb = "Created" if creating else ("Updated" if changed else "Unchanged")
        self.stdout.write(f"{verb} {system} connection {connection.name!r} (id {connection.pk}); secret "
                          f"{'set' if connection.has_secret else 'NOT set'}.")

    def _apply(self, connection: Connection, options: dict[str, Any], creating: bool) -> list[str]:
        values = {
            "base_url": options["base_url"], "token_url": options["token_url"], "client_id": options["client_id"],
            "company_id": options["company_id"], "tenant_id": options.get("tenant_id"),
        }
        if creating:
            for name, default in DEFAULTS[connection.system].items():
                values[name] = values[name] or default
        changed = [name for name, value in values.items() if value is not None and value != getattr(connection, name)]
        for name in changed:
            setattr(connection, name, values[name].strip())
        if options["is_active"] is not None and options["is_active"] != connection.is_active:
            connection.is_active = options["is_active"]
            changed.append("is_active")
        if options.get("destination"):
            connection.destination = self._destination(options["destination"])
            changed.append("destination")
        return changed

    def _destination(self, name: str) -> Connection:
        destination = Connection.objects.filter(name=name).first()
        if destination is None or destination.system != Connection.System.VISMA:
            raise CommandError(f"--destination {name!r} is not a Visma connection (create it first with `connect visma`)")
        return destination

    def _secret(self, options: dict[str, Any], system: str) -> str:
        if options["client_secret"]:
            return options["client_secret"].strip()
        variable = options["client_secret_env"]
        if variable:
            value = os.environ.get(variable, "").strip()
            if not value:
                raise CommandError(f"--client-secret-env {variable}: that environment variable is empty or not set")
            return value
        return os.environ.get(SECRET_ENV[system], "").strip()

    def _validate(self, connection: Connection, creating: bool) -> None:
        problems = []
        for name in ("base_url", "token_url"):
            try:
                URLValidator(schemes=["http", "https"])(getattr(connection, name))
            except ValidationError:
                problems.append(f"--{name.replace('_', '-')} {getattr(connection, name)!r} is not a valid http(s) URL")
        if not connection.client_id:
            problems.append("--client-id is required")
        if creating and not connection.client_secret:
            problems.append(f"a client secret is required: --client-secret-env VAR or {SECRET_ENV[connection.system]}")
        if connection.system == "paychex" and not connection.company_id:
            problems.append("--company-id (the Paychex companyId) is required")
        if connection.system == "visma" and not connection.tenant_id:
            problems.append("--tenant-id (the Visma Connect company tenant id) is required")
        if problems:
            raise CommandError("; ".join(problems) + ". Nothing was saved.")
