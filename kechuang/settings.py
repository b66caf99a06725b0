"""Settings, read from KECHUANG_* environment variables.

Production-safe by default: DEBUG off, secure cookies, HSTS, SSL redirect, a secret key required.
A local HTTP demo sets KECHUANG_HTTPS=0 (cookies without the Secure flag, no redirect) and
KECHUANG_SECRET_KEY; see the Makefile.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KECHUANG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("KECHUANG_DEBUG", False)
HTTPS = env_bool("KECHUANG_HTTPS", True)

SECRET_KEY = os.environ.get("KECHUANG_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-for-debug-mode-never-in-production"
    else:
        raise ImproperlyConfigured("请设置环境变量 KECHUANG_SECRET_KEY（生产环境必须提供随机密钥）")

ALLOWED_HOSTS = env_list("KECHUANG_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("KECHUANG_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "kechuang.core",
    "kechuang.accounts",
    "kechuang.registry",
    "kechuang.cultivation",
    "kechuang.monitoring",
    "kechuang.contracts",
    "kechuang.policies",
    "kechuang.programs",
    "kechuang.market",
    "kechuang.projects",
    "kechuang.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "kechuang.core.errors.ApiErrorShapeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kechuang.core.middleware.SessionRefreshMiddleware",
    "kechuang.core.middleware.RequestContextMiddleware",
    "kechuang.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kechuang.core.pagecache.PageCacheMiddleware",
]

# The rendered bodies of the hot pages, per user and data version (kechuang/core/pagecache.py):
# URL name (or API route) → the tables the page lists (their highest key is part of the
# version) and the "touch" columns of state written without an audit entry.
PAGE_CACHE_ENABLED = env_bool("KECHUANG_PAGE_CACHE", True)
PAGE_CACHE_SECONDS = int(os.environ.get("KECHUANG_PAGE_CACHE_SECONDS", "60"))
_JOBS_TOUCH = ["core.Job.started_at", "core.Job.finished_at", "core.Job.seen_at"]
_RUNS_TOUCH = ["cultivation.ScreeningRun.started_at", "cultivation.ScreeningRun.finished_at"]
# Lists of these tables keep their row count per query and data version (core.pagination.counted).
COUNTED_MODELS = {"registry.Organization"}
_PROGRESS_TABLES = [
    "monitoring.Plan",
    "monitoring.Indicator",
    "monitoring.AreaTarget",
    "monitoring.Commitment",
    "monitoring.Observation",
    "registry.Area",
    "registry.Organization",
    "registry.Qualification",
    "registry.InnovationPlatform",
    "registry.PlatformStatusChange",
    "registry.Patent",
    "registry.AnnualReport",
    "registry.Team",
    "registry.Talent",
    "contracts.TechContract",
]
PAGE_CACHE_ROUTES = {
    "site:home": {
        "tables": ["registry.Organization", "registry.Qualification", "core.Job"],
        "touch": _JOBS_TOUCH + _RUNS_TOUCH,
    },
    "registry:organizations_list": {"tables": ["registry.Organization"]},
    "api/registry/organizations": {"tables": ["registry.Organization"]},
    "cultivation:overview": {
        "tables": ["cultivation.PoolEntry", "cultivation.ScreeningRun"],
        "touch": _RUNS_TOUCH,
    },
    "contracts:list": {"tables": ["contracts.TechContract"]},
    "programs:calls": {"tables": ["programs.Call", "programs.Challenge"]},
    "policies:list": {"tables": ["policies.Policy"]},
    "market:home": {"tables": ["market.TechDemand", "market.Achievement", "market.PublishedList"]},
    "projects:list": {"tables": ["projects.Project"]},
    # plan progress: what monitoring.selectors.PROGRESS_MODELS reads (a test keeps them equal)
    "monitoring:dashboard": {"tables": _PROGRESS_TABLES},
    "api:plan_progress": {"tables": _PROGRESS_TABLES},
}

ROOT_URLCONF = "kechuang.urls"
WSGI_APPLICATION = "kechuang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kechuang.site.navigation.navigation",
            ],
            # `http_link` (a URL from data becomes a link only if it is http(s) with a host)
            # and the other core filters, in every template without a {% load %}.
            "builtins": ["kechuang.core.templatetags.kechuang_tags"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("KECHUANG_DATABASE_URL", f"sqlite:///{VAR_DIR / 'kechuang.sqlite3'}"),
        conn_max_age=int(os.environ.get("KECHUANG_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

# Background work (screening, long imports): a database-backed queue, no Redis. The worker is
# `manage.py db_worker`; KECHUANG_TASKS_IMMEDIATE=1 runs tasks inline instead (no worker).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("KECHUANG_TASKS_IMMEDIATE") == "1"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
# Background jobs (kechuang/core/jobs): an import or an export of more rows than this runs in the
# worker, not in the request (a whole-city export is always past it). A user has
# at most JOBS_MAX_PENDING_PER_USER jobs (and as many screenings, as many benefit runs) queued or
# running; identical pending requests are merged.
# The technology market's optional dense encoder: a local directory of word vectors (word2vec text
# format, `vectors.txt`) fused with the lexical ranking (market/engine/dense.py). Empty: lexical
# only. Nothing is shipped or downloaded; `manage.py train_match_encoder` trains one on the
# platform's own text.
MARKET_ENCODER_DIR = os.environ.get("KECHUANG_MARKET_ENCODER_DIR", "")
JOB_ROW_THRESHOLD = int(os.environ.get("KECHUANG_JOB_ROW_THRESHOLD", "2000"))
JOBS_MAX_PENDING_PER_USER = int(os.environ.get("KECHUANG_JOBS_MAX_PENDING_PER_USER", "3"))
# Staged uploads (MEDIA_ROOT/imports, kept between an import's dry run and its commit): at most
# this many bytes per user; `manage.py purge_staged_uploads` deletes those older than a day.
STAGED_UPLOADS_QUOTA_BYTES = int(
    os.environ.get("KECHUANG_STAGED_UPLOADS_QUOTA_BYTES", str(60 * 1024 * 1024))
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while a writer commits; the timeout rides out short write locks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["kechuang.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "kechuang.accounts.validators.UsernameInPasswordValidator"},
    {
        "NAME": "kechuang.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "kechuang.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "kechuang.accounts.validators.CommonPatternValidator"},
    {"NAME": "kechuang.accounts.validators.StrengthValidator", "OPTIONS": {"min_score": 3}},
    {"NAME": "kechuang.accounts.validators.PasswordHistoryValidator"},
]

# Monitoring: a published figure beyond this factor of the previous year's (or below its
# inverse) must be confirmed with a reason.
PLAUSIBILITY_FACTOR = float(os.environ.get("KECHUANG_PLAUSIBILITY_FACTOR", "3"))

# Lock-out policy (等保 2.0 level 3 style): 5 consecutive failures lock the username for 15 minutes.
LOGIN_MAX_FAILURES = int(os.environ.get("KECHUANG_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("KECHUANG_LOGIN_LOCKOUT_MINUTES", "15"))
# The failures count per username *and* client address (strangers elsewhere cannot lock an
# account out); one address failing this often, whatever the usernames, is locked as a whole.
LOGIN_MAX_FAILURES_PER_ADDRESS = int(
    os.environ.get("KECHUANG_LOGIN_MAX_FAILURES_PER_ADDRESS", "20")
)
# API tokens live at most this many days (every token has an expiry).
API_TOKEN_MAX_DAYS = int(os.environ.get("KECHUANG_API_TOKEN_MAX_DAYS", "90"))
# A new password may not repeat any of the user's last N passwords.
PASSWORD_HISTORY_COUNT = int(os.environ.get("KECHUANG_PASSWORD_HISTORY_COUNT", "5"))

# Sessions end after 30 idle minutes: every request pushes the expiry forward.
SESSION_COOKIE_AGE = int(os.environ.get("KECHUANG_SESSION_IDLE_SECONDS", str(30 * 60)))
# The idle timer is refreshed at most once a minute (core.middleware.SessionRefreshMiddleware),
# not by a session write on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("KECHUANG_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("KECHUANG_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("KECHUANG_BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from the platform's own static
# files, no inline code, no style attributes (a nonce admits an inline script that must stay:
# `<script nonce="{{ request.csp_nonce }}">`). A test scans every template for inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Client address for the audit trail: trust X-Forwarded-For only behind a known proxy.
TRUST_X_FORWARDED_FOR = env_bool("KECHUANG_BEHIND_PROXY", False)
# Upload limit shared by forms and imports (20 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("KECHUANG_PLAIN_STATIC", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Certificate scans of qualification claims (MEDIA_ROOT/qualifications/scans/): PDF, PNG or JPEG
# by content, at most this many bytes. They are served only through the scoped download view.
QUALIFICATION_SCAN_MAX_BYTES = int(
    os.environ.get("KECHUANG_QUALIFICATION_SCAN_MAX_BYTES", str(10 * 1024 * 1024))
)

# django-ninja: one page size policy for every list endpoint.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KECHUANG_LOG_LEVEL", "WARNING")},
}

# Where the shipped data files (reference data, plans) live.
DATA_DIR = BASE_DIR / "data"
CSRF_FAILURE_VIEW = "kechuang.core.views.csrf_failure"
