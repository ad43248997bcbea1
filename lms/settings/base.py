"""Settings shared by every environment.

Everything a deployment changes is read from the environment; ``dev``,
``test`` and ``production`` only choose defaults and harden.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = Path(os.environ.get("LMS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "lms",
    "courses",
    "certificates",
    "mentors",
    "lms.privacy",
    "themes",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "guardian",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lms.middleware.AcademyLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lms.privacy.middleware.PrivacyNoticeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Signed-in users are sent to the privacy notice until they acknowledge its
# current version (lms.privacy.middleware). The test settings turn it off so the
# rest of the suite need not acknowledge first; its own tests turn it on.
PRIVACY_NOTICE_REQUIRED = env_bool("PRIVACY_NOTICE_REQUIRED", default=True)

AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in path (our login page, Wagtail's admin
    # login, anything calling authenticate()) while locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian's anonymous user is not needed: the public sees no scoped data.
ANONYMOUS_USER_NAME = None

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]


def database_from_env(default_url):
    """Parse ``DATABASE_URL``; SQLite gets WAL, a busy timeout and IMMEDIATE
    transactions so the web server and the Celery worker can both write."""
    # DB_CONN_MAX_AGE (seconds) keeps each worker's connection open between
    # requests; 0, the default, opens one per request.
    config = dj_database_url.parse(
        os.environ.get("DATABASE_URL", default_url), conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0"))
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}


def cache_from_env(default_url=None):
    """``CACHE_URL`` (or ``REDIS_CACHE_URL``) names a Redis database for the
    shared cache: rate limits and sessions must be counted and kept in one
    place for every web worker. Without one (dev, tests) each process keeps
    a local-memory cache of its own."""
    url = os.environ.get("CACHE_URL") or os.environ.get("REDIS_CACHE_URL") or default_url
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "lms"),
        }
    }


CACHES = cache_from_env()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes, docs/decisions/0070-sign-in-throttling.md):
# after AXES_FAILURE_LIMIT wrong passwords for one username from one address,
# that pair is refused for AXES_COOLOFF_MINUTES. Counted per pair so one
# school's shared address does not lock out all its teachers.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "themes.views.sign_in_locked"
AXES_CLIENT_IP_CALLABLE = "lms.ratelimit.client_address"
AXES_USERNAME_CALLABLE = "lms.ratelimit.signin_username"
# Record only failures: successful sign-ins are not stored a second time.
AXES_DISABLE_ACCESS_LOG = True
# No start-up banner on every manage.py command and worker.
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Simplified Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Personal files (certificate PDFs, evidence, nomination attachments, import
# spreadsheets) live outside MEDIA_ROOT and are served only through
# lms.private_files' permission-checked view; see docs/operations.md.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private-media"))
# "django" streams the file; "x-accel-redirect" (nginx) or "x-sendfile"
# (Apache mod_xsendfile) hand it to the web server after the check.
PRIVATE_MEDIA_SERVE = os.environ.get("PRIVATE_MEDIA_SERVE", "django")
# The nginx ``internal`` location that maps to PRIVATE_MEDIA_ROOT.
PRIVATE_MEDIA_ACCEL_PREFIX = os.environ.get("PRIVATE_MEDIA_ACCEL_PREFIX", "/private-media/")
PRIVATE_STORAGE = {"BACKEND": "lms.private_files.PrivateFileSystemStorage"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "academy@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: the broker comes from the environment; ``dev`` defaults to a
# filesystem broker that needs no server.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")


def filesystem_broker_options(broker_url, folder=None):
    """Transport options for kombu's filesystem broker (no server needed):
    the web process and the worker exchange messages as files."""
    if not broker_url.startswith("filesystem://"):
        return {}
    folder = Path(folder or os.environ.get("LMS_BROKER_DIR", VAR_DIR / "celery"))
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


def broker_transport_options(broker_url):
    """Transport options for the broker: the filesystem broker's folders, or
    Redis's visibility timeout, set here rather than left to kombu's default
    of an hour. A task acknowledged late whose worker died goes back to the
    queue once it has been unacknowledged this long; it must be longer than
    the longest task (an import of 50,000 teachers takes about 40 s,
    docs/performance.md) and than any retry countdown, or a running task is delivered a
    second time. See docs/operations.md ("Lost work")."""
    if broker_url.startswith("filesystem://"):
        return filesystem_broker_options(broker_url)
    if broker_url.startswith(("redis://", "rediss://")):
        options = {"visibility_timeout": int(os.environ.get("LMS_CELERY_VISIBILITY_TIMEOUT", "900"))}
        if os.environ.get("LMS_CELERY_UNACKED_RESTORE_INTERVAL"):
            # How often a worker looks for such messages (kombu: every 100 s).
            options.update(
                unacked_restore_interval=int(os.environ["LMS_CELERY_UNACKED_RESTORE_INTERVAL"]),
                unacked_restore_throttle=1,
            )
        return options
    return {}


CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The outbox of tasks (lms/outbox.py, docs/decisions/0060-task-outbox.md):
# a task whose send failed is sent again after LMS_OUTBOX_RESEND_AFTER
# seconds; one sent but not run (its message lost with a broker restarted
# without its data, or with a killed worker on the filesystem broker) after
# LMS_OUTBOX_REDELIVER_AFTER, longer than the visibility timeout so Redis's
# own redelivery comes first; one the worker gave up on (a full disk, say)
# after LMS_OUTBOX_RETRY_FAILED_AFTER, at most LMS_OUTBOX_MAX_ATTEMPTS sends.
LMS_OUTBOX_RESEND_AFTER = int(os.environ.get("LMS_OUTBOX_RESEND_AFTER", "60"))
LMS_OUTBOX_REDELIVER_AFTER = int(os.environ.get("LMS_OUTBOX_REDELIVER_AFTER", "1800"))
LMS_OUTBOX_RETRY_FAILED_AFTER = int(os.environ.get("LMS_OUTBOX_RETRY_FAILED_AFTER", "1800"))
LMS_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("LMS_OUTBOX_MAX_ATTEMPTS", "10"))
# After how long a screen waiting for a task (an import's check) says the
# background worker has not taken it, and offers to retry.
LMS_OUTBOX_STALLED_AFTER = int(os.environ.get("LMS_OUTBOX_STALLED_AFTER", "60"))
LMS_OUTBOX_SWEEP_EVERY = float(os.environ.get("LMS_OUTBOX_SWEEP_EVERY", "60"))
CELERY_BEAT_SCHEDULE = {
    "pending-tasks-sweep": {
        "task": "lms.tasks.pending_tasks_sweep_task",
        "schedule": LMS_OUTBOX_SWEEP_EVERY,
        # Sweeps that piled up while the worker was away are worth nothing.
        "options": {"expires": LMS_OUTBOX_SWEEP_EVERY},
    },
}

WAGTAIL_SITE_NAME = _("Jinan Science Teachers' Online Research Academy")
WAGTAIL_I18N_ENABLED = False
# Wagtail's password panel checks the current password without a limit;
# themes registers the same panel with a limited form in its place. Off,
# the setting would also turn password reset off unless kept on here.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = True
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# mp4 and webm: lessons' uploaded videos live in the document library.
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "mp4", "odt", "pdf", "pptx", "txt", "webm", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024

# People imports: the largest file an HR officer may upload.
LMS_IMPORT_MAX_BYTES = int(os.environ.get("LMS_IMPORT_MAX_BYTES", 20 * 1024 * 1024))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Certificates: the TrueType CJK font to embed (found through fontconfig when
# empty), the serial prefix, where QR codes point, and how many verification
# lookups one address, and one certificate, may have a minute.
CERTIFICATES_FONT_PATH = os.environ.get("CERTIFICATES_FONT_PATH", "")
CERTIFICATES_SERIAL_PREFIX = os.environ.get("CERTIFICATES_SERIAL_PREFIX", "JNKJ")
CERTIFICATES_BASE_URL = os.environ.get("CERTIFICATES_BASE_URL", WAGTAILADMIN_BASE_URL)
CERTIFICATES_VERIFY_RATE_PER_MINUTE = int(os.environ.get("CERTIFICATES_VERIFY_RATE_PER_MINUTE", "120"))
CERTIFICATES_VERIFY_RATE_PER_CERTIFICATE_PER_MINUTE = int(
    os.environ.get("CERTIFICATES_VERIFY_RATE_PER_CERTIFICATE_PER_MINUTE", "10")
)
CERTIFICATES_BATCH_CHUNK_SIZE = int(os.environ.get("CERTIFICATES_BATCH_CHUNK_SIZE", "50"))
CERTIFICATES_ISSUER_NAME = os.environ.get("CERTIFICATES_ISSUER_NAME", "济南市科学教育教师网络研修学院")
