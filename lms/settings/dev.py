"""Embedded defaults for ``make run``: SQLite, a filesystem Celery broker,
mail printed to the console. Any of them can be overridden from the
environment (``DATABASE_URL``, ``CELERY_BROKER_URL``, ``EMAIL_BACKEND``)."""

import os

from lms.settings.base import *  # noqa: F401,F403
from lms.settings.base import broker_transport_options

DEBUG = os.environ.get("DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret-9c1f7a53e2b84d6f"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
ALLOWED_HOSTS = ["*"]

# The filesystem transport lets a real worker process take tasks from the web
# server through plain files under var/celery; see docs/decisions.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
# The filesystem broker hands a message over by deleting its file: a worker
# killed mid-task loses it, and only the outbox's sweep brings it back. With
# one local worker and a short queue, five minutes is long enough.
LMS_OUTBOX_REDELIVER_AFTER = int(os.environ.get("LMS_OUTBOX_REDELIVER_AFTER", "300"))
