"""The one settings module: every value comes from the environment, with embedded-mode defaults.

Unset everything and the portal runs on SQLite with a filesystem broker under ``var/``.
Set ``DATABASE_URL`` and ``REDIS_URL`` and it runs on PostgreSQL and Redis.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.object_storage import object_storage

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """A boolean that refuses anything but the usual spellings, so a typo never flips a switch."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DATA_DIR = Path(env_str("PORTAL_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    """A per-machine key kept in the data directory: the embedded mode needs no setup, yet no
    secret ever sits in the code."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("PORTAL_DEBUG", False)
SECRET_KEY = env_str("PORTAL_SECRET_KEY") or _embedded_secret_key()
ALLOWED_HOSTS = env_list("PORTAL_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("PORTAL_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("PORTAL_SITE_URL", "http://127.0.0.1:8000")
ADMIN_URL = env_str("PORTAL_ADMIN_URL", "admin/")

# Behind a TLS-terminating reverse proxy in production.
HTTPS = env_bool("PORTAL_HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("PORTAL_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("PORTAL_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Intranet hosts cannot join the browsers' public preload list.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("PORTAL_SESSION_SECONDS", 8 * 3600)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "portal",
    "portal.webhooks",
    "reporting",
    "supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.TwoFactorGate",
    "portal.middleware.RequestAddress",
    "portal.middleware.NoStore",
    "portal.lifecycle.DeprecationHeaders",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "portal.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("PORTAL_DB_CONN_MAX_AGE", 0),
        # A kept connection is checked before each request or task reuses it, so the first
        # one after the database dropped its connections (a restart, a failover) reconnects.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share one file: WAL lets readers run beside the
    # writer, and IMMEDIATE transactions queue writers instead of failing them.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # No JIT: compiling took 0.29 s of a 0.99 s roll-up over 200,000 screened enterprises.
    # 16 MB to group in: at 4 MB the roll-up's groups were sorted on disk instead of hashed.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c work_mem=16MB"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        # OWASP ASVS 2.1.1 asks for at least 12 characters.
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Two-factor authentication: required of office heads unless switched off (the demo does).
REQUIRE_2FA = env_bool("PORTAL_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "SME Supervision Portal"

AXES_FAILURE_LIMIT = env_int("PORTAL_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PORTAL_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The sign-in form's field is "username" though it holds the email; axes would look for "email"
# (the user model's USERNAME_FIELD), find nothing and so never lock an account out.
AXES_USERNAME_CALLABLE = "portal.accounts.login_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("PORTAL_PROXY_COUNT", 0)

# API tokens (POST /api/v1/token/) stop working this many days after they are issued.
PORTAL_TOKEN_DAYS = env_int("PORTAL_TOKEN_DAYS", 30)
# Registrations and password resets per hour from one IP and for one email address: beyond
# them the page says to try later and no mail is sent (no mailbox flooded through the portal).
PORTAL_ACCOUNT_HOURLY_LIMIT_PER_ADDRESS = env_int("PORTAL_ACCOUNT_HOURLY_LIMIT_PER_ADDRESS", 20)
PORTAL_ACCOUNT_HOURLY_LIMIT_PER_EMAIL = env_int("PORTAL_ACCOUNT_HOURLY_LIMIT_PER_EMAIL", 3)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Number formats of our own where Django's differ from the readers' (portal/formats/).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("PORTAL_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("PORTAL_MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": object_storage(env_str("PORTAL_STORAGE_URL")),  # s3://bucket?endpoint_url=...
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("PORTAL_MANIFEST_STATIC", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = env_str("PORTAL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("PORTAL_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("PORTAL_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("PORTAL_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("PORTAL_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("PORTAL_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("PORTAL_EMAIL_FROM", "portal@localhost")

REDIS_URL = env_str("REDIS_URL")
# Shared by the web server and the worker processes, unlike the local-memory cache; a prefix
# keeps what one installation (or test run) counts apart from another's on the same Redis.
_CACHE = "redis.RedisCache" if REDIS_URL else "filebased.FileBasedCache"
CACHES = {
    "default": {
        "BACKEND": f"django.core.cache.backends.{_CACHE}",
        "LOCATION": REDIS_URL or str(DATA_DIR / "cache"),
        "KEY_PREFIX": env_str("PORTAL_CACHE_PREFIX"),
    }
}

# Celery: a real worker and beat in every mode. Without Redis, kombu's filesystem transport
# carries messages between processes on one machine.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # Longer than the longest task, or Redis hands a running task to a second worker.
        "visibility_timeout": env_int("PORTAL_TASK_VISIBILITY_SECONDS", 4 * 3600),
        "socket_connect_timeout": 5,
        "socket_timeout": 10,
    }
else:
    _broker_dir = DATA_DIR / "broker"
    (_broker_dir / "queue").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        # The exchange-to-queue bindings; kombu's default is "control" relative to the current
        # directory, so processes started from different directories would not see each other.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 5
# Workers and beat reconnect to the broker for ever, at startup and after losing it, waiting
# 2, 4, 6... up to 30 s between attempts and logging each ("Cannot connect to ...: Trying
# again in 4.00 seconds..."). Publishing does not wait on it: portal.outbox keeps what the
# broker refused and beat's sweep sends it when the broker is back.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A publish tries a dead broker briefly (a request must not hang on it), then the outbox waits.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = env_str("PORTAL_TASK_QUEUE", "portal")
# Heavy work (ingest, screening jobs, exports, scoring runs) in a queue of its own when set, so
# that a long job never delays a notification or a sweep (``portal.celery.route``).
PORTAL_HEAVY_QUEUE = env_str("PORTAL_HEAVY_QUEUE", "")
CELERY_TASK_ROUTES = ("portal.celery.route",)
CELERY_TIMEZONE = TIME_ZONE
# Timers live in database columns; beat only sweeps them (reviewed code, not admin data).
CELERY_BEAT_SCHEDULE: dict = {
    "requeue-stuck-filings": {"task": "reporting.tasks.requeue_stuck_filings", "schedule": 60.0},
    # Work the broker refused when it was asked (portal.outbox); also beat's tick for health.
    "relay-outbox": {"task": "portal.tasks.relay_outbox", "schedule": 30.0},
    "open-periodic-requests": {
        "task": "reporting.tasks.open_periodic_requests",
        "schedule": 3600.0,
    },
    # Check-only and rejected files past PORTAL_CHECK_ONLY_RETENTION_DAYS; reports stay.
    "remove-expired-files": {
        "task": "reporting.tasks.remove_expired_files",
        "schedule": 3600.0,
    },
    "screening-deadlines": {
        "task": "supervision.tasks.screening.sweep_screening_deadlines",
        "schedule": 3600.0,
    },
    # The public statistics of this quarter so far and of the last, rebuilt once a day.
    "publish-statistics": {
        "task": "supervision.tasks.publication.publish_statistics",
        "schedule": 86400.0,
    },
    # The banks reminded of the next steps their visits set (after the task's deadline too).
    "remind-visit-next-steps": {
        "task": "supervision.tasks.screening.remind_visit_next_steps",
        "schedule": 3600.0,
    },
    "sweep-overdue-complaints": {
        "task": "supervision.tasks.complaints.sweep_overdue_complaints",
        "schedule": 900.0,
    },
    # Accepted returns whose lending rows were not written on acceptance (a process died).
    "record-missing-lending-rows": {
        "task": "supervision.tasks.dashboards.record_missing_lending_rows",
        "schedule": 300.0,
    },
    # Webhook deliveries whose retry is due (and any whose first task was lost).
    "retry-webhooks": {"task": "portal.webhooks.retry_webhooks", "schedule": 60.0},
    # Last year's evaluations open once its Q4 returns are due.
    "open-yearly-evaluations": {
        "task": "supervision.tasks.evaluation.open_yearly_evaluations",
        "schedule": 86400.0,
    },
    # Escalation cases unacted past their deadline climb; providers' causes raise cases.
    "sweep-escalations": {
        "task": "supervision.tasks.escalation.sweep_escalations",
        "schedule": 300.0,
    },
}

# Returns
# A filing whose worker has been silent this long is re-queued (a live attempt writes its
# heartbeat every quarter of this, whatever it is doing).
PORTAL_STUCK_FILING_SECONDS = env_int("PORTAL_STUCK_FILING_SECONDS", 600)
# Times a filing's validation may start (redeliveries, retries, re-queues) before it ends
# rejected with "please upload it again" (reporting/watchdog.py).
PORTAL_FILING_MAX_ATTEMPTS = env_int("PORTAL_FILING_MAX_ATTEMPTS", 5)
# Days after a quarter's end that its periodic returns are due.
PORTAL_RETURN_DUE_DAYS = env_int("PORTAL_RETURN_DUE_DAYS", 25)
# Days after the due date that late filings are still taken; then the period closes.
PORTAL_RETURN_CLOSE_DAYS = env_int("PORTAL_RETURN_CLOSE_DAYS", 60)
# Screening: days before an assignment's due date that its bank is reminded.
PORTAL_SCREENING_REMINDER_DAYS = env_int("PORTAL_SCREENING_REMINDER_DAYS", 3)
# Screening: days after its push that an enterprise not yet contacted is a cause for escalation.
PORTAL_SCREENING_CONTACT_DAYS = env_int("PORTAL_SCREENING_CONTACT_DAYS", 7)
PORTAL_ESCALATION_BATCH = env_int("PORTAL_ESCALATION_BATCH", 1000)  # cases per transaction
PORTAL_UPLOAD_MAX_BYTES = env_int("PORTAL_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
# Days a check-only trial's file, or a rejected version's, is kept; its report stays.
PORTAL_CHECK_ONLY_RETENTION_DAYS = env_int("PORTAL_CHECK_ONLY_RETENTION_DAYS", 7)

# Complaints (the 2020 complaint rules): days to answer a simple or complex complaint, and the
# extension an institution may grant itself; counted in calendar days, or in working days
# (Monday to Friday, less the holidays, plus the weekend days made working days).
PORTAL_COMPLAINT_SIMPLE_DAYS = env_int("PORTAL_COMPLAINT_SIMPLE_DAYS", 15)
PORTAL_COMPLAINT_COMPLEX_DAYS = env_int("PORTAL_COMPLAINT_COMPLEX_DAYS", 30)
PORTAL_COMPLAINT_EXTENSION_DAYS = env_int("PORTAL_COMPLAINT_EXTENSION_DAYS", 30)
PORTAL_COMPLAINT_WORKING_DAYS = env_bool("PORTAL_COMPLAINT_WORKING_DAYS", False)
PORTAL_COMPLAINT_HOLIDAYS = env_list("PORTAL_COMPLAINT_HOLIDAYS", [])
PORTAL_COMPLAINT_EXTRA_WORKDAYS = env_list("PORTAL_COMPLAINT_EXTRA_WORKDAYS", [])
# Calendar days before the deadline that the institution is reminded of an unanswered one.
PORTAL_COMPLAINT_REMINDER_DAYS = env_int("PORTAL_COMPLAINT_REMINDER_DAYS", 3)
# Days (counted like the others) the owner has to accept or reject an answer; silence then
# closes the complaint as "answered, no feedback".
PORTAL_COMPLAINT_FEEDBACK_DAYS = env_int("PORTAL_COMPLAINT_FEEDBACK_DAYS", 15)
# Days the supervising office has for a complaint on its desk (the 12378 hotline's practice
# is about 15 working days); past them, a cause for escalation.
PORTAL_COMPLAINT_DESK_DAYS = env_int("PORTAL_COMPLAINT_DESK_DAYS", 15)
# The public statistics: no published cell is built from fewer complaints (or institutions).
PORTAL_PUBLIC_MIN_CELL = env_int("PORTAL_PUBLIC_MIN_CELL", 5)
# Attachments: PDF and images, each at most this size, at most this many per step.
PORTAL_COMPLAINT_ATTACHMENT_MAX_BYTES = env_int(
    "PORTAL_COMPLAINT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024
)
PORTAL_COMPLAINT_ATTACHMENT_MAX_FILES = env_int("PORTAL_COMPLAINT_ATTACHMENT_MAX_FILES", 5)
# Complaints one account, and one address (owners behind one gateway), may file per hour.
PORTAL_COMPLAINT_HOURLY_LIMIT = env_int("PORTAL_COMPLAINT_HOURLY_LIMIT", 5)
PORTAL_COMPLAINT_HOURLY_LIMIT_PER_ADDRESS = env_int("PORTAL_COMPLAINT_HOURLY_LIMIT_PER_ADDRESS", 20)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "portal.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["portal.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "portal.pagination.StrictLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "portal.schema.PortalAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["portal.throttling.InstitutionRateThrottle"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SME Finance Supervision Portal API",
    "DESCRIPTION": "Offices, institutions, returns and supervision of SME financial services.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs pages are for signed-in users (ASVS 14.3.3: no map of the API to
    # anonymous callers); the docs pages send a browser to sign in first.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.schema.add_links",  # which answer leads to which operation (stateful tests)
    ],
    # Several models call their choice "kind"; the schema names each set for what it is.
    "ENUM_NAME_OVERRIDES": {
        "InstitutionKindEnum": "portal.models.institutions.InstitutionKind",
        "CauseKindEnum": "supervision.escalation.models.CauseKind",
        "ScreeningDecisionEnum": "supervision.screening.models.Decision",
        "WebhookEventTypeEnum": "portal.webhooks.models.EventType",
    },
}

# The API's integration (README "API"): an Idempotency-Key is kept this many hours.
PORTAL_IDEMPOTENCY_HOURS = env_int("PORTAL_IDEMPOTENCY_HOURS", 24)
# Requests per institution (all its users together) or per other user: "N/second|minute|hour|
# day", empty for none; and institutions with a budget of their own, "CREDITCODE=N/hour,...".
PORTAL_API_RATE = env_str("PORTAL_API_RATE", "5000/hour")
PORTAL_API_INSTITUTION_RATES = dict(
    entry.split("=", 1) for entry in env_list("PORTAL_API_INSTITUTION_RATES", []) if "=" in entry
)
# Webhooks: minutes before each retry of a failed delivery (then it is given up), failures in a
# row that pause an endpoint, seconds an endpoint has to answer, and whether http:// and
# private or loopback addresses may be called (an intranet portal; tests).
PORTAL_WEBHOOK_RETRY_MINUTES = [
    int(m) for m in env_list("PORTAL_WEBHOOK_RETRY_MINUTES", ["1", "5", "30", "120", "480", "1440"])
]
PORTAL_WEBHOOK_PAUSE_AFTER = env_int("PORTAL_WEBHOOK_PAUSE_AFTER", 15)
PORTAL_WEBHOOK_TIMEOUT_SECONDS = env_int("PORTAL_WEBHOOK_TIMEOUT_SECONDS", 10)
PORTAL_WEBHOOK_ALLOW_PRIVATE = env_bool("PORTAL_WEBHOOK_ALLOW_PRIVATE", False)

# Only what the portal serves itself: no CDN, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PORTAL_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
