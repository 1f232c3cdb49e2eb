"""Encrypted model fields that refuse to hand back ciphertext.

django-fernet-encrypted-fields returns the stored ciphertext unchanged when decryption fails (wrong
key, corrupted row). For a credential that would mean sending ciphertext to a vendor as a password and
getting a confusing 401, so these fields return an `UndecryptableSecret` marker instead, which code and
the admin can detect and report.
"""
from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from encrypted_fields.fields import EncryptedTextField


class UndecryptableSecret(str):
    """A stored secret that none of the configured keys can decrypt. Its text says so; never the value."""

    def __new__(cls) -> "UndecryptableSecret":
        return super().__new__(cls, "<undecryptable secret>")

    def __bool__(self) -> bool:
        return True


class SecretField(EncryptedTextField):
    """Fernet-encrypted text; decryption failures surface as `UndecryptableSecret`, never as ciphertext."""

    def to_python(self, value: Any) -> Any:
        if value is None or not isinstance(value, str) or hasattr(self, "_already_decrypted"):
            return value
        if isinstance(value, UndecryptableSecret):
            return value
        try:
            return self.f.decrypt(value.encode("utf-8")).decode("utf-8")
        except (InvalidToken, UnicodeEncodeError, ValueError):
            if _looks_like_fernet_token(value):
                return UndecryptableSecret()
            # A plain value assigned in memory (not yet saved) is not ciphertext.
            return value

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, UndecryptableSecret):
            raise ValueError("Refusing to save an undecryptable secret: set a new value instead.")
        return super().get_prep_value(value)


def _looks_like_fernet_token(value: str) -> bool:
    # Fernet tokens are url-safe base64 of version byte 0x80, which always encodes to "gAAAAA".
    return value.startswith("gAAAAA") and len(value) >= 100


def reset_key_cache() -> None:
    """Forget the Fernet keys every SecretField derived from settings (cached on the field instance),
    so a changed SALT_KEY / SECRET_KEY takes effect in this process (key rotation, tests)."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, SecretField):
                field.__dict__.pop("keys", None)
                field.__dict__.pop("f", None)
