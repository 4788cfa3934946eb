"""SafeContact settings: every deploy value comes from the environment.

Development defaults are safe for a laptop; `DEBUG=false` with the development
secret key refuses to start. Every variable is listed in `.env.example`.
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from safecontact.lib.env import envbool, envint, envlist, envsecret, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"  # noqa: S105
DEBUG = envbool("DEBUG", "true")
SECRET_KEY = envsecret("SECRET_KEY", _DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured(
        "Set SECRET_KEY (or SECRET_KEY_FILE) when DEBUG is false"
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",
    "django_tasks_db",
    "safecontact.accounts",
    "safecontact.audittrail",
    "safecontact.people",
    "safecontact.groups",
    "safecontact.ledger",
    "safecontact.contact",
    "safecontact.concerns",
    "safecontact.audits",
    "safecontact.policies",
    "safecontact.assessments",
    "safecontact.dashboard",
    "safecontact.families",
    "safecontact.notifications",
    "safecontact.guide",
    "safecontact.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "safecontact.lib.errors.ApiErrorsAsJson",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safecontact.accounts.middleware.TwoFactorRequiredMiddleware",
    "safecontact.lib.grants.TrusteeGrantMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safecontact.urls"
WSGI_APPLICATION = "safecontact.wsgi.application"
ASGI_APPLICATION = "safecontact.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safecontact.accounts.context_processors.organisation",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (or anything dj-database-url reads)
# through DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Keep connections open between requests: opening one per request costs ~15%
# of the gateway's CPU (measured in benchmarks/bench_gateway.py).
DB_CONN_MAX_AGE = envint("DB_CONN_MAX_AGE", "60")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE)
    }
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        # No JIT compiling: the register's counts cost enough to trigger it, and
        # compiling took 130 ms of a 700 ms count (EXPLAIN ANALYZE, bench pages).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": envstr("SQLITE_PATH", str(BASE_DIR / "safecontact.sqlite3")),
            "CONN_MAX_AGE": DB_CONN_MAX_AGE,
            "OPTIONS": {
                # Writers queue instead of failing at once; IMMEDIATE takes the
                # write lock at BEGIN so two writers never deadlock mid-transaction.
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:signed_out"

# Lockout after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("LOGIN_LOCKOUT_MINUTES", "30") / 60  # hours
# Never by address alone: a church, a school or the whole instance behind a
# proxy shares one address, and one person's typos must not lock them all out.
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "safecontact.lib.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = envstr("OTP_ISSUER", "SafeContact")

# How many reverse proxies in front of SafeContact append to X-Forwarded-For.
# 0 (the default) ignores the header: the client is REMOTE_ADDR.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0", minimum=0)

# API keys stop working this many days after they are made.
API_KEY_DAYS = envint("API_KEY_DAYS", "90", minimum=1)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = envstr("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "media")))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "false" if DEBUG else "true")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = envint("SESSION_MINUTES", "480") * 60
# Production is HTTPS only: redirect and HSTS are on unless DEBUG.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
# Whether the organisation's other subdomains (its website, say) are HTTPS
# only is its own decision, not ours to force: opt in, and the checks that
# ask for it stay quiet until then.
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "false")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
if envbool("TRUST_X_FORWARDED_PROTO", "false"):
    # Behind a proxy that terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy on every response (Django's own middleware): only
# our own scripts, styles and images; inline code only with the page's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Group chat exports (audits) stream to disk under their own, larger limit.
AUDIT_UPLOAD_MAX_BYTES = envint(
    "AUDIT_UPLOAD_MAX_BYTES", str(200 * 1024 * 1024), minimum=1
)
# Audits, with everything read from the chat, are deleted after this long:
# the period a new organisation starts with (its Lead may change it).
AUDIT_RETENTION_DAYS = envint("AUDIT_RETENTION_DAYS", "365", minimum=30)

# Outbound email (the contact gateway and notifications to the Lead), in
# Django 6.1's MAILERS form. Production sends through a real SMTP server; in
# development without EMAIL_HOST, mail is written to files in ./sent-mail/
# so `make run` works on a laptop with no mail server.
_SMTP = "django.core.mail.backends.smtp.EmailBackend"
_FILES = "django.core.mail.backends.filebased.EmailBackend"
_EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND", _FILES if DEBUG and not envstr("EMAIL_HOST", "") else _SMTP
)
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": {"file_path": envstr("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))}
        if _EMAIL_BACKEND == _FILES
        else {
            "host": envstr("EMAIL_HOST", "127.0.0.1"),
            "port": envint("EMAIL_PORT", "1025"),
            "username": envstr("EMAIL_HOST_USER", ""),
            "password": envsecret("EMAIL_HOST_PASSWORD", ""),
            "use_tls": envbool("EMAIL_USE_TLS", "false"),
            "timeout": envint("EMAIL_TIMEOUT", "10"),
        },
    }
}
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "safecontact@localhost")

# Encryption at rest for case files: a comma-separated list of Fernet keys,
# newest first; older keys only decrypt (see README, "Rotating keys").
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEYS", "") or (
    ["ZGV2LW9ubHktZmllbGQta2V5LWNoYW5nZS1tZS0wMDA="] if DEBUG else []
)
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEYS when DEBUG is false")
for _number, _key in enumerate(FIELD_ENCRYPTION_KEYS, start=1):
    # A key that cannot decrypt would only show when a case is opened: refuse
    # to start instead (the message never contains the key itself).
    try:
        Fernet(_key.encode())
    except ValueError:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS: key number {_number} is not a Fernet key "
            "(32 url-safe base64-encoded bytes). Make one with: python -c "
            '"from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"'
        ) from None

# Signed checkpoints of the contact log's head, written outside the database
# (docs/ledger.md). The key must not be stored in the database.
# In development it is derived from SECRET_KEY, which is not in the database.
LEDGER_CHECKPOINT_KEY = envsecret("LEDGER_CHECKPOINT_KEY", "") or (
    hmac.new(SECRET_KEY.encode(), b"ledger-checkpoints", "sha256").hexdigest()
    if DEBUG
    else ""
)
if not LEDGER_CHECKPOINT_KEY:
    raise ImproperlyConfigured("Set LEDGER_CHECKPOINT_KEY when DEBUG is false")
LEDGER_CHECKPOINT_DIR = Path(
    envstr("LEDGER_CHECKPOINT_DIR", "") or BASE_DIR / "ledger-checkpoints"
)

NINJA_PAGINATION_PER_PAGE = 50
# Bounded limit/offset for any list marked with a bare @paginate.
NINJA_PAGINATION_CLASS = "safecontact.lib.pages.LimitOffsetPagination"

# Background and scheduled work: Django's tasks API with django-tasks-db,
# which keeps the queue in this database (no broker to run) and is worked by
# `manage.py db_worker`. Chosen over a home-made queue: it is by the author of
# Django's tasks API (DEP 14), claims rows with SELECT ... FOR UPDATE SKIP
# LOCKED on PostgreSQL, and keeps results for inspection.
TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
