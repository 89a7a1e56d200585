"""Settings, all read from the environment.

The helpers fail loudly on a malformed value instead of guessing (after healthchecks'
envbool/envint). Defaults are safe for production; the development conveniences
(a fixed SECRET_KEY, localhost hosts) switch on only when DEBUG is on.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.email_url import email_settings, site_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of true/false/1/0/yes/no/on/off")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected an integer") from None


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (on a development checkout, "
            'export DEBUG=true; README, "Configuration")'
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "directory",
    "matching",
    "web",
    "interop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees what the views raise first.
    "config.errors.DatabaseUnavailableMiddleware",
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "DB_PREPARED_STATEMENTS", True
):
    # psycopg prepares a statement run this many times on one connection. Django's own
    # cursors bind parameters on the client and never prepare; only the match ranking's
    # server-binding cursor does (matching.candidates), so PostgreSQL stops re-planning it.
    # Turn off behind a pooler in transaction mode (PgBouncer), which cannot keep them.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: it pays off for long analytic queries, but a match over tens of
    # thousands of candidates crossed its cost threshold and spent ~0.8 s compiling a plan
    # that runs in ~0.25 s.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

# Seconds a public directory read (practitioner list, detail) may be served from the cache;
# any change to a practitioner expires them all at once (directory.public_cache). 0 = off.
DIRECTORY_CACHE_SECONDS = envint("DIRECTORY_CACHE_SECONDS", 60)

AUTH_USER_MODEL = "directory.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/signin/"

LANGUAGE_CODE = "en-ca"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Vancouver")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
# Evidence files are private: never served from MEDIA_URL, only through the
# permission-checked download endpoint.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Largest non-file request body (JSON, form fields); evidence files have their own
# 5 MB limit checked by the credential service.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024)
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
# directory.uploads refuses a body well past EVIDENCE_MAX_BYTES before reading it.
FILE_UPLOAD_HANDLERS = [
    "directory.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Registration needs no e-mail confirmation unless this is switched on (SPEC §5): then a new
# account signs in only after following the e-mailed link (directory.services.accounts).
REQUIRE_EMAIL_CONFIRMATION = envbool("REQUIRE_EMAIL_CONFIRMATION", False)

# E-mail (README, "E-mail and the background worker"). Messages are sent by the background
# worker (`manage.py db_worker`), never in a request; config.email_url parses EMAIL_URL.
_email = email_settings(os.environ.get("EMAIL_URL") or "console://")
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
# A stalled SMTP server fails the attempt (and it is retried) instead of holding the worker.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "IMS Directory <no-reply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in e-mails start with this (scheme and host, no trailing slash).
SITE_URL = site_url(os.environ.get("SITE_URL") or "http://127.0.0.1:8000")
# Password-reset and e-mail confirmation links stay valid this long (Django's token generator).
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT_HOURS", 24) * 3600

# Background work through Django's Tasks API (the django-tasks backport). "database" keeps the
# queue in this database (django-tasks-db) for `manage.py db_worker`; "immediate" runs each task
# at once in the process that enqueues it (the tests, and nothing else).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("TASKS_BACKEND") or "database"
if _task_backend not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND={_task_backend!r}: expected one of {', '.join(TASK_BACKENDS)}"
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[_task_backend]}}
# A failed delivery is tried again after EMAIL_RETRY_SECONDS, doubling each time up to
# EMAIL_RETRY_MAX_SECONDS, until it is delivered (directory.services.notifications).
EMAIL_RETRY_SECONDS = envint("EMAIL_RETRY_SECONDS", 30)
EMAIL_RETRY_MAX_SECONDS = envint("EMAIL_RETRY_MAX_SECONDS", 3600)
if not 1 <= EMAIL_RETRY_SECONDS <= EMAIL_RETRY_MAX_SECONDS:
    raise ImproperlyConfigured(
        "EMAIL_RETRY_SECONDS must be at least 1 and at most EMAIL_RETRY_MAX_SECONDS"
    )

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "directory.parsers.BoundedJSONParser",
        "directory.parsers.NonEmptyMultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["directory.renderers.FastJSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "directory.openapi.ErrorDocumentingAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "directory.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "directory.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttles identify clients by REMOTE_ADDR unless told how many proxies sit in front
    # (X-Forwarded-For can be forged by anyone otherwise).
    "NUM_PROXIES": envint("NUM_PROXIES", 0),
    "DEFAULT_THROTTLE_RATES": {
        "login": os.environ.get("THROTTLE_LOGIN", "10/min"),
        "register": os.environ.get("THROTTLE_REGISTER", "10/hour"),
        "review_create": os.environ.get("THROTTLE_REVIEW_CREATE", "20/hour"),
        "referral_create": os.environ.get("THROTTLE_REFERRAL_CREATE", "60/hour"),
        "invitations": os.environ.get("THROTTLE_INVITATIONS", "100/day"),
        "password_reset": os.environ.get("THROTTLE_PASSWORD_RESET", "5/hour"),
        "confirmation_resend": os.environ.get("THROTTLE_CONFIRMATION_RESEND", "5/hour"),
        "fhir_export": os.environ.get("THROTTLE_FHIR_EXPORT", "10/hour"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "IMS Practitioner Directory & Matching API",
    "DESCRIPTION": (
        "Find licensed, IMS-certified practitioners of Intramuscular Stimulation, "
        "ranked for one patient's condition with every rank explained."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CredentialStatusEnum": "directory.models.CredentialStatus.choices",
        "ProfessionEnum": "directory.models.Profession.choices",
        "RoleEnum": "directory.models.Role.choices",
        "AccountRoleEnum": "directory.serializers.me.ACCOUNT_ROLES",
        "PractitionerRoleEnum": "directory.serializers.me.PRACTITIONER_ROLES",
        "MatchSortEnum": "matching.constants.SORTS",
    },
}

# FHIR bulk export (README, "FHIR bulk export"): the worker writes each job's ndjson files to
# EXPORT_ROOT/<job id>/; a job and its files are removed EXPORT_FILE_HOURS after it finished
# (at the next kick-off, or by `manage.py export_cleanup`), and are never served after that.
EXPORT_ROOT = Path(os.environ.get("EXPORT_ROOT", BASE_DIR / "var" / "exports"))
EXPORT_FILE_HOURS = envint("EXPORT_FILE_HOURS", 24)
if EXPORT_FILE_HOURS < 1:
    raise ImproperlyConfigured("EXPORT_FILE_HOURS must be at least 1")

# Review invitations: single-use codes, valid this many days.
INVITATION_TTL_DAYS = envint("INVITATION_TTL_DAYS", 60)

REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=envint("TOKEN_TTL_HOURS", 24 * 7)),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": envint("TOKEN_LIMIT_PER_USER", 20),
}

# REDIS_URL shares throttle counters and read caches between processes; without it each
# process keeps its own. An unreachable Redis degrades to "not cached" (directory.cache).
CACHES = {
    "default": {
        "BACKEND": (
            "directory.cache.ForgivingRedisCache"
            if os.environ.get("REDIS_URL")
            else "django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": os.environ.get("REDIS_URL", "ims-default"),
        # A dead Redis must cost milliseconds, not the client's default wait.
        "OPTIONS": (
            {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
            if os.environ.get("REDIS_URL")
            else {}
        ),
    }
}

# Production hardening; each can be relaxed from the environment behind a proxy.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every response (django-csp). Pages, the admin and the API docs
# load only this site's own scripts, styles and images: no inline script or style, no eval,
# nothing from another host. The API docs add what Swagger UI needs on their own view
# (config.docs); nothing else widens it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the empty favicon the pages declare (<link rel="icon" href="data:,">)
        # and the admin's and Swagger UI's inline SVG icons.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    },
}

# Permissions-Policy (django-permissions-policy): the pages use one powerful feature, the
# search form's "use my location" (geolocation, this origin only); every other one that a
# browser would otherwise grant a page or its frames is switched off.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "geolocation": ["self"],
    **{
        feature: []
        for feature in (
            "accelerometer",
            "autoplay",
            "browsing-topics",
            "camera",
            "display-capture",
            "encrypted-media",
            "fullscreen",
            "gyroscope",
            "hid",
            "idle-detection",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "picture-in-picture",
            "publickey-credentials-get",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    },
}
if envbool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Request bodies and query strings are never logged: health answers and referral
# reasons travel in them. Django's default request logging writes only the path.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
