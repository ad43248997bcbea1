"""Production: everything from the environment, hardened for
``manage.py check --deploy``."""

import os

from django.core.exceptions import ImproperlyConfigured

from lms.settings.base import *  # noqa: F401,F403
from lms.settings.base import PRIVATE_MEDIA_SERVE, PRIVATE_STORAGE, SECRET_KEY, cache_from_env, env_bool

DEBUG = False
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters.")

if PRIVATE_MEDIA_SERVE not in ("django", "x-accel-redirect", "x-sendfile"):
    raise ImproperlyConfigured("PRIVATE_MEDIA_SERVE must be django, x-accel-redirect or x-sendfile.")

STORAGES = {
    "default": {"BACKEND": os.environ.get("DEFAULT_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Every worker must count rate limits in one place: Redis unless told otherwise.
CACHES = cache_from_env("redis://127.0.0.1:6379/1")
# Sessions read from the cache, written through to the database, so a Redis
# restart signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Wagtail's live preview shows the page in a same-origin iframe, which DENY
# would break; SAMEORIGIN still refuses framing by any other site.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
