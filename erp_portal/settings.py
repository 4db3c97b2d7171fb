"""Settings read from the environment.

Defaults give a development install that needs no server: SQLite under ``var/`` and a Celery
broker on kombu's filesystem transport. ``DATABASE_URL`` and ``CELERY_BROKER_URL`` switch to
PostgreSQL and Redis. With ``DJANGO_DEBUG`` off (the default) the secure settings apply and a
real ``DJANGO_SECRET_KEY`` is required.
"""

import os
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

# Lets generic classes such as ModelForm[Model] be subscripted at run time (for typing).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("ERP_PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # nosec B105  # only with DJANGO_DEBUG
# Read as is: django-environ would take a value starting with "$" for the name of another variable.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
SECRET_KEY_FALLBACKS = [
    key for key in os.environ.get("DJANGO_SECRET_KEY_FALLBACKS", "").split(",") if key
]
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "axes",
    "csp",
    "guardian",  # object permissions on projects (permissions.models.ProjectUserPermission)
    # The project's apps, lowest layer first: each imports only the ones above it in this list
    # (scripts/check_layers.py enforces it).
    "connectors",
    "tenancy",
    "audit",
    "permissions",
    "erp",
    "integrations",
    "approvals",
    "syncs",
    "demo",
]

MIDDLEWARE = [
    # Oversized bodies (413) and NUL characters in addresses (400), before anything reads them.
    "erp_portal.middleware.RequestLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every answer (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # With DEBUG on, the portal's 404 page rather than Django's list of every URL pattern.
    "erp_portal.middleware.NotFoundPageMiddleware",
    # Ends a session idle too long or older than its absolute lifetime (SESSION_* below).
    "erp_portal.middleware.SessionExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a refused login of a locked-out username and address into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "erp_portal.urls"
WSGI_APPLICATION = "erp_portal.wsgi.application"

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
                "integrations.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'erp_portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password guessing on the login pages (the portal's and the admin site's): after
# AXES_FAILURE_LIMIT wrong passwords for one username from one address, that pair is refused for
# AXES_COOLOFF_TIME, even with the right password. Kept in the database, so every web process
# counts the same attempts. A right password before the limit clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "permissions.backends.PolicyBackend",  # has_perm("permissions.<action>", obj) asks can()
]
# django-guardian stores project-level assignments; it decides nothing, so its own backend is not
# hooked (the policy answers has_perm) and there is no anonymous user with permissions.
ANONYMOUS_USER_NAME = None
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "erp_portal.lockout.locked_out"
# The one client address axes and the API throttle count by (see TRUSTED_PROXIES_COUNT).
AXES_CLIENT_IP_CALLABLE = "erp_portal.lockout.client_ip"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# One date style on every page and message: "Nov 29, 2026", "Nov 29, 2026 21:33" (the
# `date` filter without an argument, `{{ value }}` and formats.date_format). The format module
# gives them precedence over the locale's ("Nov. 29, 2026, 9:33 p.m.").
DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y H:i"
TIME_FORMAT = "H:i"
FORMAT_MODULE_PATH = ["erp_portal.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
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

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="erp-portal@localhost")
# Where emails link to: the address people use to reach the portal (e.g.
# https://erp.example.com). Default: where scripts/run.sh serves it (HOST and PORT, which it
# passes on as PORTAL_URL); PORTAL_BASE_URL is its older name.
PORTAL_URL = env.str(
    "PORTAL_URL",
    default=env.str(
        "PORTAL_BASE_URL",
        default=f"http://{env.str('HOST', default='127.0.0.1')}:{env.str('PORT', default='8000')}",
    ),
).rstrip("/")

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        # The browsable API, with the inline styles its templates need (and nothing else).
        "erp_portal.renderers.StyledBrowsableAPIRenderer",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token authentication, refusing tokens older than API_TOKEN_TTL_HOURS.
        "tenancy.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON nested deeper than any record needs is a 400 (not a RecursionError).
    "DEFAULT_PARSER_CLASSES": [
        "erp_portal.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Password guessing through the token endpoint: a few tries a minute per client address
    # (erp_portal.lockout.client_ip, the one the login lockout counts by; TRUSTED_PROXIES_COUNT),
    # counted in the default cache (shared by every process; see CACHES). Views without a
    # throttle_scope are not throttled.
    "DEFAULT_THROTTLE_CLASSES": ["erp_portal.lockout.ScopedClientThrottle"],
    "DEFAULT_THROTTLE_RATES": {"auth": env.str("API_AUTH_THROTTLE", default="10/min")},
}
# How long an API token lasts from when it was issued; after that the client asks for a new one.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=720)
SPECTACULAR_SETTINGS = {
    "TITLE": "ERP Portal API",
    "DESCRIPTION": "Project-financial records and their ERP synchronisation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Fernet keys for connection secrets, newest first (python -c "from cryptography.fernet import
# Fernet; print(Fernet.generate_key().decode())"). Unset: derived from SECRET_KEY (development).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# Celery. The default broker is kombu's filesystem transport, so a worker and beat run with
# nothing installed; CELERY_BROKER_URL=redis://... in production.
BROKER_DIR = VAR_DIR / "broker"
# A broker outage must not hold a web request: a publish (the export enqueued when an accept
# commits) tries twice within a few seconds, then gives up; the accept has committed and the
# export sweeper enqueues it once the broker is back (approvals.export_tasks.enqueue).
BROKER_SOCKET_TIMEOUTS = {"socket_connect_timeout": 2.0, "socket_timeout": 2.0}
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0.2,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Above the longest task, so a slow task is not redelivered while it still runs; socket
    # timeouts, so a Redis that stops answering fails a publish in seconds instead of hanging it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, **BROKER_SOCKET_TIMEOUTS}

# The cache holds the API's throttle counters, so it must be one store for every web process:
# Redis when REDIS_URL (or the Celery broker) is Redis, else files under var/ (the processes of
# one machine, which the filesystem broker assumes already).
REDIS_URL = env.str(
    "REDIS_URL",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis:", "rediss:")) else "",
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that stops answering fails a throttle check in seconds, never hangs it.
            "OPTIONS": dict(BROKER_SOCKET_TIMEOUTS),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 900
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Export recovery clocks, in seconds. A worker exporting a batch holds a lease on it and renews
# it every EXPORT_LEASE_RENEW_SECONDS (at most half the lease) while it works; a killed
# worker's lease runs out within EXPORT_LEASE_SECONDS. The sweeper (every EXPORT_SWEEP_SECONDS)
# enqueues again what a lease ran out on, and accepted requests nobody took up within
# EXPORT_STALE_ACCEPTED_SECONDS of being due (a lost message, a retry held by a dead worker).
EXPORT_LEASE_SECONDS = env.int("EXPORT_LEASE_SECONDS", default=30)
EXPORT_LEASE_RENEW_SECONDS = env.float("EXPORT_LEASE_RENEW_SECONDS", default=0)  # 0: lease / 3
EXPORT_STALE_ACCEPTED_SECONDS = env.int("EXPORT_STALE_ACCEPTED_SECONDS", default=30)
EXPORT_SWEEP_SECONDS = env.int("EXPORT_SWEEP_SECONDS", default=15)
# Static entries; beat's database scheduler installs them next to the ones edited in the UI.
CELERY_BEAT_SCHEDULE = {
    "sweep-exports": {"task": "approvals.sweep_exports", "schedule": EXPORT_SWEEP_SECONDS},
    "sweep-syncs": {"task": "syncs.sweep_syncs", "schedule": 60.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django": {"handlers": ["console"], "propagate": False}},
}

# The client address (login lockout, API throttle: erp_portal.lockout.client_ip) is REMOTE_ADDR.
# X-Forwarded-For, which any client can send, is read only when TRUSTED_PROXIES_COUNT proxies in
# front of the portal append to it: then the address the outermost of them saw (API_NUM_PROXIES
# is the older name of the setting).
TRUSTED_PROXIES_COUNT = env.int(
    "TRUSTED_PROXIES_COUNT", default=env.int("API_NUM_PROXIES", default=0)
)

# Security headers. Content-Security-Policy: scripts, styles, images and fonts from the portal
# itself only (no inline script, style attribute or eval; static/js/portal.js does what inline
# handlers did), no framing, forms posting only to the portal. The API's docs page relaxes it on
# its own view (erp_portal/api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the shared cache (Redis, or the file cache without it) and written
# through to the database: no session query on most requests; a log-out deletes both.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Sessions end after SESSION_IDLE_TIMEOUT_MINUTES without a request and SESSION_MAX_AGE_HOURS
# after the log-in, whichever comes first (erp_portal.middleware.SessionExpiryMiddleware); the
# cookie lasts no longer than the absolute lifetime.
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_MAX_AGE_HOURS = env.int("SESSION_MAX_AGE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_MAX_AGE_HOURS * 3600
# HTTPS only: off in development (plain http://127.0.0.1), on otherwise.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes call it over plain http
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
    # HSTS preload is a deliberate, hard-to-undo choice left to the operator.
    SILENCED_SYSTEM_CHECKS += ["security.W021"]
FILTERS_EMPTY_CHOICE_LABEL = "All"
