"""The lesson page against a bare Wagtail page, served by gunicorn on
PostgreSQL, side by side in one run; and completion POSTs per second.

Budgets: the lesson page (a signed-in, enrolled teacher, a 50-lesson course
with a quiz) reaches at least 60% of the requests/s of a bare Wagtail page
(``wagtailcore/page.html``, same session cookie) served by the same
gunicorn; completion POSTs ("mark this lesson as done", each completing a
course, crediting the ledger and queuing its certificate on Redis) sustain
at least 100/s.

    .venv/bin/python bench/bench_lesson_page.py [--database-url postgres://postgres:postgres@127.0.0.1:5432/lms_courses]

The database is dropped and recreated. The load generator is this script:
keep-alive HTTP/1.1 connections, one per client thread; the two pages are
measured in alternating rounds so that both see the same machine load.
"""

import argparse
import http.client
import os
import signal
import statistics
import sys
import threading
import time
from pathlib import Path

from benchkit import (
    Summary, cpu_seconds_by_process, recreate_database, server_environment, session_for, start_gunicorn, wait_for_server,
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres:postgres@127.0.0.1:5432/lms_courses"
PORT = 8411
LESSON_BUDGET_RATIO = 0.60
COMPLETION_BUDGET = 100
# Completions before the measurement, so that every gunicorn worker has
# opened its broker connection (importing the Redis transport takes the
# better part of a second, once per process).
WARMUP_COMPLETERS = 40


def prepare(*, lessons, completers):
    """A bare page, a course of ``lessons`` lessons with one teacher enrolled
    (the reader), and a one-lesson course with ``completers`` teachers
    enrolled, each with a signed-in session and a CSRF secret."""
    import json

    from django.middleware.csrf import _get_new_csrf_string
    from wagtail.models import Page

    from certificates.constants import CertificateKind
    from certificates.tests.factories import CertificateTemplateFactory
    from courses import services
    from courses.models import CourseIndexPage, CoursePage, LessonPage
    from courses.tests.factories import quiz_block, text_block
    from lms.models import School
    from lms.people.services import teacher_create

    home = Page.objects.get(depth=2)
    bare = home.add_child(instance=Page(title="Bare page", slug="bare"))
    catalogue = CourseIndexPage.objects.get()
    school = School.objects.create(code="BENCH1", name="基准测试学校", district_id=1, has_primary=True,
                                   locality="urban")

    def teacher(number):
        profile = teacher_create(real_name=f"教师{number}", staff_number=f"B{number:07d}", school=school,
                                 subject="science", stage="primary")
        return profile

    course = catalogue.add_child(instance=CoursePage(
        title="基准课程", slug="bench-course", subject="science", stage="primary", credit_hours=8, category="general_literacy",
    ))
    body = json.dumps([text_block(), text_block(), quiz_block()])
    last = None
    for number in range(lessons):
        last = course.add_child(instance=LessonPage(title=f"第{number + 1}课", slug=f"l{number}", body=body))
    reader = teacher(0)
    reader.user.set_password("bench")
    reader.user.save()
    services.enrolment_create(course=course, teacher=reader)

    # Each completion queues its certificate, as in the academy once HR has a
    # default template; no worker runs during the measurement.
    CertificateTemplateFactory(kind=CertificateKind.COURSE_COMPLETION, is_default=True)
    quick = catalogue.add_child(instance=CoursePage(
        title="基准完成课程", slug="bench-complete", subject="science", stage="primary", credit_hours=2,
        category="general_literacy",
    ))
    quick_lesson = quick.add_child(instance=LessonPage(title="唯一一课", slug="only", body=json.dumps([text_block()])))
    clients = []
    for number in range(1, completers + WARMUP_COMPLETERS + 1):
        profile = teacher(number)
        services.enrolment_create(course=quick, teacher=profile)
        services.enrolment_create(course=course, teacher=profile)
        clients.append((session_for(profile.user), _get_new_csrf_string()))
    first = course.get_children().first()
    return {
        "bare": bare.url,
        "lesson": f"/learn/{last.pk}/",
        "reader_session": session_for(reader.user),
        "done_url": f"/learn/{quick_lesson.pk}/done/",
        "progress_url": f"/learn/{first.pk}/done/",
        "completers": clients[WARMUP_COMPLETERS:],
        "warmup": clients[:WARMUP_COMPLETERS],
    }


def hammer(path, *, session, seconds, clients):
    """GET ``path`` from ``clients`` keep-alive connections for ``seconds``; requests/s."""
    stop = time.monotonic() + seconds
    counts, errors = [], []

    def run():
        done = 0
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = {"Cookie": f"sessionid={session}; django_language=zh-hans", "Host": "localhost"}
        while time.monotonic() < stop:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
            done += 1
        counts.append(done)
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    if errors:
        raise SystemExit(f"{path}: {len(errors)} non-200 responses, e.g. {errors[:3]}")
    return sum(counts) / elapsed


def completions(path, sessions, *, clients):
    """POST ``path`` once per (session, csrf) pair from ``clients`` threads; completions/s."""
    queue = list(sessions)
    lock = threading.Lock()
    statuses = []

    def run():
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                session, csrf = queue.pop()
            headers = {
                "Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf, "Host": "localhost",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            connection.request("POST", path, body="visit=", headers=headers)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    bad = [status for status in statuses if status != 302]
    if bad:
        raise SystemExit(f"completion POSTs: {len(bad)} not redirected, e.g. {bad[:3]}")
    return len(statuses) / elapsed


def cpu_per_post(run, count):
    """Run ``run()``; return its result and the CPU milliseconds per POST of
    gunicorn's workers, of PostgreSQL's backends and of this load generator
    (None where there is no /proc). A process that exits meanwhile is not
    counted."""
    if not os.path.isdir("/proc/self"):
        return run(), None
    before = cpu_seconds_by_process()
    result = run()
    split = {"python": 0.0, "postgres": 0.0, "load": 0.0}
    mine = f"/proc/{os.getpid()}/stat"
    for pid, (name, seconds, _parent) in cpu_seconds_by_process().items():
        if name in split:
            used = 1000 * (seconds - before.get(pid, (name, 0.0, 0))[1]) / count
            split["load" if pid == mine else name] += used
    return result, split


def cpu_note(split):
    if split is None:
        return ""
    return (f" (CPU per POST: gunicorn {split['python']:.1f} ms, PostgreSQL {split['postgres']:.1f} ms,"
            f" this load generator {split['load']:.1f} ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--lessons", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client connections")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5, help="per page per round")
    parser.add_argument("--completions", type=int, default=1500)
    parser.add_argument("--json", metavar="PATH", help="also write the figures and budgets as JSON (make bench)")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/9",
                        help="Celery broker the completions queue their certificates on (emptied first and after)")
    # Longer than the run: with a shorter age every worker reconnects in the
    # middle of a measurement, its new PostgreSQL backend warms its caches
    # on the clock, and the old backend's CPU leaves the count with it.
    parser.add_argument("--conn-max-age", type=int, default=600,
                        help="DB_CONN_MAX_AGE for gunicorn's workers (0: a new connection per request)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    recreate_database(args.database_url)
    env = server_environment(database_url=args.database_url, broker_url=args.broker_url,
                             conn_max_age=args.conn_max_age)
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        parser.error("this benchmark runs on PostgreSQL")
    call_command("migrate", verbosity=0, interactive=False)
    from lms.celery import app as celery_app

    celery_app.control.purge()
    print(f"preparing: a {args.lessons}-lesson course and {args.completions} teachers to complete …")
    data = prepare(lessons=args.lessons, completers=args.completions)
    connection.close()

    server = start_gunicorn(port=PORT, workers=args.workers, env=env, cwd=REPO)
    try:
        wait_for_server(PORT)
        for path in (data["bare"], data["lesson"]):  # warm every worker's caches
            hammer(path, session=data["reader_session"], seconds=1, clients=args.clients)
        completions(data["done_url"], data["warmup"], clients=args.clients)
        celery_app.control.purge()
        from lms.models import TrainingCredit

        credited_before = TrainingCredit.objects.count()
        bare, lesson = [], []
        for round_number in range(args.rounds):
            bare.append(hammer(data["bare"], session=data["reader_session"], seconds=args.seconds,
                               clients=args.clients))
            lesson.append(hammer(data["lesson"], session=data["reader_session"], seconds=args.seconds,
                                 clients=args.clients))
            print(f"round {round_number + 1}: bare page {bare[-1]:.0f} req/s, lesson page {lesson[-1]:.0f} req/s")
        bare_rate, lesson_rate = statistics.median(bare), statistics.median(lesson)
        ratio = lesson_rate / bare_rate
        print(f"gunicorn workers {args.workers}, clients {args.clients}, DB_CONN_MAX_AGE {args.conn_max_age}")
        print(f"bare Wagtail page: {bare_rate:.0f} req/s (median of {args.rounds})")
        print(f"lesson page ({args.lessons} lessons): {lesson_rate:.0f} req/s")
        print(f"ratio {ratio:.2f} (budget ≥ {LESSON_BUDGET_RATIO:.2f}): {'OK' if ratio >= LESSON_BUDGET_RATIO else 'OVER'}")
        progress, split = cpu_per_post(
            lambda: completions(data["progress_url"], data["completers"], clients=args.clients), args.completions
        )
        print(f"lesson-done POSTs that do not complete the course: {progress:.0f}/s over {args.completions}"
              + cpu_note(split))
        rate, split = cpu_per_post(
            lambda: completions(data["done_url"], data["completers"], clients=args.clients), args.completions
        )
        print(f"completion POSTs: {rate:.0f}/s over {args.completions}{cpu_note(split)}")
        print(f"completion POSTs ÷ lesson-done POSTs: {rate / progress:.2f}; budget ≥ {COMPLETION_BUDGET}/s: "
              f"{'OK' if rate >= COMPLETION_BUDGET else 'UNDER'}")
        credited = TrainingCredit.objects.count() - credited_before
        print(f"ledger entries written by those completions: {credited}")
        with celery_app.connection_for_write() as broker:
            queued = broker.default_channel.client.llen(celery_app.conf.task_default_queue)
        print(f"certificate tasks queued on the broker by those completions: {queued}")
        celery_app.control.purge()
        summary = Summary("lesson page")
        summary.add("lesson page ÷ bare Wagtail page (req/s)", ratio, budget=LESSON_BUDGET_RATIO, kind="min")
        summary.add("lesson page", lesson_rate, unit="req/s")
        summary.add("completion POSTs", rate, unit="/s", budget=COMPLETION_BUDGET, kind="min")
        if split is not None:
            summary.add("gunicorn CPU per completion", split["python"], unit="ms")
        summary.write(args.json)
        return 0 if summary.ok else 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


if __name__ == "__main__":
    sys.exit(main())
