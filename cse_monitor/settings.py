"""Settings for CSE Monitor, read from the environment.

Without DATABASE_URL the application runs on a SQLite file (the one-command demo);
with it, on PostgreSQL. Production deployments set DJANGO_ENV=production.
"""

import json
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cse_monitor.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = env_str("DJANGO_ENV", "development") == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else "dev-only-insecure-key-change-me")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI / Redoc assets served locally (no CDN)
    "simple_history",
    "import_export",
    "cse_monitor",
    "indicators",
    "chains",
    "municipalities",
    "budget",
    "reports",
    "programmes",
]

MIDDLEWARE = [
    "cse_monitor.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "cse_monitor.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cse_monitor.middleware.FormContentTypeMiddleware",
    "cse_monitor.middleware.RejectMarkupMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "cse_monitor.urls"
WSGI_APPLICATION = "cse_monitor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tests and the demo run several threads (live server, PDF worker) on one file, gunicorn several processes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        # A transaction takes the write lock when it begins and waits for it (timeout): a deferred one that
        # reads, then writes, fails at once with "database is locked" when another connection is writing.
        transaction_mode="IMMEDIATE",
        # Readers go on while one connection writes (report pages during a save). Ignored in memory.
        init_command="PRAGMA journal_mode=WAL",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Spanish first: the programme's users are Peruvian. English through the catalogue.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Lima"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploads: the local disk by default; several instances share an S3-compatible bucket instead, e.g.
# MEDIA_STORAGE_BACKEND=storages.backends.s3.S3Storage MEDIA_STORAGE_OPTIONS='{"bucket_name": "cse"}'
# (needs django-storages[s3] in the image; see docs/DEPLOYMENT.md).
STORAGES = {
    "default": {
        "BACKEND": env_str("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(env_str("MEDIA_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CSE Monitor API",
    "DESCRIPTION": "Programme monitoring and evaluation data: logframe, indicator series, budget.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # API: docs from the installed package's static files; errors documented on every operation.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",  # operations grouped by resource (indicators, values …), not all under "v1"
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cse_monitor.lib.api_errors.add_error_responses",
    ],
    # Two choice sets share the field name "status"; naming them keeps `check --deploy` free of W001.
    "ENUM_NAME_OVERRIDES": {
        "IndicatorValueStatusEnum": "indicators.models.IndicatorValue.Status",
        "EmclDecisionStatusEnum": "reports.models.EmclDecision.Status",
        "ReportStatusEnum": "reports.models.Report.Status",
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cse-monitor@localhost")

# Quarter entry: a quarter closes this many days after its end (issue: quarterly entry).
ENTRY_CLOSE_AFTER_DAYS = env_int("ENTRY_CLOSE_AFTER_DAYS", 30)
# Uploaded means of verification.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
# Beneficiary workbooks: larger files and longer tables are refused before parsing.
BENEFICIARY_IMPORT_MAX_BYTES = env_int("BENEFICIARY_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
BENEFICIARY_IMPORT_MAX_ROWS = env_int("BENEFICIARY_IMPORT_MAX_ROWS", 20_000)
# An entered value more than this factor above (or below 1/factor of) last period's needs a comment.
ENTRY_OUTLIER_FACTOR = env_str("ENTRY_OUTLIER_FACTOR", "2")

# --- Logging: JSON lines on stderr, each with the request id; LOG_FORMAT=plain for humans. ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cse_monitor.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "cse_monitor.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": env_str("LOG_FORMAT", "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # One access line per request comes from RequestIdMiddleware; runserver's own would double it.
        "django.server": {"level": "WARNING"},
        "cse_monitor.access": {"level": env_str("ACCESS_LOG_LEVEL", "INFO")},
    },
}

# --- Security ---
# Sessions live in the database, so any instance behind a load balancer can serve any user.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)  # a working day, then log in again
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "cse_monitor.errors.csrf_failure"
# Bodies above these limits are refused with 400 before a view sees them.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 5000)
FILE_UPLOAD_PERMISSIONS = 0o640

# Login throttling (cse_monitor/throttle.py): counters in the cache.
AUTHENTICATION_BACKENDS = [
    "cse_monitor.throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_THROTTLE_FAILURES = env_int("LOGIN_THROTTLE_FAILURES", 5)
LOGIN_THROTTLE_IP_FAILURES = env_int("LOGIN_THROTTLE_IP_FAILURES", 50)
LOGIN_THROTTLE_WINDOW = env_int("LOGIN_THROTTLE_WINDOW", 15 * 60)
# Behind N reverse proxies that append to X-Forwarded-For, the client is the N-th address from the right.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# CACHE_BACKEND=db shares the cache (throttle counters) across workers and instances; it needs
# `manage.py createcachetable` once (the container entrypoint runs it).
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cse_cache"}
        if env_str("CACHE_BACKEND", "db" if PRODUCTION else "locmem") == "db"
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cse-monitor"}
    )
}

# Content-Security-Policy (cse_monitor/middleware.py): no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Narrow exceptions by path prefix; each replaces only the directives it names.
CONTENT_SECURITY_POLICY_PATH_OVERRIDES: dict[str, dict[str, str]] = {}
CONTENT_SECURITY_POLICY_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
# Writes carrying HTML/script markup in a text field are refused with 400 (cse_monitor/middleware.py),
# except in fields whose name contains one of these parts.
MARKUP_CHECK_EXEMPT_FIELD_PARTS = ["password", "csrfmiddlewaretoken"]

# Annual report PDFs (reports/services.py): "thread" renders queued PDFs in a daemon thread of the
# web process; "off" leaves them to `manage.py render_pdfs` (a separate worker process, and tests).
REPORTS_PDF_WORKER = env_str("REPORTS_PDF_WORKER", "thread")

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Probes from the orchestrator and the load balancer speak plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production")

# Scores engine (indicators.scores). Lower bounds (ratios) of the suggested A, B and C ratings per
# criterion, merged over indicators.scores.DEFAULT_RATING_THRESHOLDS, as JSON, e.g.
# SCORE_RATING_THRESHOLDS='{"efficacy": ["0.9", "0.75", "0.5"]}'. A bad value is refused when a card is built.
SCORE_RATING_THRESHOLDS: dict[str, list[str]] = json.loads(env_str("SCORE_RATING_THRESHOLDS", "{}"))
# Relative band below the expected achievement within which an indicator is still "on track" (0.15 = 15 %).
SCORE_TRACK_BAND = env_str("SCORE_TRACK_BAND", "0.15")
