"""`make run`'s stack end to end: `manage.py run_academy` starts the web
server and a real Celery worker on the filesystem broker, and a task queued
by another process is taken and run by that worker."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.fixture
def embedded_env(tmp_path):
    env = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CELERY_BROKER_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings.dev",
        LMS_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # Beat sweeps the outbox every second and resends a refused task at once.
        LMS_OUTBOX_SWEEP_EVERY="1",
        LMS_OUTBOX_RESEND_AFTER="0",
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONUNBUFFERED="1",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def manage_shell(env, code):
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def test_run_academy_serves_pages_and_its_worker_runs_queued_tasks(embedded_env, tmp_path):
    port = free_port()
    log = open(tmp_path / "run.log", "w")
    academy = subprocess.Popen(
        [sys.executable, "manage.py", "run_academy", "--port", str(port)],
        cwd=ROOT, env=embedded_env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        def home_page_up():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    return "济南市科学教育教师网络研修学院" in response.read().decode()
            except OSError:
                return False

        assert wait_until(home_page_up, 60), (tmp_path / "run.log").read_text()

        # Another process (as the web server does) stores a batch and queues
        # its dry run; only the worker started by run_academy can run it.
        batch_id = manage_shell(
            embedded_env,
            "from django.core.files.base import ContentFile\n"
            "from django.db import transaction\n"
            "from lms.models import District, School\n"
            "from lms.imports.services import import_batch_create\n"
            "from lms.tasks import import_batch_validate_task\n"
            "School.objects.create(code='S1', name='历下区实验小学', district=District.objects.get(code='370102'),"
            " has_primary=True, locality='urban')\n"
            "csv = '工号,姓名,学校代码,学科,学段\\nT1,张伟,S1,科学,小学\\n'.encode('utf-8')\n"
            "with transaction.atomic():\n"
            "    batch = import_batch_create(kind='teachers', uploaded_file=ContentFile(csv, name='t.csv'))\n"
            "    transaction.on_commit(lambda: import_batch_validate_task.delay(batch.pk))\n"
            "print(batch.pk)\n",
        ).strip()

        def batch_status(pk):
            with sqlite3.connect(tmp_path / "db.sqlite3") as db:
                return db.execute("select status from lms_importbatch where id = ?", (int(pk),)).fetchone()[0]

        assert wait_until(lambda: batch_status(batch_id) != "uploaded", 60), (tmp_path / "run.log").read_text()
        assert batch_status(batch_id) == "validated"

        # A check the broker refused (as when it was down): only the outbox
        # knows of it, and beat's sweep, started by run_academy, sends it.
        refused_id = manage_shell(
            embedded_env,
            "from django.core.files.base import ContentFile\n"
            "from lms.imports.services import import_batch_create\n"
            "from lms.models import PendingTask\n"
            "from lms.tasks import import_batch_validate_task\n"
            "csv = '工号,姓名,学校代码,学科,学段\\nT2,李娜,S1,科学,小学\\n'.encode('utf-8')\n"
            "batch = import_batch_create(kind='teachers', uploaded_file=ContentFile(csv, name='t2.csv'))\n"
            "PendingTask.objects.create(task_name=import_batch_validate_task.name, args=[batch.pk],"
            " last_error='OperationalError: connection refused')\n"
            "print(batch.pk)\n",
        ).strip()
        assert wait_until(lambda: batch_status(refused_id) != "uploaded", 60), (tmp_path / "run.log").read_text()
        assert batch_status(refused_id) == "validated"
    finally:
        academy.terminate()
        academy.wait(timeout=30)
        log.close()
    # Stopping run_academy stops its web server and worker too.
    time.sleep(1)
    leftovers = subprocess.run(["pgrep", "-f", f"runserver --noreload 127.0.0.1:{port}"], capture_output=True)
    assert leftovers.returncode == 1, "the web server outlived run_academy"
