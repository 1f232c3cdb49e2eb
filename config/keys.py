"""Secret-key handling: generate development keys once, refuse weak keys in production.

Development must work on a fresh clone with nothing configured, so missing keys are generated once
into a git-ignored file. Production (DEBUG off) must never run on a generated, missing or weak key,
because every stored credential is encrypted with a key derived from SECRET_KEY and SALT_KEY.
"""
from __future__ import annotations

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

MIN_SECRET_KEY_LENGTH = 50
MIN_SALT_KEY_LENGTH = 16
MIN_UNIQUE_CHARACTERS = 5


def ensure_dev_keys(path: Path) -> dict[str, str]:
    """Return {"SECRET_KEY", "SALT_KEY"} from `path`, creating the file with fresh keys if absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [
            "# Generated development keys. Git-ignored. Delete to regenerate (stored secrets become unreadable).",
            f"SECRET_KEY={secrets.token_urlsafe(50)}",
            f"SALT_KEY={secrets.token_urlsafe(24)}",
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        path.chmod(0o600)
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def check_secret_key(value: str) -> None:
    """Raise ImproperlyConfigured if `value` is too weak to protect stored credentials."""
    if (
        len(value) < MIN_SECRET_KEY_LENGTH
        or len(set(value)) < MIN_UNIQUE_CHARACTERS
        or value.startswith("django-insecure")
    ):
        raise ImproperlyConfigured(
            f"SECRET_KEY is missing or weak: set it to at least {MIN_SECRET_KEY_LENGTH} random "
            "characters (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )


def check_salt_keys(values: list[str]) -> None:
    """Raise ImproperlyConfigured unless every SALT_KEY entry is long enough."""
    if not values or any(len(value) < MIN_SALT_KEY_LENGTH for value in values):
        raise ImproperlyConfigured(
            f"SALT_KEY is missing or weak: set it to one or more comma-separated random values of at "
            f"least {MIN_SALT_KEY_LENGTH} characters, the newest first."
        )
