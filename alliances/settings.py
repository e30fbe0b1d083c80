"""Alliances settings: one module, every value from the environment.

SQLite under var/ and a database-backed task queue by default, so one command starts
everything on a laptop; DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
ALLIANCES_ENV=production turns on the deployment hardening and requires SECRET_KEY.
"""

import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from alliances.lib.email_url import parse_email_url
from alliances.lib.env import env_bool, env_choice, env_int, env_list, env_str
from alliances.lib.secret import local_secret_key

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("ALLIANCES_VAR_DIR", str(BASE_DIR.parent / "var")))

ENV = env_choice("ALLIANCES_ENV", "development", {"development", "production", "test"})
PRODUCTION = ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set (50 characters or more) when ALLIANCES_ENV=production"
        )
else:
    SECRET_KEY = env_str("SECRET_KEY") or local_secret_key(VAR_DIR / "secret_key")

DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "alliances.core",
    "alliances.accounts",
    "alliances.territories",
    "alliances.actors",
    "alliances.journeys",
    "alliances.codev",
    "alliances.diagnostics",
    "alliances.resources",
    "alliances.observatory",
    "alliances.partnerships",
    "alliances.needs",
    "alliances.discussions",
    "alliances.notifications",
    "alliances.api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks_db",
    "django_rq",
    "ninja",
]

MIDDLEWARE = [
    "alliances.core.middleware.RequestIdMiddleware",
    "alliances.core.middleware.RejectNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "alliances.core.audit.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "alliances.urls"
WSGI_APPLICATION = "alliances.wsgi.application"

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
            ],
        },
    },
]

# Database: SQLite file under var/ unless DATABASE_URL says otherwise.
_default_db = f"sqlite:///{VAR_DIR / 'alliances.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or _default_db, conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        # A kept connection the server has dropped (PostgreSQL restarted) is found out at
        # the start of the next request and replaced: the workers recover by themselves.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that does not answer fails the request in seconds (a clean 503 page, see
    # core.views.server_error), not after the system's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DB_CONNECT_TIMEOUT", 5
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web workers read while the task worker writes. A connection kept
        # from one request to the next (CONN_MAX_AGE, as for PostgreSQL) keeps its page
        # cache, made 64 MB (SQLite's default is 2 MB): a territory's network reads tens
        # of thousands of rows at scattered places, 1.5–1.7× as fast from that cache.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                        " PRAGMA cache_size=-65536;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches: per process. The public pages' cache (core.pagecache) is made safe across
# workers by a generation number kept in the database.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 3000},
    },
    # Signed-in members' cohort pages (journeys.pagecache): one entry per person and page,
    # compressed (about 10 kB each at 40 sessions), so 3,000 entries hold about 30 MB.
    "cohort_pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "cohort_pages",
        "OPTIONS": {"MAX_ENTRIES": 3000},
    },
}

# Background tasks: database queue by default, Redis queue when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # The default cache holds the rate limits' counters (allauth's and core.ratelimit's):
    # in Redis, every web worker counts against the same limit.
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "alliances",
    }
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_rq.RQBackend" if REDIS_URL else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
# A task that fails on a passing error (network, SMTP, database) is enqueued again after
# TASK_RETRY_BASE_SECONDS × 2^(attempt−1) plus up to a quarter more, and recorded failed
# after TASK_MAX_ATTEMPTS runs (alliances.core.retry).
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 5)
TASK_RETRY_BASE_SECONDS = env_int("TASK_RETRY_BASE_SECONDS", 30)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Alliances] "
ACCOUNT_ADAPTER = "alliances.accounts.adapter.AccountAdapter"
# Rate limits of allauth's views, counted in the default cache (shared with REDIS_URL):
# "count/period/what", period in s, m, h or d (15m: 15 minutes), what is ip, key (the
# e-mail address) or user; a request over a limit gets the 429 page (templates/429.html).
# login_failed is the lockout: 5 failed sign-ins on one address in 15 minutes lock that
# account's sign-in (even with the right password) until the oldest failure is 15 minutes
# old, or until a password reset; 10 failures a minute from one address lock that address.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/15m/key",
    "signup": "10/h/ip",
    "reset_password": "20/h/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Behind a reverse proxy, the client address is the last X-Forwarded-For entry it adds: the
# rate limits then count clients, not the proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if PRODUCTION and env_bool("BEHIND_PROXY", default=False) else 0
)

# Mail: EMAIL_URL (smtp://user:pass@host:port, smtps://…, console:); without it, the console
# in development and the local MTA (smtp://localhost:25) in production.
MAILERS = {
    "default": parse_email_url(env_str("EMAIL_URL", "smtp://localhost:25" if PRODUCTION else ""))
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Alliances <noreply@alliances.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at every start without it
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Media (uploaded files): the file system under MEDIA_ROOT, or an S3-compatible service
# (MEDIA_STORAGE=s3: AWS, Scaleway, OVHcloud, MinIO, Garage…). Files are always served
# through the platform's views, which check who may read them; on S3 the bucket stays
# private. A write that fails raises core.storage.StorageFailed: a 503 page, nothing saved.
MEDIA_STORAGE = env_choice("MEDIA_STORAGE", "filesystem", {"filesystem", "s3"})
_media_storage: dict = {"BACKEND": "alliances.core.storage.MediaFileSystemStorage"}
if MEDIA_STORAGE == "s3":
    _media_storage = {
        "BACKEND": "alliances.core.storage.MediaS3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("S3_PREFIX", "media"),
            "default_acl": None,  # the bucket's own policy: private
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
    if not _media_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET (and the S3_* settings)")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Security: the same headers everywhere; HTTPS-only flags when in production.
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# The map of actors: a tile server (a URL template with {z}, {x} and {y}, as Leaflet takes
# it; {s} for subdomains) and its attribution. Empty: no tiles, the markers are drawn on a
# plain background. The CSP lets images come from the tile server's origin only when set.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")
if MAP_TILE_URL:
    _tiles = re.fullmatch(r"(https?://[^/?#\s]+)[/?]\S*", MAP_TILE_URL)
    if _tiles is None or not all(p in MAP_TILE_URL for p in ("{z}", "{x}", "{y}")):
        raise ImproperlyConfigured(
            f"MAP_TILE_URL={MAP_TILE_URL!r}: expected an http(s) URL template with {{z}}, "
            "{x} and {y}, as https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        )
    SECURE_CSP["img-src"].append(_tiles.group(1).replace("{s}", "*"))

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if PRODUCTION and env_bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Commune size bands (upper bounds, exclusive), used by the observatory breakdowns.
COMMUNE_SIZE_BANDS = [int(x) for x in env_list("COMMUNE_SIZE_BANDS", ["1000", "3500", "10000"])]

NINJA_PAGINATION_MAX_LIMIT = 200

# The observatory questionnaire's open link: new responses per client address, per second,
# minute, hour or day ("20/h").
OBSERVATORY_OPEN_LINK_RATE = env_str("OBSERVATORY_OPEN_LINK_RATE", "20/h")
if not re.fullmatch(r"\d+/[smhd]", OBSERVATORY_OPEN_LINK_RATE):
    raise ImproperlyConfigured(
        f"OBSERVATORY_OPEN_LINK_RATE={OBSERVATORY_OPEN_LINK_RATE!r}: expected a count per "
        "s, m, h or d, as 20/h"
    )

# Logs on stderr: JSON lines in production (one object per record, with the request's id:
# alliances.lib.logs), text in development. ACCESS_LOG: one line per request at INFO on
# the "alliances.access" logger (method, path, status, duration, user id).
LOG_FORMAT = env_choice("LOG_FORMAT", "json" if PRODUCTION else "text", {"json", "text"})
ACCESS_LOG = env_bool("ACCESS_LOG", default=PRODUCTION)
# The audit log (core.AuditEvent: role changes, publications, admin actions, lockouts):
# lines older than this are deleted by `alliances audit-prune` (to run daily).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "alliances.lib.redact.RedactSecrets"},
        "request_id": {"()": "alliances.lib.logs.RequestIdFilter"},
    },
    "formatters": {
        "json": {"()": "alliances.lib.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_secrets", "request_id"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "alliances.access": {"level": "INFO" if ACCESS_LOG else "WARNING"},
    },
}

# GET /healthz: the task queue is unhealthy when a task has waited longer than this for a
# worker (alliances.core.health). The probe answers on plain HTTP too (load balancers
# probe the backend directly).
HEALTH_TASK_MAX_WAIT = env_int("HEALTH_TASK_MAX_WAIT", 300)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
