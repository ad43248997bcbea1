"""What the benchmarks share: a throwaway PostgreSQL database, signed-in
sessions without a login form, waiting for a local server, CPU seconds per
process from ``/proc``, and the machine-readable summary ``make bench``
collects (``--json PATH``: the figures, each with its budget)."""

import glob
import http.client
import json
import os
import subprocess
import time
from urllib.parse import urlparse


def recreate_database(url):
    parsed = urlparse(url)
    env = {**os.environ, "PGPASSWORD": parsed.password or ""}
    args = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres"]
    name = parsed.path.lstrip("/")
    subprocess.run(["dropdb", *args, "--if-exists", name], check=True, env=env)
    subprocess.run(["createdb", *args, name], check=True, env=env)


def session_for(user):
    """The key of a new signed-in session for ``user``, as logging in would
    create (without paying for the password hash on every client), for
    someone who has read the privacy notice where the academy asks for it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    privacy_notice_acknowledge(user)

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def privacy_notice_acknowledge(user):
    """With the privacy app installed, page views of a signed-in person who
    has not acknowledged its notice redirect to it: benchmarks measure the
    evenings after that first visit."""
    from django.apps import apps

    if not apps.is_installed("lms.privacy"):
        return
    from lms.privacy.constants import PRIVACY_NOTICE_VERSION
    from lms.privacy.services import notice_acknowledge

    notice_acknowledge(user=user, version=PRIVACY_NOTICE_VERSION)


def wait_for_server(port, deadline=120):
    """Until the server on 127.0.0.1:``port`` answers its home page; a cold
    worker on a busy machine may take many seconds over its first request."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/", headers={"Host": "localhost"})
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer")


def cpu_seconds_by_process():
    """{"/proc/PID/stat": (program, CPU seconds used so far, parent pid)} for every process."""
    tick = os.sysconf("SC_CLK_TCK")
    usage = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as handle:
                data = handle.read()
        except OSError:
            continue
        fields = data[data.rindex(")") + 2:].split()
        usage[stat] = (data[data.index("(") + 1:data.rindex(")")], (int(fields[11]) + int(fields[12])) / tick,
                       int(fields[1]))
    return usage


class Summary:
    """The figures one benchmark measured, each against its budget, written
    as JSON for ``bench/run_all.py`` when the bench is given ``--json``.

    ``budget`` reads as "at most" (``kind="max"``) or "at least"
    (``kind="min"``); a figure without a budget is informative."""

    def __init__(self, bench):
        self.bench = bench
        self.figures = []

    def add(self, figure, measured, *, unit="", budget=None, kind="max"):
        ok = None
        if budget is not None:
            ok = measured <= budget if kind == "max" else measured >= budget
        self.figures.append({"figure": figure, "measured": round(measured, 3), "unit": unit, "budget": budget,
                             "kind": kind, "ok": ok})
        return ok

    @property
    def ok(self):
        return all(figure["ok"] is not False for figure in self.figures)

    def write(self, path):
        if path:
            with open(path, "w") as handle:
                json.dump({"bench": self.bench, "figures": self.figures}, handle, ensure_ascii=False, indent=1)


def server_environment(*, database_url, broker_url, conn_max_age=600, **extra):
    """The environment gunicorn and Celery run in for a benchmark: the
    production-like ``DEBUG=0`` dev settings on PostgreSQL and Redis, with
    database connections that outlive the run (a worker reconnecting mid-run
    warms a new PostgreSQL backend on the clock)."""
    import secrets

    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DB_CONN_MAX_AGE": str(conn_max_age),
        "CELERY_BROKER_URL": broker_url,
        **extra,
    }


def start_gunicorn(*, port, workers, env, cwd, **popen):
    """gunicorn's sync workers on 127.0.0.1 only, in a session of its own
    (stop it with ``os.killpg``)."""
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lms.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--log-level", "warning"],
        cwd=cwd, env=env, start_new_session=True, **popen,
    )
