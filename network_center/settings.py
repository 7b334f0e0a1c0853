"""Settings for network_center, read from the environment.

Every variable is documented in README.md. The helpers below are strict: a value that cannot be
parsed stops start-up with ImproperlyConfigured instead of silently falling back to a default.
Development (``make run``) sets DJANGO_DEBUG=1; production leaves it unset and must provide
DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0/true/false/yes/no/on/off, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off")
    # Development only: a fixed key keeps sessions across restarts of `make run`.
    SECRET_KEY = "dev-only-insecure-key-network-center-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "simple_history",
    "schools",
    "network_center.documents",
    "network_center.centers",
    "network_center.notifications",
    "network_center",
    "plans",
    "cooperation",
    "monitoring",
    "practices",
    "analytics",
    # After the project's apps: network_center's ``db_worker`` (django-tasks' worker that waits
    # out an unreachable database) is then the one ``manage.py`` finds.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Around everything that reads the database (the session, the user, the views): when the
    # database is unreachable, the «Сервис временно недоступен» page (503, rendered without it)
    # instead of a 500, and the broken connection closed (network_center/unavailable.py).
    "network_center.unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's place for it (after the session, before CommonMiddleware); its guess from the
    # browser is replaced by ProfileLanguageMiddleware below.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # As soon as the user is known, before anything renders or caches a page: the language of
    # the user's profile, Russian for everyone else (LANGUAGES below).
    "network_center.middleware.ProfileLanguageMiddleware",
    "network_center.middleware.PrivateResponsesMiddleware",
    # After the user is known (its page is the site's), before anything reads the body (the
    # CSRF check reads the form in the view phase).
    "network_center.middleware.UploadLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "network_center.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "network_center.urls"
WSGI_APPLICATION = "network_center.wsgi.application"

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
                "schools.context_processors.access",
                "network_center.notifications.context_processors.notifications",
            ],
        },
    },
]

# DATABASE_URL (postgres://… or sqlite:///…); unset means an SQLite file under var/ so that
# `make run` works on a machine with nothing but python3.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL")
        or f"sqlite:///{BASE_DIR / 'var' / 'network_center.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # No test query before each request's first: a kept connection that PostgreSQL dropped
        # (a restart) is replaced when the request's session read fails on it — the read is
        # run again on a new connection (schools.sessions) — instead of by a round trip on
        # every request. A request without a session meeting a dropped connection is answered
        # 503 (network_center.unavailable), and the process reconnects for the next one.
        conn_health_checks=False,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing with "database is locked"; the task
    # worker writes beside the web server. IMMEDIATE takes the write lock when a transaction
    # starts, so two writers queue instead of one failing mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL;"
    )

# Behind nginx: the URL prefix of an `internal` location that maps to MEDIA_ROOT; signed PDFs
# are then sent by nginx (X-Accel-Redirect) after the application's access check.
DOCUMENTS_X_ACCEL_REDIRECT = os.environ.get("DOCUMENTS_X_ACCEL_REDIRECT", "")

# Slow work (rendering signed PDFs, sending mail) runs as tasks through Django's tasks API (the
# django-tasks backport) with the database backend: SQLite and PostgreSQL alike, and any number
# of `manage.py db_worker` processes on any machines. DJANGO_TASKS_IMMEDIATE=1 runs each task in
# the enqueuing process instead (tests, one-off scripts).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env_bool("DJANGO_TASKS_IMMEDIATE", False)
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Each task worker writes a sign of life this often; one silent for DEAD_AFTER seconds is taken
# for dead and the tasks it held are queued again by the others (network_center/workers.py).
TASK_WORKER_BEAT_SECONDS = env_int("TASK_WORKER_BEAT_SECONDS", 10)
TASK_WORKER_SWEEP_SECONDS = env_int("TASK_WORKER_SWEEP_SECONDS", 30)
TASK_WORKER_DEAD_AFTER_SECONDS = env_int("TASK_WORKER_DEAD_AFTER_SECONDS", 90)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The largest request body accepted (scans of paper acts, files to verify): refused from its
# declared length before any of it is read.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 50) * 1024 * 1024
# The largest single file any form accepts (a scan, a file to verify, an evidence file): reading
# stops at its first byte over (schools.uploads), the rest of the body is never taken.
UPLOAD_FILE_MAX_BYTES = env_int("UPLOAD_FILE_MAX_MB", 20) * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "schools.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Rendered pages are cached under the version of the data (schools.caching): a cached page is
# never older than the data, so the cache may be each process's own memory. PAGE_CACHE_SECONDS
# only bounds how long an unused page takes memory; 0 turns the page cache off.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": env_int("DJANGO_CACHE_MAX_ENTRIES", 3000)},
    }
}
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600)
# The data-version trigger runs at commit (PostgreSQL), so it locks its row only for a moment.
CONTENT_VERSION_DEFERRED = True

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username+IP before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's model backend, with the user's row remembered per version of the data.
    "schools.backends.CachedModelBackend",
]
# Database sessions that read the data's version in the same query (schools.sessions).
SESSION_ENGINE = "schools.sessions"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: lock a username+IP pair after repeated failures, for a finite time.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address from the proxy header only when the deployment says how many proxies of
# its own stand in front (schools/clients.py); a cool-off is finite: attempts during it do not
# prolong it.
TRUSTED_PROXY_HOPS = env_int("DJANGO_TRUSTED_PROXY_HOPS", 0)
AXES_CLIENT_IP_CALLABLE = "schools.clients.client_ip"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The public verification page: requests per client and window (seconds).
VERIFY_RATE_LIMIT = (env_int("VERIFY_RATE_LIMIT", 60), 600)
# The calendar feeds (/plans/ical/<token>.ics), likewise. Generous: one address of Google's or
# Yandex's fetchers reads the feeds of many subscribers; the 256-bit token is what stops guessing.
ICAL_RATE_LIMIT = (env_int("ICAL_RATE_LIMIT", 600), 600)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# The source strings are Russian; locale/en holds the English catalogue, locale/ru the Russian
# plural forms (`make messages`). The interface language is the signed-in user's profile
# language (Person.language, chosen on /accounts/language/); Russian for anonymous visitors
# and users without a profile — a browser's Accept-Language or a language cookie never switch
# the site (network_center.middleware.ProfileLanguageMiddleware). Legal documents are always
# rendered in Russian. URLs carry no language prefix.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Uploaded and generated files (scans, signed PDFs, evidence, import files) go through the
# storage API only: on the disk under MEDIA_ROOT, or, when DJANGO_S3_BUCKET is set, in an
# S3-compatible object store, so that any number of servers share them. The bucket stays
# private: no ACL is sent (the bucket's own policy applies; never public-read), every file is
# read through the application's access check, and a name is never overwritten (a second file
# under the same name gets a suffix, as on the disk).
_S3_BUCKET = os.environ.get("DJANGO_S3_BUCKET", "")
if _S3_BUCKET:
    _S3_ADDRESSING = os.environ.get("DJANGO_S3_ADDRESSING_STYLE", "path")
    if _S3_ADDRESSING not in {"path", "virtual", "auto"}:
        raise ImproperlyConfigured(
            f"DJANGO_S3_ADDRESSING_STYLE must be path, virtual or auto, got {_S3_ADDRESSING!r}"
        )
    _S3_OPTIONS = {
        "bucket_name": _S3_BUCKET,
        # Empty: AWS itself; otherwise the store's URL (MinIO, Yandex Object Storage, Selectel…).
        "endpoint_url": os.environ.get("DJANGO_S3_ENDPOINT_URL") or None,
        # Empty: boto3's own chain (AWS_* variables, an instance role).
        "access_key": os.environ.get("DJANGO_S3_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("DJANGO_S3_SECRET_ACCESS_KEY") or None,
        "region_name": os.environ.get("DJANGO_S3_REGION") or None,
        "addressing_style": _S3_ADDRESSING,
        "location": os.environ.get("DJANGO_S3_PREFIX", "").strip("/"),
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": _S3_OPTIONS,
    }
else:
    _DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development whitenoise serves straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
# Seconds a worker waits for the mail server at each step: one that accepts the connection and
# then says nothing must not hold a worker for ever (the mail is retried, notifications/tasks.py).
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "network-center@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Left margin of printed documents (ГОСТ Р 7.0.97: at least 20 mm; 30 mm for documents kept
# for a long time, the default here).
DOCUMENT_LEFT_MARGIN_MM = env_int("DOCUMENT_LEFT_MARGIN_MM", 30)

# Days a participant school has to agree a plan sent for agreement (``Revision.visas_due``).
PLAN_VISA_DAYS = env_int("PLAN_VISA_DAYS", 10)

# Public base URL printed into QR codes of signed documents (they leave the system on paper).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Security -----------------------------------------------------------------------------------
# Secure by default whenever DEBUG is off; each can be relaxed explicitly (e.g. behind a proxy
# that terminates TLS, set DJANGO_SECURE_PROXY_SSL_HEADER=1).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline scripts or styles anywhere: every asset is a vendored file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # A line per task state at INFO; failures are logged by the tasks themselves.
        "django_tasks": {"level": "WARNING"},
        # WeasyPrint narrates every layout step at INFO; only its warnings matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
