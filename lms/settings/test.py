"""Test settings: fast hashing, eager Celery for unit tests (tests marked
``celery`` start a real worker on Redis instead), local memory mail."""

import os
from pathlib import Path

from lms.settings.base import *  # noqa: F401,F403
from lms.settings.base import database_from_env

SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Eager for unit tests; the worker started by the ``celery_worker_process``
# fixture runs with LMS_CELERY_EAGER=0.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("LMS_CELERY_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Test files live under LMS_TEST_FILES_DIR (default var/), so two runs side
# by side (CI's SQLite and PostgreSQL passes) keep theirs apart; a worker
# process started by a test is handed the test process's own folders.
TEST_FILES_DIR = Path(os.environ.get("LMS_TEST_FILES_DIR", BASE_DIR / "var"))  # noqa: F405
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", TEST_FILES_DIR / "test-media"))
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", TEST_FILES_DIR / "test-private-media"))
DATABASES = {"default": database_from_env(os.environ.get("DATABASE_URL", "sqlite:///:memory:"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: tests marked ``celery`` run a real worker process
    # that must see the same test database. One file per test run, so runs in
    # parallel (several checkouts, several developers) never share one.
    test_db = str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")  # noqa: F405
    # A fresh checkout has no var/ folder yet (it is not in the repository).
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": test_db}
    # The same file as the name, never ":memory:": the browser tests' live
    # server starts before the test database exists and would otherwise hand
    # its one in-memory connection to every request thread, which SQLite
    # does not survive when the admin's page editor sends requests at once.
    if DATABASES["default"]["NAME"] == ":memory:":
        DATABASES["default"]["NAME"] = test_db
# Tests of other areas sign in and go straight to their page; the notice's own
# tests turn this back on (lms/privacy/tests).
PRIVACY_NOTICE_REQUIRED = False
