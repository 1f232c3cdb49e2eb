"""Settings, all read from the environment (django-environ); `.env` is read when present.

Every variable is documented in `.env.example`. Bad values fail start-up loudly.
"""
from __future__ import annotations

import os
from pathlib import Path

import environ

from config.keys import check_salt_keys, check_secret_key, ensure_dev_keys

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def raw_env(name: str) -> str:
    """Read a secret verbatim: django-environ would treat a value starting with "$" as a reference
    to another variable, and a random secret may well start with "$"."""
    return os.environ.get(name, "").strip()


def raw_env_list(name: str) -> list[str]:
    return [part.strip() for part in raw_env(name).split(",") if part.strip()]

DEBUG = env.bool("DEBUG", default=False)

# --- Keys -----------------------------------------------------------------------------------------
SECRET_KEY = raw_env("SECRET_KEY")
# Newest first: new values are encrypted with the first key, older keys still decrypt.
SALT_KEY = raw_env_list("SALT_KEY")
if DEBUG and not (SECRET_KEY and SALT_KEY):
    _dev_keys = ensure_dev_keys(VAR_DIR / "dev-keys.env")
    SECRET_KEY = SECRET_KEY or _dev_keys["SECRET_KEY"]
    SALT_KEY = SALT_KEY or [_dev_keys["SALT_KEY"]]
check_secret_key(SECRET_KEY)
check_salt_keys(SALT_KEY)
SECRET_KEY_FALLBACKS = raw_env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # django.contrib.admin with the console's site (dashboard as the front page): see syncjobs/console.py
    "syncjobs.console.ConsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_q",
    "connector",
    "mappings",
    "syncjobs",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
IS_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if IS_SQLITE:
    # The web server and the worker cluster write to one file: WAL lets readers run beside the
    # writer, IMMEDIATE takes the write lock at BEGIN (no deadlock on lock upgrade), and the
    # timeout makes a writer wait instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=30),
        }
    )
    VAR_DIR.mkdir(exist_ok=True)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Queue (django-q2) ----------------------------------------------------------------------------
QUEUE_BROKER_URL = env.str("QUEUE_BROKER_URL", default="")
Q_CLUSTER = {
    "name": env.str("Q_CLUSTER_NAME", default="ml-connector"),
    # SQLite allows one writer: more than one worker only queues them on the file lock.
    "workers": env.int("Q_WORKERS", default=1 if IS_SQLITE else 4),
    "timeout": env.int("Q_TIMEOUT_SECONDS", default=300),
    # `retry` is a visibility timeout, not a back-off: it must exceed `timeout` or a slow task runs twice.
    "retry": env.int("Q_TIMEOUT_SECONDS", default=300) + 60,
    # Our own back-off schedule lives in the database; the queue must not re-run failures forever.
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": env.int("Q_SAVE_LIMIT", default=1000),
    "poll": env.float("Q_ORM_POLL_SECONDS", default=0.1),
    "label": "Queue",
}
if QUEUE_BROKER_URL.startswith(("redis://", "rediss://")):
    Q_CLUSTER["redis"] = QUEUE_BROKER_URL
elif QUEUE_BROKER_URL:
    raise environ.ImproperlyConfigured(
        f"QUEUE_BROKER_URL must be a redis:// URL or empty (the database broker), not {QUEUE_BROKER_URL!r}"
    )
else:
    # Leaving "orm" out would silently mean Redis.
    Q_CLUSTER["orm"] = "default"

# --- Auth, i18n, static ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Times are stored in UTC and shown in TIME_ZONE; a future-dated status takes effect at the start of
# its date in this zone.
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Oslo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

LOGIN_URL = "admin:login"

# --- Security (production) ------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preload only marks consent in the header (nothing is submitted); `check --deploy` asks for it.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^webhooks/"]

# --- Mail (alerts) --------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ml-connector@localhost")

# --- REST framework -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}

# --- Logging --------------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "config.logging.RedactSecretsFilter"}},
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django_q": {"level": env.str("Q_LOG_LEVEL", default="WARNING")}},
}

# --- Connector ------------------------------------------------------------------------------------
CONNECTOR = {
    # Every outbound HTTP call has a timeout: (connect, read) seconds.
    "HTTP_CONNECT_TIMEOUT": env.float("HTTP_CONNECT_TIMEOUT_SECONDS", default=5.0),
    "HTTP_READ_TIMEOUT": env.float("HTTP_READ_TIMEOUT_SECONDS", default=30.0),
    # Renew a token when less than this fraction of its lifetime is left (and at least the floor).
    "TOKEN_RENEW_FRACTION": env.float("TOKEN_RENEW_FRACTION", default=0.2),
    "TOKEN_RENEW_MIN_SECONDS": env.float("TOKEN_RENEW_MIN_SECONDS", default=1.0),
    # Longest Retry-After we sleep through inside one call; longer ones become a scheduled retry.
    "MAX_INLINE_RETRY_AFTER_SECONDS": env.float("MAX_INLINE_RETRY_AFTER_SECONDS", default=30.0),
    # Slow down when Visma's X-RateLimit-Remaining falls below this fraction of the limit.
    "RATE_LIMIT_SLOWDOWN_FRACTION": env.float("RATE_LIMIT_SLOWDOWN_FRACTION", default=0.1),
    "VISMA_SCOPE": env.str(
        "VISMA_SCOPE",
        default="vismanet_erp_service_api:read vismanet_erp_service_api:create vismanet_erp_service_api:update",
    ),
    "PAYCHEX_PAGE_SIZE": env.int("PAYCHEX_PAGE_SIZE", default=100),
    "VISMA_PAGE_SIZE": env.int("VISMA_PAGE_SIZE", default=1000),
    # At most this many inline waits for 429 Retry-After within one call, then a transient ApiError.
    "MAX_INLINE_RETRY_ATTEMPTS": env.int("MAX_INLINE_RETRY_ATTEMPTS", default=3),
    # Wait used when a 429 carries no (readable) Retry-After: neither vendor documents one being absent.
    "RETRY_AFTER_DEFAULT_SECONDS": env.float("RETRY_AFTER_DEFAULT_SECONDS", default=5.0),
    # Token lifetime assumed when the token response has no usable expires_in.
    "TOKEN_DEFAULT_LIFETIME_SECONDS": env.int("TOKEN_DEFAULT_LIFETIME_SECONDS", default=600),
    # Connection.last_success_at/last_error are written on a change of state, else at most this often per process.
    "HEALTH_WRITE_INTERVAL_SECONDS": env.float("HEALTH_WRITE_INTERVAL_SECONDS", default=60.0),
    # Time zone of Visma's lastModifiedDateTime (filter and items). The docs give none; UTC is our assumption.
    "VISMA_TIMEZONE": env.str("VISMA_TIMEZONE", default="UTC"),
}

# --- Sync engine (syncjobs) -----------------------------------------------------------------------
SYNCJOBS = {
    # Webhook receiver: bodies above this many bytes get 413 (Paychex notifications are ~300 bytes).
    "WEBHOOK_MAX_BODY_BYTES": env.int("WEBHOOK_MAX_BODY_BYTES", default=64 * 1024),
    # How long a process keeps the decrypted webhook credentials before reading them again.
    "WEBHOOK_AUTH_CACHE_SECONDS": env.float("WEBHOOK_AUTH_CACHE_SECONDS", default=30.0),
    # After register_webhooks makes new credentials, the old ones are still accepted this long, so
    # deliveries Paychex queued for the replaced hook (retried every 5 minutes) are not refused.
    "WEBHOOK_PREVIOUS_CREDENTIALS_HOURS": env.int("WEBHOOK_PREVIOUS_CREDENTIALS_HOURS", default=24),
    # Domains asked for when registering hooks (intersected with what GET /management/domains offers).
    "WEBHOOK_DOMAINS": env.list(
        "WEBHOOK_DOMAINS", default=["WRKR_ADD", "WRKR_EMPL", "WRKR_DEM", "WRKR_ASGN", "WRKR_CMP", "CLT_ACCESS"]
    ),
    # Notifications of these domains sync their worker; other authentic domains are stored as ignored.
    "WEBHOOK_SYNC_DOMAINS": env.list(
        "WEBHOOK_SYNC_DOMAINS", default=["WRKR_ADD", "WRKR_EMPL", "WRKR_DEM", "WRKR_ASGN", "WRKR_CMP"]
    ),
    # Leases: longer than the longest legitimate sync; a killed process's work is taken over after them.
    "WORKER_LEASE_SECONDS": env.int("WORKER_LEASE_SECONDS", default=300),
    "NOTIFICATION_LEASE_SECONDS": env.int("NOTIFICATION_LEASE_SECONDS", default=600),
    "RUN_LEASE_SECONDS": env.int("RUN_LEASE_SECONDS", default=900),
    # A stored notification the queue has not run within this time is enqueued again by the reaper.
    "INBOX_GRACE_SECONDS": env.int("INBOX_GRACE_SECONDS", default=120),
    # 412 (someone changed the employee in Visma between our read and write): re-read and retry this often.
    "PRECONDITION_RETRIES": env.int("SYNC_PRECONDITION_RETRIES", default=3),
    # Schedules (django-q2): the reaper (lost tasks, expired leases, due retries) and due status changes.
    "REAPER_MINUTES": env.int("REAPER_MINUTES", default=1),
    "DUE_STATUS_MINUTES": env.int("DUE_STATUS_MINUTES", default=5),
    # Polling, backfill and reconciliation (see README "Polling, backfill and reconciliation").
    "VISMA_POLL_MINUTES": env.int("VISMA_POLL_MINUTES", default=1),
    "CATALOG_POLL_MINUTES": env.int("CATALOG_POLL_MINUTES", default=15),
    "PAYCHEX_RECONCILE_MINUTES": env.int("PAYCHEX_RECONCILE_MINUTES", default=360),
    "PRUNE_MINUTES": env.int("PRUNE_MINUTES", default=24 * 60),
    # Run items, finished notifications, queue successes and headcount reports older than this are
    # deleted (the audit trail never is).
    "PRUNE_DAYS": env.int("PRUNE_DAYS", default=90),
    # Each Visma poll asks for changes since the last poll's start minus this, so a change committed at
    # the boundary (or stamped by a clock slightly behind ours) is not missed; repeats are skipped by timeStamp.
    "POLL_OVERLAP_SECONDS": env.int("POLL_OVERLAP_SECONDS", default=120),
    # A change made in Visma outside the connector: "correct" re-asserts Paychex's values, "report" only
    # records it (audit "drift detected"; the headcount report lists the worker as drift).
    "DRIFT_MODE": env.str("DRIFT_MODE", default="correct"),
    # Workers synced in parallel per Paychex page by a backfill or reconciliation: threads, because a
    # first load is bound by API latency, not CPU (bench/README.md); SQLite has one writer, so fewer.
    "BACKFILL_CONCURRENCY": env.int("BACKFILL_CONCURRENCY", default=4 if IS_SQLITE else 8),
    # Header carrying Visma's webhook signature (HMAC-SHA256, base64). Visma does not publish its name.
    "VISMA_WEBHOOK_SIGNATURE_HEADER": env.str("VISMA_WEBHOOK_SIGNATURE_HEADER", default="X-Visma-Signature"),
}
if SYNCJOBS["DRIFT_MODE"] not in ("correct", "report"):
    raise environ.ImproperlyConfigured(f"DRIFT_MODE must be 'correct' or 'report', not {SYNCJOBS['DRIFT_MODE']!r}")
if SYNCJOBS["BACKFILL_CONCURRENCY"] < 1:
    raise environ.ImproperlyConfigured("BACKFILL_CONCURRENCY must be at least 1")

# --- Console (admin dashboard, alerts) ------------------------------------------------------------
def _hours(value: str) -> tuple[int, int]:
    start, _, end = value.partition("-")
    try:
        hours = (int(start), int(end))
    except ValueError:
        raise environ.ImproperlyConfigured(f"WORKING_HOURS must look like 8-17, not {value!r}") from None
    if not 0 <= hours[0] < hours[1] <= 24:
        raise environ.ImproperlyConfigured(f"WORKING_HOURS must be two hours 0-24, start before end, not {value!r}")
    return hours


CONSOLE = {
    # The alert digest runs this often and sends at most one e-mail per interval.
    "ALERT_DIGEST_MINUTES": env.int("ALERT_DIGEST_MINUTES", default=30),
    # Extra recipients besides the active users of the "Integration admin" group.
    "ALERT_EMAILS": env.list("ALERT_EMAILS", default=[]),
    # Alert when no Paychex notification has arrived for this many hours during working time (0: never).
    "ALERT_SILENCE_HOURS": env.int("ALERT_SILENCE_HOURS", default=4),
    # Working time in TIME_ZONE: ISO weekdays (1 = Monday) and hours [start-end).
    "WORKING_DAYS": [int(day) for day in env.list("WORKING_DAYS", default=["1", "2", "3", "4", "5"])],
    "WORKING_HOURS": _hours(env.str("WORKING_HOURS", default="8-17")),
}
# The digest is a django-q2 schedule like the others (syncjobs/schedules.py reads SYNCJOBS).
SYNCJOBS["ALERT_DIGEST_MINUTES"] = CONSOLE["ALERT_DIGEST_MINUTES"]
