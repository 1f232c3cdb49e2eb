"""Test settings: fixed strong keys, fast hashing, django-q2 tasks run synchronously in-process."""
import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x7Gq2mR9vLp4Tz8Wk3Nb6Yc1Hd5Fj0Se" * 2)
os.environ.setdefault("SALT_KEY", "test-salt-key-0123456789abcdef")
os.environ.setdefault("DEBUG", "False")

from config.settings import *  # noqa: E402,F403
from config.settings import Q_CLUSTER, SYNCJOBS  # noqa: E402

# django-q2 reads Q_CLUSTER once at import; `sync` makes async_task run inline, so a test sees the
# whole flow without a cluster.
Q_CLUSTER["sync"] = True
# Each test runs inside one database transaction that other threads cannot see: backfills sync inline.
# Tests of the parallel path set it themselves (with a transactional database, on PostgreSQL).
SYNCJOBS["BACKFILL_CONCURRENCY"] = 1
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
