"""`python manage.py visma_webhook [--connection NAME] [--public-url URL] [--generate-key | --key-from-env VAR]`

Visma has no subscription API any more (removed 30.04.2025, specs/visma/NOTES §5): a person subscribes in
the Visma Developer Portal. This prints what to paste there (the webhook URL, the events) and stores the
signing key: the one the portal shows (--key-from-env, or the connection's admin page), or one generated
here (--generate-key, shown once) where a key can be chosen, e.g. the sandbox.
"""
from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from connector.models import Connection
from syncjobs.visma_webhooks import new_signing_key, signing_keys

EVENTS = "Employee Changed; Dimension Changed; Segment Changed / Value Changed (publisher: Visma Net Financial)"


class Command(BaseCommand):
    help = "Show the Visma webhook URL to paste into the Developer Portal and store its signing key."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--connection", default="", help="Visma connection name (needed when there are several)")
        parser.add_argument("--public-url", default="", help="Public https base URL of this console (default: SITE_URL)")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--generate-key", action="store_true", help="make a random key, store it, show it once")
        group.add_argument("--key-from-env", default="", metavar="VAR", help="store the key from this environment variable")

    def handle(self, *args: Any, connection: str, public_url: str, generate_key: bool, key_from_env: str,
               **options: Any) -> None:
        visma = _visma(connection)
        url = f"{(public_url or settings.SITE_URL).rstrip('/')}/webhooks/visma/"
        key = new_signing_key() if generate_key else (os.environ.get(key_from_env, "") if key_from_env else "")
        if key_from_env and not key:
            raise CommandError(f"Environment variable {key_from_env} is empty or not set.")
        if key:
            visma.webhook_signing_key = key
            visma.save(update_fields=["webhook_signing_key"])
            signing_keys.clear()
        self.stdout.write(f"Webhook URL for the Developer Portal: {url}")
        self.stdout.write(f"Events: {EVENTS}")
        self.stdout.write(f"Signature header expected: {settings.SYNCJOBS['VISMA_WEBHOOK_SIGNATURE_HEADER']}")
        if generate_key:
            self.stdout.write(f"Signing key (shown once, stored encrypted): {key}")
        elif key:
            self.stdout.write("Signing key stored (encrypted).")
        else:
            stored = "stored" if visma.webhook_signing_key else "NOT SET: webhooks will be refused until it is"
            self.stdout.write(f"Signing key: {stored}. Paste the key the portal shows with --key-from-env VAR or on "
                              "the connection's admin page.")
        if not url.startswith("https://"):
            self.stdout.write("Note: Visma only calls https URLs.")


def _visma(name: str) -> Connection:
    candidates = Connection.objects.filter(system=Connection.System.VISMA, is_active=True)
    if name:
        candidates = candidates.filter(name=name)
    found = list(candidates[:2])
    if len(found) != 1:
        problem = "No active Visma connection" if not found else "Several Visma connections: give --connection"
        raise CommandError(f"{problem}{' named ' + repr(name) if name and not found else ''}.")
    return found[0]
