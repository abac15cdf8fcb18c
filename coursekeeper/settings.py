"""One settings module, driven by environment variables.

`COURSEKEEPER_ENV` picks the mode: `development` (the default for `make run` and the tests) or
`production`, which refuses to start with DEBUG on or a weak secret key and turns on every
transport-security setting `manage.py check --deploy` asks for.

`DATABASE_URL` picks PostgreSQL; without it the platform runs on a SQLite file under `var/`.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("COURSEKEEPER_VAR_DIR", BASE_DIR / "var"))

ENVIRONMENT = os.environ.get("COURSEKEEPER_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("COURSEKEEPER_ENV must be 'development' or 'production'.")
PRODUCTION = ENVIRONMENT == "production"


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_flag("DJANGO_DEBUG", default=False)

_DEVELOPMENT_SECRET_KEY = "development-only-key-never-used-in-production-0123456789abcdefghij"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "" if PRODUCTION else _DEVELOPMENT_SECRET_KEY)


def _is_weak_secret(key: str) -> bool:
    # The same test Django's security.W009 applies, plus our own development key.
    return (
        len(key) < 50
        or len(set(key)) < 5
        or key.startswith("django-insecure-")
        or key == _DEVELOPMENT_SECRET_KEY
    )


if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("Production mode refuses to start with DJANGO_DEBUG on.")
    if _is_weak_secret(SECRET_KEY):
        raise ImproperlyConfigured(
            "Production mode needs DJANGO_SECRET_KEY: at least 50 characters, at least 5 "
            "different ones, not the development key."
        )

# A separate key for keyed hashes of identifiers (login fingerprints), so rotating the
# session-signing key does not orphan them.
FINGERPRINT_KEY = os.environ.get("COURSEKEEPER_FINGERPRINT_KEY", SECRET_KEY)

# The erasure ledger's key: never in the database, so a stolen dump names nobody. Production
# must set it (and keep it with the backups' keys); development derives one from SECRET_KEY.
ERASURE_LEDGER_KEY = os.environ.get(
    "COURSEKEEPER_ERASURE_LEDGER_KEY", "" if PRODUCTION else f"ledger:{SECRET_KEY}"
)
if PRODUCTION and _is_weak_secret(ERASURE_LEDGER_KEY):
    raise ImproperlyConfigured(
        "Production mode needs COURSEKEEPER_ERASURE_LEDGER_KEY: at least 50 characters."
    )
# The erasure ledger's journal: an append-only file of the same entries, kept apart from the
# database so that restoring an old database does not also roll back the record of who was
# erased since. Put it on storage the database restore does not touch.
ERASURE_LEDGER_JOURNAL = Path(
    os.environ.get("COURSEKEEPER_ERASURE_LEDGER_JOURNAL", VAR_DIR / "erasure-ledger.journal")
)
# Payment providers. The shop's settings pick one; Stripe's keys live only in the environment
# (never in the database). The built-in test provider signs its webhooks with its own secret,
# derived from SECRET_KEY unless set; production shops that keep it for demos should set it.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
COMMERCE_SANDBOX_WEBHOOK_SECRET = os.environ.get(
    "COURSEKEEPER_SANDBOX_WEBHOOK_SECRET", f"sandbox-webhooks:{SECRET_KEY}"
)
# The built-in test provider takes "payments" that move no money: in production its pages
# (/pay/test/…, /webhooks/test/) exist, and the shop may choose it, only when asked for with
# COURSEKEEPER_TEST_PAYMENTS=1 (a demo school); `check --deploy` then warns (commerce.W001).
COMMERCE_TEST_PAYMENTS = _env_flag("COURSEKEEPER_TEST_PAYMENTS", default=not PRODUCTION)
# Page views are added up in each worker and written every this many views or seconds.
STATS_FLUSH_EVERY = int(os.environ.get("COURSEKEEPER_STATS_FLUSH_EVERY", "50"))
STATS_FLUSH_SECONDS = float(os.environ.get("COURSEKEEPER_STATS_FLUSH_SECONDS", "10"))

# How long database backups are kept: the erasure ledger keeps its entries exactly as long.
BACKUP_RETENTION_DAYS = int(os.environ.get("COURSEKEEPER_BACKUP_RETENTION_DAYS", "35"))

# How many days before an account goes, its customer relationship long over (R20), its holder is
# warned; the period itself is the provider's rule pack's (privacy.rules, "customer_relationship").
RELATIONSHIP_WARNING_DAYS = int(os.environ.get("COURSEKEEPER_RELATIONSHIP_WARNING_DAYS", "30"))

_ALLOWED_HOSTS_FOR_SITE_URL = os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")
# Where the platform is reached: links in emails sent by workers (no request to ask) use it.
SITE_URL = os.environ.get(
    "COURSEKEEPER_SITE_URL",
    f"https://{_ALLOWED_HOSTS_FOR_SITE_URL[0].strip()}" if PRODUCTION else "http://127.0.0.1:8000",
).rstrip("/")

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get(
        "DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
    ).split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    # Django's admin, serving a site on which every page showing personal data is logged (R35).
    "coursekeeper.privacy.access.admin_app.LoggedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Ours before allauth's, so our templates (emails without IP addresses, our layout) win.
    "coursekeeper.web",
    "coursekeeper.accounts",
    "coursekeeper.privacy",
    "coursekeeper.messaging",
    "coursekeeper.jobs",
    "coursekeeper.security",
    "coursekeeper.learning",
    "coursekeeper.quizzes",
    "coursekeeper.surveys",
    "coursekeeper.assignments",
    "coursekeeper.certificates",
    "coursekeeper.cookies",
    "coursekeeper.stats",
    "coursekeeper.contact",
    "coursekeeper.newsletter",
    "coursekeeper.commerce",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy, Cross-Origin-Resource-Policy, and no-store on every personal response;
    # above the session and CSRF middleware, so it sees the cookies they set.
    "coursekeeper.web.headers.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Instead of allauth's UserSessionsMiddleware, which writes on every request: the idle
    # timeout also keeps "Your sessions" current, at most once a minute (see its docstring).
    "coursekeeper.accounts.middleware.SessionIdleTimeoutMiddleware",
    "coursekeeper.accounts.middleware.PersonPreferencesMiddleware",
    "coursekeeper.accounts.middleware.StaffTwoFactorMiddleware",
    # Cookie choices: Vary: Cookie where the choice was read; a page frames only the video
    # players it embedded with consent.
    "coursekeeper.cookies.middleware.CookieChoiceMiddleware",
    # First-party statistics: page views counted per day, page and language; no cookie, no IP.
    "coursekeeper.stats.middleware.PageViewCounterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks, so it sees the outcome of every authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coursekeeper.urls"
WSGI_APPLICATION = "coursekeeper.wsgi.application"
ASGI_APPLICATION = "coursekeeper.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coursekeeper.web.context_processors.site",
                "coursekeeper.cookies.context_processors.cookie_choices",
            ],
        },
    },
]

# --- Databases ----------------------------------------------------------------------------------

SQLITE_PATH = Path(os.environ.get("COURSEKEEPER_SQLITE_PATH", VAR_DIR / "coursekeeper.sqlite3"))

if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            # Django takes a Path here (its own project template does); the stubs want a str.
            "NAME": SQLITE_PATH,  # type: ignore[typeddict-item]
            "OPTIONS": {
                # Writers queue up instead of failing with "database is locked", and a
                # transaction that will write takes the write lock when it begins.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                    # Deleted personal data is overwritten, not left in free pages.
                    "PRAGMA secure_delete=ON;"
                ),
            },
            # Tests use a file too, so another process (a worker, a dump) sees what they wrote.
            "TEST": {"NAME": str(VAR_DIR / "test-coursekeeper.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache stores keyed hashes of its keys, never the keys: the sign-up library's rate limits
# name people in theirs (coursekeeper/privacy/cache.py; system check privacy.E008). Its expired
# rows are purged hourly (`privacy_purge_cache`), and erasure deletes the person's entries.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "coursekeeper_cache",
        "KEY_FUNCTION": "coursekeeper.privacy.cache.keyed_cache_key",
    }
}

# --- Accounts, passwords and sessions -----------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# No sites framework: links in mail are built from the host the person used (RequestSite).
SCHOOL_NAME = os.environ.get("COURSEKEEPER_SCHOOL_NAME", "coursekeeper")

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    # Answers `has_perm("access.<capability>")` from the one table of roles (R34, R35).
    "coursekeeper.privacy.access.roles.CapabilityBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "coursekeeper.accounts.validators.MaximumLengthValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "learning:dashboard"

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14  # absolute timeout: two weeks
SESSION_IDLE_TIMEOUT_LEARNER = 60 * 60 * 24 * 7  # seconds without a request before sign-out
SESSION_IDLE_TIMEOUT_STAFF = 60 * 60 * 2
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

ACCOUNT_ADAPTER = "coursekeeper.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_SIGNUP_FORM_CLASS = "coursekeeper.accounts.forms.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_USER_MODEL_EMAIL_FIELD = "email"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_MAX_EMAIL_ADDRESSES = 2
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# django-axes is the one login throttle (per account and per address, with our own page);
# allauth's own limits stay on for sign-up, password-reset and confirmation emails.
ACCOUNT_RATE_LIMITS = {"login_failed": False}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "coursekeeper"
# The second factor (coursekeeper.accounts.mfa): its secrets are encrypted in the database with
# these keys, which never go there (R38) -- comma-separated, the newest first; an older key still
# opens what it sealed until `manage.py mfa_rotate_key`. Production must set them; development
# derives one from SECRET_KEY. Wrong codes are limited per account and per address (R2).
MFA_SECRET_KEYS = [
    key.strip() for key in os.environ.get("COURSEKEEPER_MFA_KEYS", "").split(",") if key.strip()
] or ([] if PRODUCTION else [f"mfa:{SECRET_KEY}"])
if PRODUCTION and (not MFA_SECRET_KEYS or any(map(_is_weak_secret, MFA_SECRET_KEYS))):
    raise ImproperlyConfigured(
        "Production mode needs COURSEKEEPER_MFA_KEYS: comma-separated keys of at least 50 "
        "characters each, the newest first."
    )
MFA_ADAPTER = "coursekeeper.accounts.mfa.adapter.MFAAdapter"
MFA_FORMS = {
    "authenticate": "coursekeeper.accounts.mfa.forms.LimitedAuthenticateForm",
    "reauthenticate": "coursekeeper.accounts.mfa.forms.LimitedReauthenticateForm",
}

USERSESSIONS_TRACK_ACTIVITY = True

# django-axes (see accounts/throttling.py): 5 failures in an hour lock one account from one
# address only, so nobody can lock the owner out from everywhere; 20 from one address across
# any accounts lock that address. The owner can lift an account's lockouts by an emailed link.
# allauth's login form names its field "login".
AXES_ENABLED = _env_flag("AXES_ENABLED", default=True)
AXES_HANDLER = "coursekeeper.accounts.throttling.AccountAndAddressHandler"
AXES_FAILURE_LIMIT = 5
ADDRESS_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "coursekeeper.accounts.throttling.username_from_request"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "coursekeeper.accounts.throttling.lockout_response"
AXES_VERBOSE = False
# Which address a request comes from (security/client_address.py, also axes' and allauth's):
# by default no proxy is trusted and X-Forwarded-For is ignored. Behind reverse proxies, name
# them (COURSEKEEPER_TRUSTED_PROXIES, comma-separated addresses or networks) or count them
# (COURSEKEEPER_TRUSTED_PROXY_COUNT); the networks win when both are set.
AXES_CLIENT_IP_CALLABLE = "coursekeeper.security.client_address.client_ip"
TRUSTED_PROXY_COUNT = int(os.environ.get("COURSEKEEPER_TRUSTED_PROXY_COUNT", "0"))
TRUSTED_PROXIES = [
    proxy.strip()
    for proxy in os.environ.get("COURSEKEEPER_TRUSTED_PROXIES", "").split(",")
    if proxy.strip()
]
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("COURSEKEEPER_TRUSTED_PROXY_COUNT must be 0 or more.")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"COURSEKEEPER_TRUSTED_PROXIES: {_proxy!r} is not an address or network."
        ) from _error
# Successful sign-ins are not logged by axes: the security log is ours, with its own retention.
AXES_DISABLE_ACCESS_LOG = True

# --- Internationalisation -----------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("da", _("Danish")),
    ("de", _("German")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "coursekeeper" / "locale"]
# British formats on English pages (coursekeeper/formats/en/formats.py).
FORMAT_MODULE_PATH = ["coursekeeper.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Copenhagen"
LANGUAGE_COOKIE_NAME = "coursekeeper_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

# --- Static files and media ---------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Django's finders, but a path that leaves the static folders (`/static/../manage.py`) is a
# 404 under `runserver --insecure`, not a 500 (web/staticfinders.py).
STATICFILES_FINDERS = [
    "coursekeeper.web.staticfinders.FileSystemFinder",
    "coursekeeper.web.staticfinders.AppDirectoriesFinder",
]
MEDIA_ROOT = VAR_DIR / "media"

# --- Email --------------------------------------------------------------------------------------

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "1025"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_flag("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "coursekeeper <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background work ----------------------------------------------------------------------------

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Security headers ---------------------------------------------------------------------------

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "img-src": [SELF, "data:"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = _env_flag("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Logging ------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact": {"()": "coursekeeper.security.logfilters.RedactPersonalDataFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # axes logs the username and address of every attempt; they belong in the security log
        # (issue: the spine), not in the application log.
        "axes": {"level": "ERROR"},
        # aiosmtpd (the development mail catcher, the tests' SMTP server) logs every envelope.
        "mail.log": {"level": "WARNING"},
        # WeasyPrint reports every step of every PDF it renders.
        "weasyprint": {"level": "WARNING"},
    },
}
