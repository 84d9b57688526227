"""Settings for the rehab project, all read from the environment (see README, "Configuration").

SQLite is the default so a fresh clone runs at once; ``DATABASE_URL`` selects PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    development_site_url,
    env_bool,
    env_caches,
    env_database,
    env_int,
    env_list,
    env_media_storage,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        msg = "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
        raise ImproperlyConfigured(msg)
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The name shown in the header, every email's subject and footer, the authenticator app and
# under the installed app's icon (and so with each push message on a phone's lock screen):
# whoever sees an inbox or a lock screen reads it, so it names no condition (README,
# "Configuration"). "Rehab": short enough for a home screen, and says no more than that.
SITE_NAME = env_str("SITE_NAME", "Rehab")
# The address patients open, for invitation links and their QR codes. Production sets it
# (check --deploy warns otherwise); in development it is where `make run` serves (HOST, PORT).
SITE_URL = env_str("SITE_URL", development_site_url() if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER (core.forms.FormRenderer)
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "knox",
    "django_htmx",
    "bootstrap",
    "heroicons",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "core",  # registers the <opaque:…> URL converter (core.ids)
    "clinic",
    "rehab",
    "audit",
    "django_tasks_db",
    "notify",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after AuthenticationMiddleware: marks request.user verified by a two-factor device.
    "django_otp.middleware.OTPMiddleware",
    # Dates and times in the reader's time zone: a patient's own, a clinician's clinic's.
    "clinic.accounts.timezones.ReaderTimeZoneMiddleware",
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.accounts.sessions.SessionLimitsMiddleware",
    "clinic.accounts.mfa.MfaRequiredMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Who made a change to an exercise or a template, for their history (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it sees every sign-in attempt and can turn a lockout into its own answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.site",
                "clinic.context_processors.signed_in",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", str(BASE_DIR / "db.sqlite3"))}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL: psycopg's connection pool, on by default in production. A request waits at most
# DATABASE_POOL_TIMEOUT seconds for a connection (say, while PostgreSQL restarts), then answers
# 503 with Retry-After (core/errors.py) instead of holding its worker for psycopg's 30 s.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_POOL", default=not DEBUG
):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN", 2, minimum=1),
        "max_size": env_int("DATABASE_POOL_MAX", 8, minimum=1),
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 0, minimum=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED", default=True
):
    # Parameters sent apart from the SQL, and a query run 5 times on one connection prepared
    # (psycopg's default, which Django turns off): PostgreSQL parses it once and, when a
    # generic plan is as good, plans it once, and planning is most of a lookup by key. It
    # pays with long-lived connections (the pool). Off (0) behind a pooler in transaction
    # mode that cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )

# Cache: Redis when REDIS_URL is set (shared by every process: the rate-limit counts), else
# each process's memory; template fragments in each process's memory (config.env.env_caches).
# Whatever uses the shared cache fails open when Redis is down (core.cache). Sessions live in
# the database: a cached copy that missed a sign-out while Redis was away could come back with it.
CACHES = env_caches("REDIS_URL")
SESSION_ENGINE = "django.contrib.sessions.backends.db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "clinic.User"
# django-axes first (refuses a locked-out account+address), then Django's own check.
AUTHENTICATION_BACKENDS = [
    "clinic.accounts.backends.AuthenticationBackend",
    "clinic.accounts.backends.ModelBackend",  # Django's, reading the user's record in the same query
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "clinic:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded photos and videos go through Django's storage API: the file system under MEDIA_ROOT
# by default, an S3-compatible bucket with MEDIA_STORAGE=s3 (django-storages; see README). They
# are never served from a public URL: ``rehab.views.media`` checks access and streams them.
STORAGES = {
    "default": env_media_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "config.staticfiles.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Not served: no URL maps MEDIA_URL (files are streamed by an access-checked view).
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploads (rehab/uploads.py): photos are re-encoded; videos are checked and kept as sent.
MEDIA_PHOTO_MAX_BYTES = env_int("MEDIA_PHOTO_MAX_MB", 15, minimum=1) * 1024 * 1024
MEDIA_PHOTO_MAX_PIXELS = env_int("MEDIA_PHOTO_MAX_MEGAPIXELS", 50, minimum=1) * 1_000_000
MEDIA_VIDEO_MAX_BYTES = env_int("MEDIA_VIDEO_MAX_MB", 50, minimum=1) * 1024 * 1024
MEDIA_VIDEO_MAX_SECONDS = env_int("MEDIA_VIDEO_MAX_SECONDS", 120, minimum=1)

# E-mail: printed to the console in development; SMTP from the environment in production.
EMAIL_BACKEND_NAME = env_str("EMAIL_BACKEND", "console" if DEBUG else "smtp")
if EMAIL_BACKEND_NAME == "console":
    MAILERS: dict[str, dict[str, object]] = {
        "default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    }
elif EMAIL_BACKEND_NAME == "smtp":
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 587, minimum=1),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                "timeout": 10,
            },
        }
    }
else:
    msg = f"EMAIL_BACKEND must be 'console' or 'smtp', not {EMAIL_BACKEND_NAME!r}."
    raise ImproperlyConfigured(msg)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "rehab@localhost")

# Background jobs: Django's tasks framework with django-tasks-db's database backend; run
# `manage.py db_worker` (the worker) and `manage.py run_scheduler` (the scheduler) beside the
# web server (Procfile; README, "Processes").
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Notifications (the notify app; README, "Notifications"). Web push signs with a VAPID key
# pair from the environment (base64url: the raw private key, the uncompressed public key);
# `make run` makes development keys once. Without keys, notifications go by email only.
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY")
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", f"mailto:{DEFAULT_FROM_EMAIL}")
if bool(VAPID_PUBLIC_KEY) != bool(VAPID_PRIVATE_KEY):
    msg = "Set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither (email only)."
    raise ImproperlyConfigured(msg)
NOTIFY_PUSH_TIMEOUT = env_int("PUSH_TIMEOUT_SECONDS", 10, minimum=1)
# The browsers' push services the server may post to (and their subdomains), over HTTPS.
NOTIFY_PUSH_HOSTS = env_list(
    "PUSH_SERVICE_HOSTS",
    [
        "fcm.googleapis.com",
        "android.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
)
NOTIFY_PUSH_INSECURE_HOSTS: list[str] = []  # hosts allowed over plain HTTP (tests only)
# Alert kinds that go to the clinic at once and escalate: a red flag, pain >= 7, a plan paused
# by a red flag. Other kinds wait on the dashboard.
NOTIFY_URGENT_ALERT_KINDS = ("red_flag", "high_pain", "plan_paused")

# Sessions and cookies. ``clinic.accounts.sessions.SessionLimitsMiddleware`` ends a session after
# ``idle`` seconds without a request or ``absolute`` seconds after sign-in, whichever is first.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=60)
SESSION_LIMITS = {
    "staff": {  # clinicians, clinic admins, site staff
        "idle": env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60,
        "absolute": env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1) * 60 * 60,
    },
    "patient": {
        "idle": env_int("PATIENT_SESSION_IDLE_DAYS", 30, minimum=1) * 60 * 60 * 24,
        "absolute": env_int("PATIENT_SESSION_ABSOLUTE_DAYS", 90, minimum=1) * 60 * 60 * 24,
    },
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Security headers. HTTPS settings default to on whenever DEBUG is off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# `preload` only makes the domain eligible for browsers' preload list; submitting it is up to you.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the app append the client's address to X-Forwarded-For. 0: the
# address is REMOTE_ADDR and the header is ignored. ``core.client.client_ip`` applies this for
# the rate limits, the sign-in lockout, the list of a user's sessions and the audit trail.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0, minimum=0)

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    # A patient taps to load an exercise's video: only YouTube's privacy-enhanced host.
    "frame-src": ["https://www.youtube-nocookie.com"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Sign-in throttling (django-axes): an account+address is locked after AXES_FAILURE_LIMIT
# failed sign-ins (page, admin and API) for AXES_COOLOFF_TIME. Attempts are kept in the database.
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # Django's AuthenticationForm; the value is the email
AXES_USERNAME_CALLABLE = "clinic.accounts.lockout.axes_username"
AXES_LOCKOUT_CALLABLE = "clinic.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "clinic.accounts.lockout.axes_client_ip"  # core.client's one policy
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Two-factor sign-in (django-otp; see README, "Two-factor sign-in"). With MFA_REQUIRED on (the
# default unless DEBUG), staff, clinic admins, therapists of clinics that require it and anyone
# who has enrolled must confirm a code at sign-in (site, admin and API). Off: nobody is asked.
MFA_REQUIRED = env_bool("MFA_REQUIRED", default=not DEBUG)
MFA_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = SITE_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret or QR code

# Per-address limits on forms that send email or set passwords: (POSTs, seconds).
# Off in DEBUG (tests and the development server share one in-memory counter) unless set.
RATE_LIMIT_ENABLED = env_bool("RATE_LIMIT_ENABLED", default=not DEBUG)
RATE_LIMIT_CACHE = "default"
RATE_LIMITS = {"password_reset": (5, 15 * 60), "invitation": (5, 15 * 60)}

# Every form drawn by Django's own form rendering, laid out for Bootstrap 5 (templates/forms/).
FORM_RENDERER = "core.forms.FormRenderer"

REST_FRAMEWORK = {
    # Knox's token first: its ``WWW-Authenticate`` header makes a missing or bad login a 401
    # (DRF answers 403 when the first class has no such header). Sessions serve the site's own
    # pages and the API docs.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # knox's token, refused once two-factor sign-in is required and it was issued without.
        "clinic.api.authentication.TokenAuthentication",
        # Django's session, refused while its two-factor step is pending.
        "clinic.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": env_str("API_LOGIN_RATE", "10/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Per-device API tokens (POST /api/v1/auth/login/): only a hash is stored; each expires after
# API_TOKEN_TTL_DAYS and can be revoked from /api/v1/auth/devices/.
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=env_int("API_TOKEN_TTL_DAYS", 30, minimum=1)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",  # no condition in a title: SITE_NAME names none
    "DESCRIPTION": (
        "Phased rehabilitation plans, exercise logs, check-ins and outcomes. "
        "Sign in with `POST /api/v1/auth/login/` and send the token as "
        "`Authorization: Token <token>`; the site's session cookie works too."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # ``<opaque:pk>``: a row's opaque id (core.ids), as core.api.fields.OPAQUE_ID_SCHEMA says.
    "PATH_CONVERTER_OVERRIDES": {
        "opaque": {"type": "string", "pattern": "^[0-9A-Za-z]{8,36}$", "example": "GZUcnUYI"}
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.document_outage",  # 503 with Retry-After, on every operation
        "core.api.schema.document_no_null_characters",  # request strings: no NUL
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PatientStatusEnum": "clinic.models.Patient.Status",
        "PlanStatusEnum": "rehab.models.plans.Plan.Status",
    },
    # Swagger UI's files come from drf-spectacular-sidecar, served as static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Invitations.
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 7, minimum=1)

# Request size limits: a bigger body, or more fields, answers 400 (never a 500). No form or API
# request of the app comes near them but uploads, whose files are checked against their own
# limits (MEDIA_PHOTO_MAX_MB, MEDIA_VIDEO_MAX_MB; a proxy in front should allow the larger).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000, minimum=10)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 10, minimum=1)

# Every log line goes through ``config.logging.EscapeControlCharacters``: user input (a name, an
# email, a path) with a newline in it cannot forge a log line of its own.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"escape_control_chars": {"()": "config.logging.EscapeControlCharacters"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["escape_control_chars"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own default handler would write its records (e.g. "Not Found: <path>") without
    # the filter: they go up to the root's handler instead.
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}
