"""Settings for hrprogram, read from the environment.

With nothing set, the project runs anywhere: SQLite, eager Celery, DEBUG on. Production sets
DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-local-use-never-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

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
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "participants",
    "supplies",
    "encounters",
    "referrals",
    "training",
    "cards",
    "community_log",
    "reports",
    "audit",
    "security",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "security.middleware.ContentSecurityPolicyMiddleware",
    # Early, so that every audit entry written while serving the request has the client address.
    "audit.middleware.AuditRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A NUL character in a path or field is answered with 400, before any query could choke on it.
    "hrprogram.middleware.RejectNullCharactersMiddleware",
    # A dropped database connection is a 503 with Retry-After, pages and API alike.
    "hrprogram.middleware.DatabaseUnavailableMiddleware",
    # Reads just after a write stay on the primary when there is a read replica.
    "hrprogram.middleware.PrimaryAfterWriteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Shared phones: nothing shown to someone signed in (or by the API) stays in a cache.
    "security.middleware.NoStoreForSignedInMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.ProgramTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    # After the idle timeout (a timed-out session owes nothing) and the messages.
    "security.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must come last: it turns a lockout raised during login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # In production gunicorn serves the collected static files itself (no CDN, no extra server).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "hrprogram.urls"
WSGI_APPLICATION = "hrprogram.wsgi.application"

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
                "accounts.context_processors.navigation",
                "core.javascript_catalog.language_context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A read replica (a state-wide deployment): dashboards, funder report runs and extracts read
# from it, writes and a person's reads just after they saved something stay on the primary
# (core/replica.py). The replica is the same database in tests.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            os.environ["DATABASE_REPLICA_URL"],
            conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
    READ_REPLICA_ALIAS = "replica"
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UserWithProgramBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Shared phones: a session left alone this long is signed out.
IDLE_TIMEOUT_MINUTES = int(os.environ.get("IDLE_TIMEOUT_MINUTES", "15"))
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 60 * 60)))
SESSION_COOKIE_HTTPONLY = True
# Lax, so a link in an email ("your report is ready") opens signed in; the CSRF cookie is
# never needed on a request from another site, so it is Strict.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Strict"

# Two-factor sign-in (django-otp): required for managers, funders and admins, optional for
# outreach (security.middleware). Each wrong code doubles the wait before the next try.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "hrprogram")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin lists devices without their secret keys.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Participant look-ups per person: (requests, seconds). Search runs as people type; code
# questions have few possible answers, so trying many is what an attacker would do.
# One budget per person for asking whether a participant code exists, on every path (pages,
# API, sync): guesses in any CODE_GUESS_HOURS hours, counted in the database
# (security/code_guesses.py; the numbers in the README's security section).
CODE_GUESS_BUDGET = int(os.environ.get("CODE_GUESS_BUDGET", "400"))
CODE_GUESS_HOURS = int(os.environ.get("CODE_GUESS_HOURS", "24"))
RATE_LIMITS = {
    "participant-search": (
        int(os.environ.get("RATE_LIMIT_PARTICIPANT_SEARCH", "120")),
        60,
    ),
    "participant-code-lookup": (
        int(os.environ.get("RATE_LIMIT_PARTICIPANT_CODE_LOOKUP", "30")),
        5 * 60,
    ),
    # The public card check page: an officer checks a card or two, not hundreds of codes.
    "card-check": (int(os.environ.get("RATE_LIMIT_CARD_CHECK", "20")), 10 * 60),
}

# While the cache is unreachable, rate limits fail open (security/ratelimit.py), except these
# buckets and API throttle scopes, which count in each web process's memory meanwhile: code
# answers have few possible values, so guessing them stays limited through a Redis outage; the
# public card check stays limited too.
RATE_LIMITS_FALL_BACK = {"participant-code-lookup", "lookup", "card-check"}

# Repeated failed logins lock the account name for a while (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
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
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A mail server that does not answer fails the send (and the task retries later) instead of
# holding a worker for minutes.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
# The first wait before a failed email is retried; each next wait doubles (accounts/mail.py).
MAIL_RETRY_BACKOFF_SECONDS = int(os.environ.get("MAIL_RETRY_BACKOFF_SECONDS", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hrprogram <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: a real broker when REDIS_URL is set, otherwise tasks run eagerly in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TIMEZONE = TIME_ZONE
# A request must never hang on a broker that is down: connecting gives up after a second and
# the outbox (accounts/outbox.py) keeps the task until the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 5
# A worker started while the broker is still down keeps trying to connect.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "accounts.tasks.publish_waiting_tasks",
        "schedule": 60.0,
    },
    "stock-alert-digests": {
        "task": "supplies.tasks.send_stock_alert_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "follow-up-digests": {
        "task": "referrals.tasks.send_follow_up_digests",
        "schedule": crontab(hour=7, minute=15),
    },
    "certificate-reminders": {
        "task": "training.tasks.send_certificate_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    "state-report-reminders": {
        "task": "community_log.tasks.send_state_report_reminders",
        "schedule": crontab(hour=7, minute=45),
    },
    "participant-retention": {
        "task": "participants.tasks.anonymise_inactive_participants",
        "schedule": crontab(hour=3, minute=30),
    },
    # Participant sets of closed days and months, ready before a dashboard asks for them.
    "participant-sets": {
        "task": "reports.tasks.warm_participant_sets",
        "schedule": 15 * 60.0,
    },
    "scheduled-report-runs": {
        "task": "reports.tasks.enqueue_scheduled_report_runs",
        "schedule": crontab(minute=5),  # hourly: each program's day starts in its own time zone
    },
}

# Daily beat jobs the outbox sweep sends again when the beat could not at their time (Redis
# down): each takes the programs it missed and runs once a program-date (accounts/daily_jobs.py).
DAILY_JOBS_CAUGHT_UP = [
    "stock-alert-digests",
    "follow-up-digests",
    "certificate-reminders",
    "state-report-reminders",
]

# The cache holds only rate-limit counts: a request must never wait long for it or fail with
# it (security/ratelimit.py, security/throttling.py fail open when it is down).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions and flash messages live in the database and the session, never in Redis, so
# signing in and every page keep working while Redis restarts.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

# How many reverse proxies in front of the app append to X-Forwarded-For. 0: the header is
# ignored and the audit log records REMOTE_ADDR (anyone can send the header).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Production hardening; `manage.py check --deploy` is clean with DEBUG off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# No inline script or style anywhere (security.middleware.ContentSecurityPolicyMiddleware):
# JS and CSS live in static files, data passes through data- attributes or json_script.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
}
if not DEBUG:
    # X-Forwarded-Proto is believed only behind a proxy that sets it (TRUSTED_PROXY_COUNT > 0;
    # the compose file's Caddy): without one, any client could claim HTTPS.
    if TRUSTED_PROXY_COUNT > 0:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The containers' health checks ask gunicorn directly over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Error reports go to ADMINS ("Name <address>, ..." or bare addresses) and never carry
# participant data: see security/redaction.py.
ADMINS = [("", address.strip()) for address in env_list("ADMINS", "")]
DEFAULT_EXCEPTION_REPORTER = "security.redaction.ParticipantDataReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "security.redaction.ParticipantDataReporterFilter"

# Every handler drops participant data from what it writes (security.redaction).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_participant_data": {"()": "security.redaction.RedactParticipantData"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_participant_data"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "redact_participant_data"],
            # Text only: the HTML report would list every local variable of every frame.
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

# Participant codes are stored only as an HMAC with this key. Changing it orphans every code,
# so production sets it once and keeps it with the database backups; it is a key of its own so
# that SECRET_KEY can be rotated without losing a single code.
PARTICIPANT_CODE_SECRET = os.environ.get("PARTICIPANT_CODE_SECRET", "")
if not PARTICIPANT_CODE_SECRET:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PARTICIPANT_CODE_SECRET must be set when DEBUG is off (and never changed after)."
        )
    PARTICIPANT_CODE_SECRET = f"code:{SECRET_KEY}"

# Participants with no encounter for this many years (and enrolled earlier, if never seen) are
# anonymised by a daily task; 0 turns retention off.
PARTICIPANT_RETENTION_YEARS = int(os.environ.get("PARTICIPANT_RETENTION_YEARS", "3"))
# The REST API under /api/v1/ (api/): JSON only, tokens for integrations, sessions (with CSRF)
# for the pages' own scripts; program staff only unless a view says otherwise.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an anonymous request gets 401 with a WWW-Authenticate header, not 403.
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.rest.permissions.IsProgramStaff"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.rest.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.rest.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        # DRF's own, failing open when their cache is down (security/throttling.py).
        "security.throttling.AnonRateThrottle",
        "security.throttling.UserRateThrottle",
        "security.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "60/minute"),
        "user": os.environ.get("API_USER_RATE", "1200/minute"),
        # A phone back in signal sends its queue in batches of up to 500 encounters.
        "sync": os.environ.get("API_SYNC_RATE", "30/minute"),
        # Looking people up by code answers is what someone guessing codes would do.
        "lookup": os.environ.get("API_LOOKUP_RATE", "30/minute"),
    },
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "hrprogram API",
    "DESCRIPTION": "Participants, encounters (and the offline sync), supplies, referrals, "
    "trainings and funder report runs of one harm reduction program. Every error is JSON.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EncounterKindEnum": "encounters.models.Encounter.Kind",
        "TrainingKindEnum": "training.models.TrainingKind",
        "ReferralKindEnum": "referrals.models.ReferralKind",
        "ReferralStatusEnum": "referrals.models.Referral.Status",
        "NewReferralStatusEnum": ["offered", "made"],
        "SyncStatusEnum": ["created", "exists", "rejected"],
        "PoliceInteractionKindEnum": "community_log.models.PoliceInteraction.Kind",
        "CommunitySourceKindEnum": "community_log.models.SourceKind",
        "CardRevokedBecauseEnum": "cards.models.ParticipantCard.RevokedBecause",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
    # Swagger UI from the installed sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Days until a referral's follow-up is due, by kind; others use the default.
REFERRAL_FOLLOW_UP_DAYS = {"housing": 14, "benefits": 14, "food": 3, "clothing": 3}
REFERRAL_FOLLOW_UP_DEFAULT_DAYS = 7

# Published reports (reports.disclosure): counts of people, encounters and referrals from 0 to
# this number are shown as "<11" (threshold + 1), larger ones with cell-key noise of at most 2.
REPORT_SUPPRESSION_THRESHOLD = int(os.environ.get("REPORT_SUPPRESSION_THRESHOLD", "10"))
# The key of that noise. Keep it secret and never change it: a new key gives every cell new
# noise, and two versions of the same cell can be averaged. Required when DEBUG is off, so that
# rotating SECRET_KEY never changes a published number; derived from SECRET_KEY in development.
REPORT_DISCLOSURE_KEY = os.environ.get("REPORT_DISCLOSURE_KEY", "")
if not REPORT_DISCLOSURE_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "REPORT_DISCLOSURE_KEY must be set when DEBUG is off (and never changed after)."
        )
    REPORT_DISCLOSURE_KEY = f"disclosure:{SECRET_KEY}"
# The address links in emails point to (a worker has no request to take it from).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
