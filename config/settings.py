"""Forløb settings: one file, driven by the environment (django-environ).

DATABASE_URL unset -> embedded PostgreSQL (pgserver) under .data/.
REDIS_URL unset    -> tasks run eagerly in-process unless a supervisor (make run)
                      passes the embedded Redis URL.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

from config import embedded

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DJANGO_DEBUG=(bool, False),
    DJANGO_ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]"]),
    DJANGO_CSRF_TRUSTED_ORIGINS=(list, []),
    DJANGO_SECURE_COOKIES=(bool, False),
    DJANGO_SECURE_SSL_REDIRECT=(bool, False),
    DJANGO_SECURE_HSTS_SECONDS=(int, 0),
    DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS=(bool, False),
    DJANGO_SECURE_HSTS_PRELOAD=(bool, False),
    DJANGO_SECURE_PROXY_SSL_HEADER=(bool, False),
)

DEBUG = env("DJANGO_DEBUG")

# Secrets fail closed. With DJANGO_DEBUG on (`make run`) a missing key falls back to a development key
# written here; with it off, the app refuses to start when a key is missing, is one of those public
# development keys, or is too short to be secret, and says in Danish which variable to set.
DEVELOPMENT_KEYS = {
    "DJANGO_SECRET_KEY": "insecure-development-key-only-for-local-use",
    "FORLOEB_PSEUDONYM_KEY": "insecure-development-pseudonym-key",
}
MIN_KEY_LENGTH = 32
_NEW_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def _secret(name: str) -> str:
    value = env(name, default="")
    if DEBUG:
        return value or DEVELOPMENT_KEYS[name]
    if not value:
        problem = f"{name} er ikke sat"
    elif value in DEVELOPMENT_KEYS.values() or value.startswith(("insecure-", "django-insecure-")):
        problem = f"{name} er en offentligt kendt udviklingsnøgle"
    elif len(value) < MIN_KEY_LENGTH or len(set(value)) < 10:
        problem = f"{name} er for kort eller for ensartet til at være hemmelig (mindst {MIN_KEY_LENGTH} tegn)"
    else:
        return value
    raise environ.ImproperlyConfigured(
        f"Forløb starter ikke: {problem}. Sæt miljøvariablen {name} til en hemmelig, tilfældig nøgle "
        f"(lav en med {_NEW_KEY}), eller DJANGO_DEBUG=true til lokal udvikling."
    )


SECRET_KEY = _secret("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "rules.apps.AutodiscoverRulesConfig",
    "cases",
    "rehab",
    "plans",
    "followup",
    "interchange",
    "supervision",
    "outcomes",
    "desk",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "desk.navigation.menu",
            ],
        },
    },
]

if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {"default": env.db_url_config(embedded.database_url(stop_on_exit=True))}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a new PostgreSQL connection per request cost ~10-12 ms of CPU (the backend's
# fork, authentication and catalogue caches) and most of a fast page's time under load (tests/bench/
# bench_load.py). A worker thread keeps its connection for 10 minutes and checks it once per request
# before reusing it (CONN_HEALTH_CHECKS), so a restarted database costs one failed check, not errors.
# gunicorn's 3 workers x 4 threads (config/gunicorn.conf.py) hold at most 12 connections.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Parallel runs on one server (e.g. two checkouts) can keep their test databases apart.
if env("DJANGO_TEST_DB_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env("DJANGO_TEST_DB_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cases.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk:home"  # each role lands where its work is (desk.views.home)
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Danish only: the UI is written in Danish and has no complete translation, so the browser's
# Accept-Language is not followed (a half-translated page mixes languages). Add a language here, with
# LocaleMiddleware, only together with a complete catalogue under locale/.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# HTTPS in production (`manage.py check --deploy` is clean with the README's production variables).
SESSION_COOKIE_SECURE = env("DJANGO_SECURE_COOKIES")
CSRF_COOKIE_SECURE = env("DJANGO_SECURE_COOKIES")
SECURE_SSL_REDIRECT = env("DJANGO_SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = env("DJANGO_SECURE_HSTS_SECONDS")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env("DJANGO_SECURE_HSTS_PRELOAD")
if env("DJANGO_SECURE_PROXY_SSL_HEADER"):  # behind a proxy that terminates TLS and sets X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = 8 * 60 * 60

# E-mail (the optional morning digest): django-environ's EMAIL_URL, e.g. smtp://user:pw@mail:587;
# by default mail is printed to the console. FORLOEB_BASE_URL makes the link in the mail absolute.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="forloeb@localhost")
FORLOEB_BASE_URL = env("FORLOEB_BASE_URL", default="http://127.0.0.1:8000")
# BEU 244 report: counts below this are shown as "<N" wherever they leave the team (docs/beu244.md).
BEU244_SMALL_CELL = env.int("FORLOEB_BEU244_SMALL_CELL", default=5)

# The key of the keyed hash (HMAC-SHA256) that replaces CPR in pseudonymised evaluation exports.
# Keep it secret and stable: the same key gives the same person_key, so an evaluator can link
# exports over time, and only the key holder can link a person_key back to a CPR number.
# With a public key anyone could recompute person_key from a CPR number and re-identify the rows.
PSEUDONYM_KEY = _secret("FORLOEB_PSEUDONYM_KEY")

# Celery: broker from REDIS_URL; without it tasks run eagerly in-process.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A save never waits on Redis for more than about a second (see followup/outbox.py). Tasks ignore
# their results, so publishing never touches the result backend (whose default retry policy, 20
# tries a second apart, made a save wait 19 s with Redis down); publishing does not retry; connecting
# and each socket read or write give up after a second. The worker keeps retrying its own connection
# (broker_connection_retry), and the outbox sweep below evaluates whatever a failed publish left.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 1.0, "socket_timeout": 1.0}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
}
# The schedule lives in code (not django-celery-beat), in Copenhagen time: see DESIGN.md.
CELERY_BEAT_SCHEDULE: dict = {
    "followup-outbox-sweep": {
        "task": "followup.drain_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},  # a worker that was down does not find a backlog of sweeps
    },
    "followup-nightly-evaluation": {
        "task": "followup.evaluate_all",
        "schedule": crontab(hour=2, minute=30),
    },
    "followup-nightly-catch-up": {  # runs the nightly evaluation if Redis was down at 02:30
        "task": "followup.evaluate_all_if_missed",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    "followup-morning-digest": {
        "task": "followup.send_digests",
        "schedule": crontab(hour=6, minute=30, day_of_week="mon-fri"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
