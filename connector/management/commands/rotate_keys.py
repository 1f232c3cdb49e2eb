"""Re-encrypt every stored secret under the newest key.

Put the new key first in SALT_KEY (comma-separated, newest first), keep the old ones after it, run this,
then drop the old keys. Values no configured key can decrypt are reported and left untouched.
"""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from connector.fields import SecretField, UndecryptableSecret, reset_key_cache
from connector.models import Connection


def secret_field_names() -> list[str]:
    return [f.name for f in Connection._meta.get_fields() if isinstance(f, SecretField)]


def rotate() -> tuple[int, list[str]]:
    """Re-encrypt every readable secret of every connection with the first key; return (rows rewritten,
    "name: field" for each value that could not be decrypted)."""
    reset_key_cache()  # keys are cached per field instance; pick up the settings as they are now
    names, rewritten, unreadable = secret_field_names(), 0, []
    for connection in Connection.objects.order_by("pk"):
        values = {name: getattr(connection, name) for name in names}
        readable = {n: v for n, v in values.items() if v is not None and not isinstance(v, UndecryptableSecret)}
        unreadable += [f"{connection.name}: {n}" for n, v in values.items() if isinstance(v, UndecryptableSecret)]
        if readable:
            # update() encrypts through the field with MultiFernet, which always encrypts with the first key.
            Connection.objects.filter(pk=connection.pk).update(**readable)
            rewritten += 1
    return rewritten, unreadable


class Command(BaseCommand):
    help = "Re-encrypt all connection secrets under the newest SALT_KEY (the first one)."

    def handle(self, *args: Any, **options: Any) -> None:
        rewritten, unreadable = rotate()
        self.stdout.write(f"Re-encrypted secrets of {rewritten} connection(s) under the newest key.")
        if unreadable:
            for item in unreadable:
                self.stderr.write(f"Could not decrypt {item} (left untouched: re-enter it)")
            raise CommandError(f"{len(unreadable)} secret(s) could not be decrypted with any configured key")
