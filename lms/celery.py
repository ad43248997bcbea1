"""The academy's Celery application.

Configuration comes from Django settings under the ``CELERY_`` namespace, so
the same code runs on the embedded filesystem broker (``make run``) and on
Redis or RabbitMQ (``CELERY_BROKER_URL``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
