"""Test-suite wiring for real services.

Markers: ``postgres`` (the default database must be PostgreSQL: these run in
the PostgreSQL pass and are deselected in the SQLite pass), ``redis`` and
``celery`` (a Redis server; ``celery`` also starts a real worker process) and
``browser`` (Debian's Chromium through Playwright). A missing service skips
its tests with the reason, unless ``LMS_REQUIRE_SERVICES=1``, when it fails
them.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent
REQUIRE_SERVICES = os.environ.get("LMS_REQUIRE_SERVICES") == "1"
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")


def _default_database_is_postgres():
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _redis_reachable():
    url = urlparse(REDIS_URL)
    try:
        with socket.create_connection((url.hostname, url.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _browser_missing_reason():
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    if _default_database_is_postgres():
        return
    deselected = [item for item in items if item.get_closest_marker("postgres")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


def service_missing(reason):
    """Skip, or fail when the run requires every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing (LMS_REQUIRE_SERVICES=1): {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if item.get_closest_marker("redis") or item.get_closest_marker("celery"):
        if not _redis_reachable():
            service_missing(f"Redis is not reachable at {REDIS_URL}")
    if item.get_closest_marker("browser"):
        reason = _browser_missing_reason()
        if reason:
            service_missing(reason)


def worker_database_url(connection):
    """A DATABASE_URL for another process to reach the test database."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def _drop_broker_pools(app):
    """Eager tasks (Celery checks serialisation with a pooled producer) leave
    the app's connection pools on the default broker, and the pools outlive a
    change of ``broker_url``."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    # kombu keeps its pools in a process-wide registry keyed by broker URL,
    # and the control mailbox (``app.control.ping``) caches the producer pool
    # it first used: without clearing both, a second test with a worker in
    # the same run gets the pools the first one closed.
    pools.reset()
    app.control.mailbox.__dict__.pop("producer_pool", None)


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the site's own language: a request in English
    (its cookie or Accept-Language) leaves English active in the thread after
    the response, and the next test's messages would come out in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _cache_emptied():
    """Each test starts with an empty cache: what a test cached (the
    branding, the catalogue's link, rate-limit counters) belongs to its own
    database state, which is rolled back after it."""
    from django.core.cache import cache

    cache.clear()


@contextlib.contextmanager
def celery_broker_switched(settings, broker_url):
    """The test process sends tasks through ``broker_url`` instead of running
    them eagerly."""
    from lms.celery import app

    old = (app.conf.task_always_eager, app.conf.broker_url, settings.CELERY_TASK_ALWAYS_EAGER)
    _drop_broker_pools(app)
    app.conf.task_always_eager = False
    app.conf.broker_url = broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield app
    finally:
        app.conf.task_always_eager, app.conf.broker_url, settings.CELERY_TASK_ALWAYS_EAGER = old
        _drop_broker_pools(app)


@contextlib.contextmanager
def celery_worker_running(settings, broker_url, *, extra_env=None, name="test"):
    """A real ``celery worker`` process on ``broker_url``, sharing the test
    database, with the test process switched from eager mode to sending
    tasks through that broker. Yields the worker's Popen."""
    from django.db import connection

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "DATABASE_URL": worker_database_url(connection),
        "CELERY_BROKER_URL": broker_url,
        "LMS_CELERY_EAGER": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        **(extra_env or {}),
    }
    log_path = ROOT / "var" / f"{name}-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    log = open(log_path, "a")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "lms", "worker", "--pool=solo", "--loglevel=INFO", "-n", f"{name}@%h"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with celery_broker_switched(settings, broker_url) as app:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if worker.poll() is not None:
                    raise RuntimeError(f"Celery worker exited early; see {log_path}")
                if app.control.ping(timeout=0.5):
                    break
            else:
                raise RuntimeError(f"Celery worker did not answer a ping in 30 s; see {log_path}")
            yield worker
    finally:
        if worker.poll() is None:
            worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


@pytest.fixture
def media_roots(settings, tmp_path):
    """Public and private media folders of this test's own: (public, private).
    Personal files must land in the private one only."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    return settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT


def files_under(folder):
    """Every file below ``folder``, as paths relative to it."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """A real ``celery worker`` process on the Redis broker, sharing the test
    database. Tests using it run in transactions that commit, so the worker
    sees their data; mark them ``django_db(transaction=True,
    serialized_rollback=True)`` so the reference data from migrations
    (districts, groups) is restored after the flush. The fixture switches the
    test process from eager mode to sending tasks through the broker."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with celery_worker_running(settings, REDIS_URL) as worker:
        yield worker


@pytest.fixture
def chromium_browser():
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The WCAG 2.1 A and AA rules; axe's "best-practice" rules are advice, not the standard.
AXE_RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


SETTLED_JS = """() => document.getAnimations().every(
    (animation) => animation.playState !== "running" || animation.effect.getComputedTiming().endTime > 2000
)"""


@pytest.fixture
def axe_violations():
    """Run axe-core inside a Playwright page; returns its WCAG 2.1 AA
    violations as "rule: target …" strings, empty when the page passes."""
    if not AXE_SCRIPT.exists():
        service_missing(f"axe-core is not installed at {AXE_SCRIPT} (make test runs npm ci)")

    def check(page):
        # Colours are measured as painted: let short transitions and
        # animations end first (Wagtail's messages fade in over half a second,
        # and half-faded text fails the contrast rule). Long decorative ones,
        # such as the admin's 25-second "what's new" ping, are not waited for.
        page.wait_for_function(SETTLED_JS, timeout=10_000)
        page.add_script_tag(path=str(AXE_SCRIPT))
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_RULE_TAGS
        )
        return [
            f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            for violation in result["violations"]
        ]

    return check


@pytest.fixture
def artifacts_dir():
    path = ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


