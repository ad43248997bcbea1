"""A minute of the deadline week's load, on every PostgreSQL run of the
suite: the demo academy behind gunicorn, a real Celery worker on Redis and
locust's teachers, trainer, HR and public (``bench/load/``), at 10 and then
25 users. Any failed request (a 5xx, a connection error, a login page where
a page was expected, a completion POST that does not go back to its lesson)
fails it; so does a kind of request the mix never made, or a bulk issue the
worker did not finish."""

import json
import socket
import subprocess
import sys

import pytest

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EVERY_KIND = {
    "catalogue", "course page", "lesson", "lesson done (POST)", "quiz (POST)", "my hours", "my learning",
    "verify a certificate", "course report (admin)", "bulk issue (admin POST)", "bulk issue page (admin)",
}
USERS = (10, 25)
SECONDS = 20


def test_a_minute_of_peak_load_has_no_failed_request(tmp_path):
    from django.db import connection

    from conftest import REDIS_URL, ROOT, worker_database_url

    summary_path = tmp_path / "load.json"
    with socket.socket() as probe:  # a port no other server on the machine holds
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load" / "run_load.py"), "--migrated",
         "--database-url", worker_database_url(connection), "--broker-url", REDIS_URL,
         "--teachers", "300", "--learners", "60", "--users", *map(str, USERS), "--seconds", str(SECONDS),
         "--warm-up", "4", "--workers", "3", "--port", str(port), "--fail-on", "errors", "--json", str(summary_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    output = completed.stdout + completed.stderr
    print(output)  # the figures, in the test log
    assert summary_path.exists(), output[-3000:]
    summary = json.loads(summary_path.read_text())
    figures = {figure["figure"]: figure for figure in summary["figures"]}
    assert figures["failed requests (5xx, connection errors, wrong pages)"]["measured"] == 0, output[-3000:]
    assert completed.returncode == 0, output[-3000:]

    assert [step["users"] for step in summary["steps"]] == list(USERS)
    made = set()
    for step in summary["steps"]:
        assert step["failures"] == 0
        assert step["requests"] >= step["users"] * SECONDS / 4, step  # the users did work, not wait
        made |= {name for name, kind in step["kinds"].items() if kind["requests"]}
    assert EVERY_KIND <= made, EVERY_KIND - made
    # Each step's HR started a bulk issue; the worker issued it (and the
    # certificates of the courses teachers completed) while the load ran.
    assert figures["certificates issued by the Celery worker"]["measured"] >= len(USERS) * 20, output[-3000:]
