"""Start the academy for local use: the web server, a real Celery worker and
Celery beat (whose every-minute sweep sends again the tasks of the outbox that
the broker refused or lost, see lms/outbox.py).

All run as child processes; when one stops, or on Ctrl-C, the others are
stopped too. The worker uses whatever broker the settings name: the embedded
filesystem broker by default, Redis or RabbitMQ when ``CELERY_BROKER_URL``
says so.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from lms.demo.accounts import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat together (make run)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--no-worker", action="store_true", help="Start the web server only (no worker, no beat).")

    def handle(self, *args, host, port, no_worker, **options):
        manage = [sys.executable, os.path.join(settings.BASE_DIR, "manage.py")]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        children = [subprocess.Popen([*manage, "runserver", "--noreload", f"{host}:{port}"], env=env)]
        if not no_worker:
            worker = [sys.executable, "-m", "celery", "-A", "lms", "worker", "--pool=solo", "--loglevel=INFO"]
            children.append(subprocess.Popen(worker, env=env, cwd=settings.BASE_DIR))
            # Beat keeps its schedule's state in a file; var/ is the local state folder.
            Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
            beat = [
                sys.executable, "-m", "celery", "-A", "lms", "beat", "--loglevel=INFO",
                f"--schedule={Path(settings.VAR_DIR) / 'celerybeat-schedule'}",
            ]
            children.append(subprocess.Popen(beat, env=env, cwd=settings.BASE_DIR))

        self.print_banner(host, port, settings.CELERY_BROKER_URL.split("://")[0])
        # A plain `kill` must stop the children too, not leave them running.
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()

    def print_banner(self, host, port, broker):
        url = f"http://{host}:{port}/"
        lines = [
            "",
            _("The academy is running at %(url)s (admin: %(url)sadmin/)") % {"url": url},
            _("Celery worker and beat: %(broker)s broker") % {"broker": broker},
            _("Demo logins (password for all: %(password)s):") % {"password": DEMO_PASSWORD},
        ]
        lines += [f"  {username:<14} {role.label} — {hint}" for username, role, _name, hint in DEMO_LOGINS]
        lines += [_("Press Ctrl-C to stop."), ""]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt
