"""The verification budgets: per address (generous: a school shares one)
and per certificate (small: nobody tries check codes against one serial
from many addresses), and, on Redis, one budget for all web processes."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from certificates.views import CERTIFICATE_RATE_LIMITED, RATE_LIMITED
from conftest import REDIS_URL, worker_database_url

from .factories import CertificateTemplateFactory, TeacherFactory
from .test_verification import issue

VERIFY = "/certificates/verify/"


@pytest.fixture
def client_en():
    return Client(HTTP_ACCEPT_LANGUAGE="en", headers={"Cookie": "django_language=en"})


def form(client, serial, code, address):
    return client.get(VERIFY, {"serial": serial, "code": code}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_one_certificate_cannot_be_guessed_at_from_many_addresses(client_en, settings):
    settings.CERTIFICATES_VERIFY_RATE_PER_CERTIFICATE_PER_MINUTE = 3
    certificate = issue(template=CertificateTemplateFactory(), teacher=TeacherFactory())
    statuses = [form(client_en, certificate.serial, f"AAAAA{n}", f"10.0.1.{n}").status_code for n in range(3)]
    assert statuses == [404] * 3
    # The right code from a fresh address is refused too, until the minute is over.
    refused = form(client_en, certificate.serial.lower(), certificate.check_code, "10.0.1.99")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    with translation.override("en"):
        assert str(CERTIFICATE_RATE_LIMITED) in refused.content.decode()
    assert certificate.holder_name.encode() not in refused.content
    # Other certificates, from the same addresses, are not affected.
    other = issue(subject_key="course:2", template=CertificateTemplateFactory(), teacher=TeacherFactory())
    assert form(client_en, other.serial, other.check_code, "10.0.1.0").status_code == 200


@pytest.mark.django_db
def test_a_school_behind_one_address_verifies_many_certificates(client_en, settings):
    settings.CERTIFICATES_VERIFY_RATE_PER_MINUTE = 8
    settings.CERTIFICATES_VERIFY_RATE_PER_CERTIFICATE_PER_MINUTE = 2
    template = CertificateTemplateFactory()
    certificates = [issue(subject_key=f"course:{n}", template=template, teacher=TeacherFactory()) for n in range(8)]
    statuses = [client_en.get(reverse("certificates:verify_token", args=[c.token]), REMOTE_ADDR="10.9.9.9").status_code
                for c in certificates]
    assert statuses == [200] * 8
    refused = client_en.get(reverse("certificates:verify_token", args=[certificates[0].token]), REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 429
    with translation.override("zh-hans"):
        assert str(RATE_LIMITED) in Client().get(VERIFY, REMOTE_ADDR="10.9.9.9").content.decode()


# Two processes, one Redis: the budget is shared, not doubled -----------------------------

WORKER = textwrap.dedent(
    """
    import json, os, sys
    import django
    django.setup()
    from django.test import Client
    from lms import ratelimit
    # Both processes in the same minute, whenever the test runs.
    ratelimit.clock = lambda: 1_800_000_010.0
    client = Client()
    statuses = [client.get(sys.argv[1], REMOTE_ADDR="192.0.2.7").status_code for _ in range(int(sys.argv[2]))]
    print(json.dumps(statuses))
    """
)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_web_processes_share_one_budget_on_redis(tmp_path):
    import redis

    limit = 6
    redis.Redis.from_url(REDIS_URL).flushdb()
    certificate = issue(template=CertificateTemplateFactory(), teacher=TeacherFactory())
    url = reverse("certificates:verify_token", args=[certificate.token])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "DATABASE_URL": worker_database_url(connection),
        "CACHE_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"lms-test-{os.getpid()}",
        "CERTIFICATES_VERIFY_RATE_PER_MINUTE": str(limit),
        "CERTIFICATES_VERIFY_RATE_PER_CERTIFICATE_PER_MINUTE": "1000",
        "PYTHONPATH": str(django_settings.BASE_DIR),
    }
    script = tmp_path / "verify_worker.py"
    script.write_text(WORKER)
    # Both run at once and each tries the whole budget.
    workers = [
        subprocess.Popen([sys.executable, str(script), url, str(limit)], env=env, cwd=django_settings.BASE_DIR,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    statuses = results[0] + results[1]
    assert len(statuses) == 2 * limit
    assert statuses.count(200) == limit and statuses.count(429) == limit
