import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.keys import check_salt_keys, check_secret_key, ensure_dev_keys

REPO = Path(__file__).resolve().parents[2]


def test_weak_secret_keys_are_refused():
    for weak in ["", "short", "a" * 60, "django-insecure-" + "x1y2z3" * 10]:
        with pytest.raises(ImproperlyConfigured):
            check_secret_key(weak)
    check_secret_key("Zq8Lm4Rt" * 8)


def test_salt_keys_must_all_be_long_enough():
    with pytest.raises(ImproperlyConfigured):
        check_salt_keys([])
    with pytest.raises(ImproperlyConfigured):
        check_salt_keys(["long-enough-salt-value", "short"])
    check_salt_keys(["long-enough-salt-value"])


def test_dev_keys_are_generated_once_and_reused(tmp_path):
    path = tmp_path / "var" / "dev-keys.env"
    first = ensure_dev_keys(path)
    second = ensure_dev_keys(path)
    assert first == second
    check_secret_key(first["SECRET_KEY"])
    check_salt_keys([first["SALT_KEY"]])


def _run_check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SALT_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )


def test_production_start_up_stops_on_a_missing_key_with_a_clear_message(tmp_path):
    result = _run_check({"DEBUG": "False", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak" in result.stderr


def test_production_start_up_accepts_strong_keys(tmp_path):
    result = _run_check(
        {
            "DEBUG": "False",
            "SECRET_KEY": "Qm4Xv7Jk" * 8,
            "SALT_KEY": "a-strong-salt-value-123",
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        }
    )
    assert result.returncode == 0, result.stderr


def test_a_secret_starting_with_a_dollar_is_read_verbatim(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"],
        cwd=REPO,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "False",
             "SECRET_KEY": "$" + "Pw9Ab3Cd" * 8, "SALT_KEY": "a-strong-salt-value-123",
             "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "$" + "Pw9Ab3Cd" * 8
