"""Shoudi settings, read from the environment.

DATABASE_URL          absent: an SQLite file under the data directory (WAL, IMMEDIATE transactions, busy timeout);
                      postgres://user@host:5432/name in production.
SHOUDI_SECRET_KEY     absent: a random key kept in <data dir>/secret_key.
SHOUDI_DEBUG          1/true/yes to turn on debug pages.
SHOUDI_ALLOWED_HOSTS  comma-separated host names (default: 127.0.0.1,localhost).
SHOUDI_DATA_DIR       uploads, generated files and the SQLite database (default: ./data).
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

DATA_DIR = Path(os.environ.get("SHOUDI_DATA_DIR") or BASE_DIR / "data").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = os.environ.get("SHOUDI_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    try:  # created readable by its owner only from the first byte (O_EXCL: two processes never both write one)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("SHOUDI_DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("SHOUDI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("SHOUDI_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_filters",
    "django_tables2",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "shoudi.core",
    "shoudi.regions",
    "shoudi.accounts",
    "shoudi.registry",
    "shoudi.monitoring",
    "shoudi.assistance",
    "shoudi.work",
    "shoudi.campaigns",
    "shoudi.tasklists",
    "shoudi.teams",
    "shoudi.quality",
    "shoudi.projects",
    "shoudi.lowincome",
    "shoudi.sectors",
    "shoudi.employment",
    "shoudi.matching",
    "shoudi.ledgers",
    "shoudi.cards",
    "shoudi.dashboards",
]

# Proxies whose X-Forwarded-For is believed (the local nginx by default): behind them REMOTE_ADDR becomes the
# client's own address, for the login lockout and every log (shoudi.core.clientip).
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("SHOUDI_TRUSTED_PROXIES", "127.0.0.1,::1").split(",") if p.strip()]

MIDDLEWARE = [
    "shoudi.core.clientip.RealClientIPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shoudi.core.csp.DocumentCSPMiddleware",
    "shoudi.core.sessions.PollAwareSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shoudi.core.sessions.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shoudi.core.middleware.CurrentUserMiddleware",
    "shoudi.core.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shoudi.urls"
WSGI_APPLICATION = "shoudi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shoudi.core.context_processors.shell",
            ],
            "builtins": ["shoudi.core.templatetags.shoudi", "template_partials.templatetags.partials"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "shoudi.sqlite3"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # Writers queue instead of failing with "database is locked"; WAL lets readers run beside a writer.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                    " PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
                ),
            },
            # A file, not memory, so that a worker process started by a test sees the test database.
            "TEST": {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work --------------------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job whose worker has not reported for this long is taken as dead (its process is checked first).
SHOUDI_JOB_STALE_SECONDS = int(os.environ.get("SHOUDI_JOB_STALE_SECONDS", "300"))

# --- Accounts and security --------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = int(os.environ.get("SHOUDI_SESSION_SECONDS", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: idle sessions expire
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SHOUDI_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:  # served over HTTPS behind the documented nginx, which sets X-Forwarded-Proto itself
    SECURE_HSTS_SECONDS = int(os.environ.get("SHOUDI_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"  # nothing frames Shoudi, not even itself (frame-ancestors 'none' below)
CSRF_FAILURE_VIEW = "shoudi.core.views.errors.csrf_failure"  # a Chinese page inside the layout
SECURE_CONTENT_TYPE_NOSNIFF = True
# Scripts, styles, fonts and requests from Shoudi itself only: no inline script or style, no eval (docs/engineering.md,
# "Content-Security-Policy"; tests/test_csp.py). img-src adds data: for the SVG icons in Bootstrap's CSS (select arrow,
# close button) and blob: for pictures a page script makes (charts). HTML pages only (shoudi.core.csp: see there).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# files holding personal data (job results, uploads, staging rows) are deleted after this many days (core.retention)
RETENTION_DAYS = int(os.environ.get("SHOUDI_RETENTION_DAYS", "180"))
# a problem this many working days past its 整改期限 shows to the level above its responsible region (逾期升级;
# 0: never). One value for the deployment: Shoudi serves one county, and work keeps no settings model of its own yet
SHOUDI_PROBLEM_ESCALATION_WORKDAYS = int(os.environ.get("SHOUDI_PROBLEM_ESCALATION_WORKDAYS", "5"))
# two tiers (shoudi.accounts.lockout): an account from one address, and one address whatever the usernames
AXES_FAILURE_LIMIT = int(os.environ.get("SHOUDI_LOGIN_FAILURES", "5"))
SHOUDI_IP_FAILURE_LIMIT = int(os.environ.get("SHOUDI_LOGIN_FAILURES_PER_IP", "20"))
AXES_HANDLER = "shoudi.accounts.lockout.TwoTierLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # = lockout.LOCKOUT_PARAMETERS, in this order
AXES_CLIENT_IP_CALLABLE = "shoudi.accounts.lockout.client_ip_address"  # REMOTE_ADDR as core.clientip resolved it
AXES_COOLOFF_TIME = 0.5  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

# --- Language, time ---------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ------------------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# build/static holds what `make assets` copies from node_modules (Bootstrap, ECharts); nothing is fetched at run time.
STATICFILES_DIRS = [p for p in (PACKAGE_DIR / "static", BASE_DIR / "build" / "static") if p.exists()]
MEDIA_ROOT = DATA_DIR / "files"
MEDIA_URL = "/files/"  # served by nothing: stored files go out through core:served_file (core.files), scoped and logged
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest upload accepted (core.uploads checks it, with the workbook limits, before anything parses a file).
UPLOAD_MAX_MB = int(os.environ.get("SHOUDI_UPLOAD_MAX_MB", "50"))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHOUDI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
