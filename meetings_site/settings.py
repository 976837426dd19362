"""Settings for the Western Balkans security-cooperation meetings calendar.

Everything that differs between a laptop, CI and production is read from the
environment; see README.md, "Configuration".
"""

import datetime
import hashlib
import ipaddress
import os
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from meetings_site import languages

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core -------------------------------------------------------------------

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # A development-only key: DEBUG is on, so this process is not serving the public.
    SECRET_KEY = "django-insecure-development-only-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

# `runserver [addr:]port`, as Django's runserver reads it.
RUNSERVER_ADDRPORT = re.compile(r"^(?:(?P<addr>\[[0-9a-fA-F:.]+\]|[^:\[\]]+):)?(?P<port>\d+)$")


def local_site_url(argv, environ):
    """The development server's own address: the port runserver was given (`make run PORT=8801`
    passes it on), else PORT, else 8000. One value per process, so nothing cached with absolute
    links inside can differ between requests; production sets SITE_URL (a deploy check says so)."""
    host, port = "127.0.0.1", environ.get("PORT") or "8000"
    if len(argv) > 1 and argv[1] == "runserver":
        addrport = next((argument for argument in argv[2:] if not argument.startswith("-")), "")
        match = RUNSERVER_ADDRPORT.match(addrport)
        if match:
            port = match["port"]
            # A server listening on every address is reached on loopback.
            addr = match["addr"] or "127.0.0.1"
            host = {"0.0.0.0": "127.0.0.1", "0": "127.0.0.1", "[::]": "[::1]"}.get(addr, addr)  # noqa: S104 - read, not bound
    return f"http://{host}:{port}"


# Absolute base of the links written for elsewhere (calendar feeds and links, canonical, OpenGraph,
# JSON-LD): cached pieces hold these links, so never taken from a request's Host.
SITE_URL = (os.environ.get("SITE_URL") or local_site_url(sys.argv, os.environ)).rstrip("/")

INSTALLED_APPS = [
    # Before the admin: its admin classes and the translated columns must be in place when the admin loads.
    "modeltranslation",
    # django.contrib.admin, with a site that answers junk ids and filters as invalid input (never a 500).
    "meetings_site.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "meetings_site.apps.SiteConfig",
    "organisations",
    "events",
]

# Translated content (events/translation.py, organisations/translation.py): one column per language in
# the same table. The untranslated column keeps the English text, so English is the fallback of every
# language; a row built from the original name (an import, a fixture) gives its English column too.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
MODELTRANSLATION_AUTO_POPULATE = "default"
# Slugs come from the English title whatever the editor's admin language.
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "en"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "meetings_site.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The request's language before the page cache; "/" opens in the visitor's language.
    "meetings_site.i18n.EarlyLanguageMiddleware",
    # Whole public pages for anonymous visitors, already compressed; pins the calendar version per request.
    "events.cache.middleware.PublicPageCacheMiddleware",
    # HTML gzip'd; public pages hold no CSRF token (BREACH: see docs/deploy.md).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "meetings_site.i18n.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Turns a database outage or statement timeout into a 503 page; last, so it sees the view's exception first.
    "meetings_site.middleware.DatabaseUnavailableMiddleware",
    # After the auth middleware: turns an axes lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "meetings_site.urls"
WSGI_APPLICATION = "meetings_site.wsgi.application"

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
                # {{ identity }}: the site's name, publisher, logo and colours (meetings_site/identity.py).
                "meetings_site.identity.identity",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

# SQLite next to the code by default, so `make run` needs nothing installed;
# production and CI name PostgreSQL in DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

# A PostgreSQL streaming replica (hot standby) for anonymous visitors' public reads, when set; writes,
# editors and anything just written read from the primary (meetings_site/routers.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if {DATABASES["default"]["ENGINE"], DATABASES["replica"]["ENGINE"]} != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs PostgreSQL in both DATABASE_URL and DATABASE_REPLICA_URL."
        )
    # Tests read the test database through it: it is the same data.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["meetings_site.routers.ReplicaRouter"]

for _database in DATABASES.values():
    if _database["ENGINE"] != "django.db.backends.postgresql":
        continue
    # A slow query is cut off well before gunicorn's worker timeout (see gunicorn.conf.py), so the
    # request ends as a clean 503 instead of a killed worker; the connect timeout keeps an
    # unreachable server from holding workers.
    _database.setdefault("OPTIONS", {})
    _database["OPTIONS"].setdefault(
        "options", f"-c statement_timeout={int(os.environ.get('DB_STATEMENT_TIMEOUT_MS', '10000'))}"
    )
    _database["OPTIONS"].setdefault("connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "3")))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The covering index on published meetings' dates uses INCLUDE columns, which PostgreSQL (production)
# honours; SQLite (make run) builds the same index without them, which is all W040 says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Identity ---------------------------------------------------------------

# The institution's name, publisher, contact, logo, icons and accent colour, from the environment
# (README.md, "Your institution's name, logo and colours"; meetings_site/identity.py). The name,
# short name and publisher may be given per language: SITE_NAME for every language, SITE_NAME_SQ,
# SITE_NAME_SR_LATN, … for one (the code in capitals, "-" as "_"). Without SITE_NAME the name is
# the translated "Western Balkans security meetings". Logo and icons are static paths; files of
# the institution's own can live outside the code, in SITE_STATIC_DIR, served as static/site/….
IDENTITY_LANGUAGES = [code for code, _name in languages.settings_languages()]


def env_by_language(name):
    """{"": NAME, "sq": NAME_SQ, …}: the texts given, per language."""
    texts = {"": os.environ.get(name, "").strip()}
    for code in IDENTITY_LANGUAGES:
        texts[code] = os.environ.get(f"{name}_{code.upper().replace('-', '_')}", "").strip()
    return {code: text for code, text in texts.items() if text}


def env_colour(name, default):
    from meetings_site.identity import parse_colour

    try:
        return parse_colour(os.environ.get(name) or default)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from error


IDENTITY = {
    "name": env_by_language("SITE_NAME"),
    "short_name": env_by_language("SITE_SHORT_NAME"),
    "publisher": env_by_language("SITE_PUBLISHER"),
    "publisher_url": os.environ.get("SITE_PUBLISHER_URL", "").strip(),
    "contact_email": os.environ.get("SITE_CONTACT_EMAIL", "").strip(),
    "logo": os.environ.get("SITE_LOGO", "").strip() or "img/logo.svg",
    "favicon": os.environ.get("SITE_FAVICON", "").strip() or "img/favicon.svg",
    "touch_icon": os.environ.get("SITE_TOUCH_ICON", "").strip() or "img/apple-touch-icon.png",
    "accent": env_colour("SITE_ACCENT_COLOUR", "#0b4f8a"),
}
IDENTITY_STATIC_DIRS = [("site", os.environ["SITE_STATIC_DIR"])] if os.environ.get("SITE_STATIC_DIR") else []

# --- Cache ------------------------------------------------------------------


def code_fingerprint():
    """A short hash of the code, templates, static files and requirements: the release, when RELEASE
    does not name it (set RELEASE in production: it also covers what is not in these files)."""
    digest = hashlib.sha256()
    for folder in ("events", "organisations", "meetings_site", "templates", "static", "locale"):
        for path in sorted((BASE_DIR / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".css", ".js", ".po"} and "migrations" not in path.parts:
                digest.update(path.read_bytes())
    digest.update((BASE_DIR / "requirements.txt").read_bytes())
    # Cached feeds and calendar entries hold absolute links: two development servers on other
    # ports sharing one Redis must not serve each other's.
    digest.update(SITE_URL.encode())
    # Every page shows the identity, and it comes from the environment, not from these files.
    digest.update(repr(IDENTITY).encode())
    return digest.hexdigest()[:12]


# Every cache key starts with the database's name (sites, or a benchmark and a test run, sharing
# one Redis never read each other's entries) and the release (new code never serves what old
# code cached: no page, fragment or calendar entry survives a deploy).
RELEASE = os.environ.get("RELEASE") or code_fingerprint()
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX") or f"db:{DATABASES['default'].get('NAME', '')}"
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis, left alone for a few seconds after a failure (events/cache/backends.py):
            # a cache outage must not take the site down, misses are served from the database.
            "BACKEND": "events.cache.backends.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:{RELEASE}",
            "OPTIONS": {
                # A hung Redis costs a request at most this long, and then no request for RETRY_AFTER seconds.
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
                "RETRY_AFTER": float(os.environ.get("CACHE_RETRY_AFTER", "5")),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:{RELEASE}",
            # Room for every meeting's cached calendar entry (about 1 kB each), not Django's default 300.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Small values every process can as well keep for itself (the site header and footer, the
# designated-country names): a read costs no round trip to Redis.
CACHES["process"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "process"}

# How long a cached copy of the calendar's version (events.cache.version) is trusted: the bound
# on how late an edit may show where the cache missed the change (a stalled Redis, another
# process's local memory). Production with Redis sees every edit on the next request.
VERSION_CACHE_SECONDS = float(os.environ.get("VERSION_CACHE_SECONDS", "2"))
# The filter form counts meetings per option (events.facets.FacetIndex) up to this many published
# meetings; past it the options are shown without counts: the index is built once per data version,
# and at 1,000,000 meetings that took longer than a request may (docs/performance.md).
FACET_COUNTS_MAX_MEETINGS = int(os.environ.get("FACET_COUNTS_MAX_MEETINGS", "300000"))
# How long a shared cache in front (the shipped nginx micro-cache, a CDN) may keep a public page
# or feed: the app says it in s-maxage (events/cache/headers.py). The bound on how late an edit
# shows through nginx is this plus VERSION_CACHE_SECONDS (docs/architecture.md).
SHARED_CACHE_SECONDS = int(os.environ.get("SHARED_CACHE_SECONDS", "2"))
# Whole public responses (events/cache/middleware.py).
PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", "600"))
PAGE_CACHE_MAX_BYTES = int(os.environ.get("PAGE_CACHE_MAX_BYTES", str(4 * 1024 * 1024)))
# What one client may make the page and feed caches store per PAGE_CACHE_TIMEOUT.
PAGE_CACHE_CLIENT_BYTES = int(os.environ.get("PAGE_CACHE_CLIENT_BYTES", str(32 * 1024 * 1024)))
# Largest gzip'd feed kept whole (bigger ones are rebuilt from cached VEVENTs on each poll).
FEED_BODY_CACHE_MAX_BYTES = int(os.environ.get("FEED_BODY_CACHE_MAX_BYTES", str(16 * 1024 * 1024)))
# Calendar import refuses addresses on private networks; tests of the importer allow them.
CALENDAR_IMPORT_ALLOW_PRIVATE_ADDRESSES = False
# What one calendar import may take (events.calendar.importer; its bytes are capped by
# events.calendar.fetching): more events are refused with a message. Above INLINE_EVENTS events
# (VEVENTs in the file) an import runs in the background (events.calendar.import_jobs), so no
# request nears gunicorn's timeout; a job unfinished after JOB_TIMEOUT_SECONDS was lost with its
# process and is shown as failed.
CALENDAR_IMPORT_MAX_EVENTS = int(os.environ.get("CALENDAR_IMPORT_MAX_EVENTS", "20000"))
CALENDAR_IMPORT_INLINE_EVENTS = int(os.environ.get("CALENDAR_IMPORT_INLINE_EVENTS", "2000"))
CALENDAR_IMPORT_JOB_TIMEOUT_SECONDS = int(os.environ.get("CALENDAR_IMPORT_JOB_TIMEOUT_SECONDS", "900"))
# A repeating event becomes one meeting per occurrence from this many days ago to this many ahead.
CALENDAR_IMPORT_SERIES_PAST_DAYS = int(os.environ.get("CALENDAR_IMPORT_SERIES_PAST_DAYS", "365"))
CALENDAR_IMPORT_SERIES_FUTURE_DAYS = int(os.environ.get("CALENDAR_IMPORT_SERIES_FUTURE_DAYS", "730"))

# Sessions live in the database so any app server can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Authentication ---------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out client before the password is even checked.
    "meetings_site.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# django-axes: five wrong passwords are answered with the form's error; the sixth locks the
# username for AXES_COOLOFF_MINUTES, from every address. Counting per username and address
# alone let an attacker with many addresses (or, before, a forged header) guess without end;
# counted per username, that pair is covered too (it is listed as well, so axes' own check,
# W006, sees the address taken into account). A stranger can therefore lock an editor out:
# the lock ends by itself, and a password reset or axes_reset_username lifts it
# (docs/operations.md, "Editors' accounts"). No lock per address alone: one proxy or office
# address would lock everyone behind it.
AXES_FAILURE_LIMIT = 6
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "meetings_site.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "meetings_site.security.client_ip_address"
AXES_USERNAME_CALLABLE = "meetings_site.security.client_username"
# Behind a proxy every request comes from the proxy: CLIENT_IP_HEADER names the header it sets,
# honoured only on requests from TRUSTED_PROXIES (addresses or networks; nginx on the same
# host by default). See meetings_site.security.client_ip_address.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network.") from error

# Where the admin sends editors who must sign in, and where they land after (the login page's
# `next` when it is on this site; Django's default, /accounts/profile/, does not exist here).
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Idle editors are logged out: the session lasts SESSION_IDLE_MINUTES after the last request.
SESSION_COOKIE_AGE = 60 * int(os.environ.get("SESSION_IDLE_MINUTES", "60"))
SESSION_SAVE_EVERY_REQUEST = True

# --- E-mail -----------------------------------------------------------------

# Password resets and invitations (meetings_site/accounts.py). EMAIL_URL is
# smtp://user:password@host:587?tls (STARTTLS), smtps://…:465 (TLS from the start), or
# console:// (printed on stdout: the default with DEBUG). Without it production hands mail to
# an SMTP server on localhost:25; if none answers, the failure is logged and the reset page
# answers as usual.
EMAIL_SCHEMES = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}


def email_settings(url):
    """Django's EMAIL_* settings from one URL (standard library only)."""
    parts = urlsplit(url)
    if parts.scheme not in EMAIL_SCHEMES:
        schemes = ", ".join(f"{scheme}://" for scheme in EMAIL_SCHEMES)
        raise ImproperlyConfigured(f"EMAIL_URL must start with {schemes}, not {parts.scheme!r}.")
    query = parse_qs(parts.query, keep_blank_values=True)
    use_tls = parts.scheme == "smtp" and query.get("tls", ["0"])[0].lower() in {"", "1", "true", "yes", "on"}
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 587 if use_tls else 25)
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL: {error}.") from error
    return {
        "EMAIL_BACKEND": EMAIL_SCHEMES[parts.scheme],
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": parts.scheme == "smtps",
    }


_email = email_settings(os.environ.get("EMAIL_URL") or ("console://" if DEBUG else "smtp://localhost:25"))
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
# A hung mail server must end well before gunicorn's worker timeout.
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security: HTTPS, cookies, headers, request limits -------------------------

# Production is HTTPS-only. For a plain-http production-settings run on loopback (load tests),
# set HTTPS_ONLY=0: cookies are then sent over http and nothing is redirected.
HTTPS_ONLY = env_bool("HTTPS_ONLY", default=not DEBUG)

SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
LANGUAGE_COOKIE_SECURE = HTTPS_ONLY
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS_ONLY)
# Health probes come over plain http from inside (supervisor, load balancer): no redirect for them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS_ONLY else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
# Behind a TLS-terminating proxy, name the header it sets, e.g. "HTTP_X_FORWARDED_PROTO=https".
# Only set it when the proxy always sets (or strips) that header, or clients could fake HTTPS.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = tuple(os.environ["SECURE_PROXY_SSL_HEADER"].split("=", 1))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent by meetings_site.middleware.SecurityHeadersMiddleware (Django has no setting for it).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)

# Content-Security-Policy (django-csp). No inline script or style anywhere, admin included.
# <script type="application/ld+json"> blocks are data, never executed, so CSP leaves them alone.
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

# Oversized requests are refused with a 400 before any view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Seconds a client is told to wait when the database is unavailable (503 Retry-After).
RETRY_AFTER_SECONDS = int(os.environ.get("RETRY_AFTER_SECONDS", "30"))

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en"
# The region's languages, each with its own URLs (/sq/…, /sr/…; English at the root): see
# meetings_site/languages.py for why Montenegrin and Serbian Latin need more than a code.
languages.register()
LANGUAGES = languages.settings_languages()
# A visitor's choice, saved for a year by the language switcher (it is not a tracking cookie:
# it only says which language "/" opens in).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Weeks start on Monday and times read on a 24-hour clock in every language (meetings_site/formats).
FORMAT_MODULE_PATH = ["meetings_site.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# The region's civil time; each venue carries its own IANA zone for timed meetings.
TIME_ZONE = "Europe/Belgrade"

# --- Static files -----------------------------------------------------------

STATIC_URL = "/static/"
# Where collectstatic writes; a deploy may point nginx at it, and each test deployment has its own.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static", *IDENTITY_STATIC_DIRS]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# --- Logging ----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Logins, failed logins, lockouts and database outages: kept at INFO whatever LOG_LEVEL says.
        "meetings_site.security": {"level": "INFO"},
        "meetings_site.availability": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

# --- Application ------------------------------------------------------------

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

MEETINGS_PER_PAGE = 20
