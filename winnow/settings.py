"""One settings module, driven by the environment.

Every variable is parsed strictly: a malformed value stops start-up with its name rather than
being read as a silent default. Development defaults are safe for one laptop; `WINNOW_ENV=production`
turns on the system checks in `winnow.checks` that refuse development secrets and DEBUG.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "winnow-development-key-never-use-in-production"  # noqa: S105 (refused in production)


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw in ("True", "true", "1"):
        return True
    if raw in ("False", "false", "0"):
        return False
    raise ImproperlyConfigured(f"{name} must be True or False, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


WINNOW_ENV = env_str("WINNOW_ENV", "development")
if WINNOW_ENV not in ("development", "test", "production"):
    raise ImproperlyConfigured(f"WINNOW_ENV must be development, test or production, not {WINNOW_ENV!r}")

SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "winnow.accounts",
    "winnow.audit",
    "winnow.referrals",
    "winnow.notifications",
    "winnow.assessments",
    "winnow.workload",
    "winnow.safeguarding",
    "winnow.linkage",
    "winnow.offenders",
    "winnow.partners",
    "winnow.triage",
    "winnow.victimid",
    "winnow.validation",
    "winnow.research",
    "winnow.training",
    "winnow.intake",
    "winnow.transfers",
    "winnow.api",
    "winnow.demo",
    "winnow.worker",
    "winnow.daybook",
    "winnow.signin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "mozilla_django_oidc",
    "ninja",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "winnow.audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "winnow.signin.middleware.SignInMiddleware",  # idle timeout, second factor, Cache-Control: no-store
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "winnow.uploads.UploadLimitMiddleware",  # before anything reads the body: size limits while it streams
    "winnow.input_guard.RefuseControlCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "winnow.urls"
WSGI_APPLICATION = "winnow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "winnow" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "winnow.notifications.context_processors.notifications",
                "winnow.navigation.header",
            ],
        },
    },
]

# SQLite by default (one command, no server); PostgreSQL when DATABASE_URL is set.
DATA_DIR = Path(env_str("WINNOW_DATA_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'winnow.sqlite3'}")
# PostgreSQL keeps each worker's connection for DB_CONN_MAX_AGE seconds (checked before reuse) rather than opening one
# per request: a new connection is a new server process and cost more CPU than the queue page's queries.
_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 0 if DATABASE_URL.startswith("sqlite") else 60)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=_CONN_MAX_AGE, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so the audit chain's read-then-append cannot interleave.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The test database is a file, not memory, so a real `winnow worker` process started by a test can open it.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("WINNOW_TEST_SQLITE", "")
        or str(Path(tempfile.gettempdir()) / f"winnow-test-{hashlib.sha256(bytes(BASE_DIR)).hexdigest()[:8]}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "winnow.signin.validators.DistinctCharactersValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # the landing page for the user's roles (winnow.navigation)
LOGOUT_REDIRECT_URL = "login"

# Store UTC, show Europe/London.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "winnow" / "static"]
# Outside production, serve static files straight from the apps (no collectstatic needed for the demo or tests).
WHITENOISE_USE_FINDERS = WINNOW_ENV != "production"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", WINNOW_ENV == "production")
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", WINNOW_ENV == "production")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Uploads: files larger than this are refused with a clear message before parsing.
WINNOW_IMPORT_MAX_BYTES = env_int("WINNOW_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# Scan result files (the SQLite file `winnow scan` writes) may be large; they stream to disk, never to memory.
WINNOW_SCAN_RESULT_MAX_BYTES = env_int("WINNOW_SCAN_RESULT_MAX_BYTES", 4 * 1024 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Each uploaded file is counted as it streams and stopped at its page's limit (winnow/uploads.py), before the
# next handlers keep it in memory (up to FILE_UPLOAD_MAX_MEMORY_SIZE) or spool it to a temporary file.
FILE_UPLOAD_HANDLERS = [
    "winnow.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}


def env_days(name: str, default: dict[str, int]) -> dict[str, int]:
    """e.g. WINNOW_DEADLINE_DAYS="very_high=1,high=7,medium=14,low=30"."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    days = dict(default)
    for part in filter(None, (p.strip() for p in raw.split(","))):
        key, sep, value = part.partition("=")
        if not sep or key.strip() not in default or not value.strip().isdigit():
            raise ImproperlyConfigured(f"{name}: {part!r} is not band=days with a band from {', '.join(default)}")
        days[key.strip()] = int(value)
    return days


# Days to action a referral per decided band, and days to assess an unassessed one (HMICFRS 2023 defaults).
WINNOW_DEADLINE_DAYS = env_days("WINNOW_DEADLINE_DAYS", {"very_high": 1, "high": 7, "medium": 14, "low": 30})
WINNOW_ASSESSMENT_DEADLINE_DAYS = env_int("WINNOW_ASSESSMENT_DEADLINE_DAYS", 2)
# Days another unit has to answer a request for information, unless the asker sets a date (winnow.partners).
WINNOW_RFI_DAYS = env_int("WINNOW_RFI_DAYS", 5)
# Days after a child in the household, access or a victim identified by which the safeguarding referral is due (by
# midnight, Europe/London); immediate danger is always due the same day (winnow.core.safeguarding).
WINNOW_SAFEGUARDING_DEADLINE_DAYS = env_int("WINNOW_SAFEGUARDING_DEADLINE_DAYS", 1)
if WINNOW_SAFEGUARDING_DEADLINE_DAYS < 0:
    raise ImproperlyConfigured("WINNOW_SAFEGUARDING_DEADLINE_DAYS cannot be negative")
# Referral packages between installations (winnow.transfers): signed with Ed25519. The signing key is the
# base64 of a 32-byte private key (`winnow package-key` makes one); empty: this installation cannot export. Trusted
# keys are "key-id=base64 public key" pairs of the installations whose packages this one imports (its own is trusted).
WINNOW_PACKAGE_KEY_ID = env_str("WINNOW_PACKAGE_KEY_ID", "")
WINNOW_PACKAGE_SIGNING_KEY = env_str("WINNOW_PACKAGE_SIGNING_KEY", "")
WINNOW_PACKAGE_TRUSTED_KEYS = env_list("WINNOW_PACKAGE_TRUSTED_KEYS", [])
# Instrument files (YAML), loaded and validated at start-up; a broken file stops start-up naming file and line.
WINNOW_INSTRUMENTS_DIR = Path(env_str("WINNOW_INSTRUMENTS_DIR", str(BASE_DIR / "instruments")))


# Background work (Django's Tasks API, database backend): `winnow worker` runs what is enqueued. A failed attempt is
# tried again after WINNOW_TASK_RETRY_SECONDS, doubling each time (at most an hour), up to WINNOW_TASK_MAX_ATTEMPTS
# attempts in all; a running task whose worker has sent no heartbeat for WINNOW_TASK_STALE_SECONDS (it was killed,
# or its machine died) is given back to the queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
WINNOW_TASK_MAX_ATTEMPTS = env_int("WINNOW_TASK_MAX_ATTEMPTS", 5)
WINNOW_TASK_RETRY_SECONDS = env_int("WINNOW_TASK_RETRY_SECONDS", 10)
WINNOW_TASK_STALE_SECONDS = env_int("WINNOW_TASK_STALE_SECONDS", 60)
for _name in ("WINNOW_TASK_MAX_ATTEMPTS", "WINNOW_TASK_RETRY_SECONDS", "WINNOW_TASK_STALE_SECONDS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1, not {globals()[_name]}")
# Called by `winnow worker` before its first task: person linkage loads splink and keeps cleaned subjects.
WINNOW_WORKER_STARTUP = ["winnow.linkage.services.worker_start"]
# Called (dotted paths) in the transaction that accepts a person match, by winnow.linkage, which sits below them.
WINNOW_AFTER_MERGE = ["winnow.partners.services.after_merge"]
# Called at every heartbeat of `winnow worker` (dotted paths): the audit trail's checkpoint when one is due by time;
# the victim-ID series task when scans or hash sets wait; the re-referral events' refresh, enqueued for units with
# linkage decisions not yet counted.
WINNOW_WORKER_HEARTBEAT = ["winnow.audit.chain.checkpoint_if_stale", "winnow.victimid.tasks.series_enqueue_if_pending",
                           "winnow.research.tasks.rereferral_refresh_due", "winnow.worker.jobs.jobs_fail_lost"]
# The import each kind of upload job runs on the worker (winnow.worker.jobs; dotted paths: the imports live in apps
# above the worker).
WINNOW_JOB_RUNNERS = {
    "hash_set": "winnow.triage.jobs.hash_set_job",
    "referral_import": "winnow.intake.jobs.referral_import_job",
    "cybertipline": "winnow.intake.jobs.cybertipline_job",
}
# Scan results with more files than this are summarised by the worker, not inside the upload request.
WINNOW_SUMMARY_INLINE_MAX_FILES = env_int("WINNOW_SUMMARY_INLINE_MAX_FILES", 50_000)


# --- Sign-in (winnow.signin) -----------------------------------------------------------------------------------
# The lockout backend comes first: it refuses a locked-out username before any password is checked.
AUTHENTICATION_BACKENDS = [
    "winnow.signin.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# A second factor (TOTP, or a single-use recovery code) for every role. Required in production; elsewhere a person
# who has enrolled is asked for it, and the demo's logins sign in with a password alone.
WINNOW_MFA_REQUIRED = env_bool("WINNOW_MFA_REQUIRED", WINNOW_ENV == "production")
WINNOW_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Winnow")
# Signed out after this many minutes without a request, as well as SESSION_COOKIE_AGE after signing in.
WINNOW_IDLE_TIMEOUT_MINUTES = env_int("WINNOW_IDLE_TIMEOUT_MINUTES", 30)
# django-axes: after WINNOW_LOCKOUT_FAILURES wrong passwords for one username, it is locked until an administrator
# unlocks it (`winnow unlock USERNAME` or the admin's access attempts), or for WINNOW_LOCKOUT_MINUTES when set.
AXES_FAILURE_LIMIT = env_int("WINNOW_LOCKOUT_FAILURES", 5)
AXES_LOCKOUT_PARAMETERS = ["username"]  # not the address: one unit's officers often share one NAT address
SILENCED_SYSTEM_CHECKS = ["axes.W006"]  # that warning is about address-based limits, which the line above avoids
AXES_RESET_ON_SUCCESS = True
AXES_COOLOFF_TIME = (env_int("WINNOW_LOCKOUT_MINUTES", 0) / 60) or None  # hours, as axes reads a number
AXES_LOCKOUT_TEMPLATE = "signin/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 403
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]  # behind a proxy, set its forwarded header here, never trust any
# API tokens expire; a token is read-only unless issued with the write scope.
WINNOW_API_TOKEN_DAYS = env_int("WINNOW_API_TOKEN_DAYS", 90)

# Optional sign-in with OpenID Connect (e.g. Entra ID). Off unless WINNOW_OIDC_CLIENT_ID is set. People are matched
# by e-mail to accounts an administrator made (never created on first sign-in); Winnow's second factor still applies.
OIDC_RP_CLIENT_ID = env_str("WINNOW_OIDC_CLIENT_ID", "")
WINNOW_OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if WINNOW_OIDC_ENABLED:
    OIDC_RP_CLIENT_SECRET = env_str("WINNOW_OIDC_CLIENT_SECRET", "")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("WINNOW_OIDC_AUTHORIZATION_ENDPOINT", "")
    OIDC_OP_TOKEN_ENDPOINT = env_str("WINNOW_OIDC_TOKEN_ENDPOINT", "")
    OIDC_OP_USER_ENDPOINT = env_str("WINNOW_OIDC_USER_ENDPOINT", "")
    OIDC_OP_JWKS_ENDPOINT = env_str("WINNOW_OIDC_JWKS_ENDPOINT", "")
    # The ID token's `iss` must equal this (Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0).
    WINNOW_OIDC_ISSUER = env_str("WINNOW_OIDC_ISSUER", "")
    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_CREATE_USER = False
    OIDC_RP_SCOPES = "openid email profile"
    OIDC_CALLBACK_CLASS = "winnow.signin.oidc.AuditedCallbackView"
    LOGIN_REDIRECT_URL_FAILURE = "/login/"  # mozilla-django-oidc 5 reads this name
    OIDC_TIMEOUT = 10  # seconds for each call to the provider
    _missing = [name for name in ("WINNOW_OIDC_CLIENT_SECRET", "WINNOW_OIDC_AUTHORIZATION_ENDPOINT",
                                  "WINNOW_OIDC_TOKEN_ENDPOINT", "WINNOW_OIDC_USER_ENDPOINT",
                                  "WINNOW_OIDC_JWKS_ENDPOINT", "WINNOW_OIDC_ISSUER") if not os.environ.get(name)]
    if _missing:
        raise ImproperlyConfigured(f"WINNOW_OIDC_CLIENT_ID is set, so set {', '.join(_missing)} too")
    AUTHENTICATION_BACKENDS.append("winnow.signin.oidc.WinnowOIDCBackend")

# --- Headers ---------------------------------------------------------------------------------------------------
# No inline script or style anywhere: every page's script and style comes from /static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# In production: HTTPS only. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_NAME (e.g.
# HTTP_X_FORWARDED_PROTO) and make the proxy set that header itself; /healthz answers on plain HTTP for monitoring.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", WINNOW_ENV == "production")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if WINNOW_ENV == "production" else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
if os.environ.get("SECURE_PROXY_SSL_HEADER_NAME"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER_NAME"], "https")
# Offending trends and research export (winnow.research). The Covid-19 restrictions period shaded on the trends
# pages defaults to England's first national lockdown (23 March 2020) to the end of the last legal restrictions
# (24 February 2022). Counts from 1 to WINNOW_DISCLOSURE_THRESHOLD - 1 are suppressed on screen and in exports
# (ONS uses 10); a record-level extract is refused when any combination of its quasi-identifiers holds fewer
# than WINNOW_RESEARCH_K people. WINNOW_RESEARCH_KEY keys the HMAC of person keys in a record-level extract (no
# key, no record-level extract). WINNOW_CASE_FACTS_EXTRA: a force's vocabulary files, comma-separated.
WINNOW_COVID_START = env_str("WINNOW_COVID_START", "2020-03-23")
WINNOW_COVID_END = env_str("WINNOW_COVID_END", "2022-02-24")
WINNOW_DISCLOSURE_THRESHOLD = env_int("WINNOW_DISCLOSURE_THRESHOLD", 10)
WINNOW_RESEARCH_K = env_int("WINNOW_RESEARCH_K", 10)
WINNOW_RESEARCH_KEY = env_str("WINNOW_RESEARCH_KEY", "")
WINNOW_CASE_FACTS_EXTRA = env_list("WINNOW_CASE_FACTS_EXTRA", [])
# The audit trail (winnow.audit): each event's hash is an HMAC under WINNOW_AUDIT_KEY and the chains' heads are
# written, signed with WINNOW_CHECKPOINT_KEY, to an append-only file outside the database at least every
# WINNOW_AUDIT_CHECKPOINT_EVERY events per shard or WINNOW_AUDIT_CHECKPOINT_MINUTES. Neither key is ever stored in
# the database; production refuses to start without both (winnow.E010). Outside production they derive from
# SECRET_KEY so one command still runs.
WINNOW_AUDIT_KEY = env_str("WINNOW_AUDIT_KEY", "")
WINNOW_CHECKPOINT_KEY = env_str("WINNOW_CHECKPOINT_KEY", "")
WINNOW_AUDIT_CHECKPOINT_PATH = Path(env_str("WINNOW_AUDIT_CHECKPOINT_PATH", str(DATA_DIR / "audit-checkpoints.jsonl")))
WINNOW_AUDIT_CHECKPOINT_EVERY = env_int("WINNOW_AUDIT_CHECKPOINT_EVERY", 500)
WINNOW_AUDIT_CHECKPOINT_MINUTES = env_int("WINNOW_AUDIT_CHECKPOINT_MINUTES", 10)
# `winnow backup` with no directory writes WINNOW_BACKUP_DIR/<UTC time>; `winnow restore` with none restores the newest
# there. Put it on another disk (or copy it off the machine): a backup beside the data dies with the disk.
WINNOW_BACKUP_DIR = Path(env_str("WINNOW_BACKUP_DIR", str(DATA_DIR / "backups")))
# Least-privilege roles (`winnow db-roles`): migrations run as the owner (`winnow migrate --database owner`), the
# application as a role that owns nothing; production refuses to serve as an owner or superuser (winnow.E011).
if os.environ.get("WINNOW_OWNER_DATABASE_URL"):
    DATABASES["owner"] = dj_database_url.parse(os.environ["WINNOW_OWNER_DATABASE_URL"])
    DATABASES["owner"]["TEST"] = {"MIRROR": "default"}
