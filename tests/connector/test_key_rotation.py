"""rotate_keys re-encrypts every secret under the newest SALT_KEY; old rows still read; bad rows reported."""
from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection as db

from connector.fields import UndecryptableSecret, reset_key_cache
from connector.models import Connection
from tests.connector.conftest import PAYCHEX_SECRET

OLD_SALT = "test-salt-key-0123456789abcdef"
NEW_SALT = "new-salt-key-fedcba9876543210"


def raw(connection_id: int, column: str = "client_secret") -> str:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM connector_connection WHERE id = %s", [connection_id])
        return cursor.fetchone()[0]


@pytest.fixture
def salt_keys(settings):
    """Set SALT_KEY for the test; the fields cache derived keys, so clear them now and afterwards."""
    def use(*keys: str) -> None:
        settings.SALT_KEY = list(keys)
        reset_key_cache()
    yield use
    reset_key_cache()


def test_rotation_re_encrypts_under_the_newest_key_and_old_keys_still_read(paychex, salt_keys):
    paychex.webhook_signing_key = "signing-key-0001"
    paychex.save()
    before = raw(paychex.pk)

    salt_keys(NEW_SALT, OLD_SALT)
    assert Connection.objects.get(pk=paychex.pk).client_secret == PAYCHEX_SECRET  # old rows still read
    call_command("rotate_keys")

    assert raw(paychex.pk) != before
    salt_keys(NEW_SALT)  # the old key is gone: only a re-encrypted row can still be read
    stored = Connection.objects.get(pk=paychex.pk)
    assert stored.client_secret == PAYCHEX_SECRET and stored.webhook_signing_key == "signing-key-0001"


def test_without_rotation_dropping_the_old_key_makes_the_row_undecryptable(paychex, salt_keys):
    salt_keys(NEW_SALT)
    assert isinstance(Connection.objects.get(pk=paychex.pk).client_secret, UndecryptableSecret)


def test_rotation_reports_rows_it_cannot_decrypt_and_leaves_them_untouched(paychex, visma, salt_keys, capsys):
    corrupt = "gAAAAA" + "z" * 120
    with db.cursor() as cursor:
        cursor.execute("UPDATE connector_connection SET client_secret = %s WHERE id = %s", [corrupt, visma.pk])
    salt_keys(NEW_SALT, OLD_SALT)

    with pytest.raises(CommandError, match="1 secret"):
        call_command("rotate_keys")

    assert raw(visma.pk) == corrupt
    assert "visma: client_secret" in capsys.readouterr().err
    salt_keys(NEW_SALT)
    assert Connection.objects.get(pk=paychex.pk).client_secret == PAYCHEX_SECRET
