"""Load the academy with locust at rising user counts: requests/s, p50/p95/p99,
errors and the CPU per request of gunicorn's workers, and where it saturates
against the deadline week's evening peak (60 dynamic requests/s, 10
completions/s).

    .venv/bin/python bench/load/run_load.py [--database-url postgres://…/lms_bench_load]
        [--teachers 50000] [--users 10 25 50 100 150] [--seconds 30]

It drops and recreates the database, migrates, seeds the academy with
``seed_demo`` (50,000 teachers by default), adds the winter-training course
the teachers work through (eight lessons, two quizzes) with ``--learners``
enrolled teachers, each signed in with a session and a CSRF secret, and
credits a small training per step for HR's bulk issue. Then it starts
gunicorn (``lms.settings.dev`` with ``DEBUG=0``) and a real Celery worker on
Redis, both on 127.0.0.1, warms them up, and runs ``locustfile.py`` headless
once per user count, for a fixed time each: it stops by itself. Any failed
request (a 5xx, a connection error, a page that is not what it should be)
makes the exit status 1.

Seeding and preparing are not timed. CPU per request comes from ``/proc``:
gunicorn's workers (the children of its master), the Celery worker and the
load generator, measured over each step.
"""

import argparse
import csv
import io
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))

from benchkit import (  # noqa: E402
    Summary, cpu_seconds_by_process, recreate_database, server_environment, session_for, start_gunicorn, wait_for_server,
)

DEFAULT_DATABASE_URL = "postgres://postgres:postgres@127.0.0.1:5432/lms_bench_load"
DEFAULT_PORT = 8412
# The evening peak of the deadline week of winter training, from the academy.
PEAK_REQUESTS = 60
PEAK_COMPLETIONS = 10
# A user thinks for a second on average between requests (locustfile.py),
# so users with quick answers offer about one request/s each; where the
# served rate falls under this share of that, the users spend as long
# waiting for the server as thinking: the server has saturated.
SATURATED_SHARE = 0.6
# What a request costs the academy's own processes; the load generator
# stands in for the teachers' browsers.
SERVER_SIDE = ("gunicorn", "postgres", "celery")
# The trainer and HR (a request every 5 and 10 s) are always among the users.
PACED_USERS = 2
COMPLETION_NAMES = ("lesson done (POST)", "quiz (POST)")
LIMIT_FOR_ONE_ADDRESS = 1_000_000
LOAD_TRAINING = "寒假科学教师集中培训（负载测试第 %d 批）"
BATCH_SIZE = 20


def prepare(*, learners, steps, seed):
    """The course the teachers work through, their sessions, the trainer's
    and HR's, a small training per step for HR's bulk issue, and the public's
    certificate tokens: the plan ``locustfile.py`` reads."""
    import datetime
    import random

    from django.contrib.auth import get_user_model
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone

    from certificates.models import Certificate, CertificateTemplate
    from courses import services
    from courses.models import CourseIndexPage, CoursePage, LessonPage
    from courses.tests.factories import RIGHT_ANSWERS, WRONG_ANSWERS, quiz_block, text_block
    from lms.constants import CreditCategory
    from lms.ledger.services import credit_record
    from lms.models import TeacherProfile

    def person(user):
        return {"session": session_for(user), "csrf": _get_new_csrf_string()}

    catalogue = CourseIndexPage.objects.get()
    course = catalogue.add_child(instance=CoursePage(
        title="寒假科学教师网络研修：探究式实验教学", slug="winter-load", subject="science", stage="primary",
        credit_hours=8, category="general_literacy", requires_lessons=True, requires_quizzes=True,
        issues_certificate=True,
    ))
    lessons, quizzes = [], []
    for number in range(8):
        blocks = [text_block(), text_block()]
        quiz = quiz_block() if number in (3, 7) else None
        if quiz:
            blocks.append(quiz)
        lesson = course.add_child(instance=LessonPage(title=f"第{number + 1}课", slug=f"lesson-{number + 1}",
                                                      body=json.dumps(blocks, ensure_ascii=False)))
        lessons.append(lesson.pk)
        if quiz:
            quizzes.append({"lesson": lesson.pk, "quiz": quiz["id"], "right": RIGHT_ANSWERS, "wrong": WRONG_ANSWERS})

    rng = random.Random(seed)
    pool = list(TeacherProfile.objects.filter(school__isnull=False).select_related("user", "school")
                .order_by("pk")[:learners * 4])
    chosen = rng.sample(pool, min(learners, len(pool)))
    teachers = []
    for profile in chosen:
        services.enrolment_create(course=course, teacher=profile)
        teachers.append(person(profile.user))

    users = get_user_model().objects
    trainer, hr = users.get(username="trainer"), users.get(username="hr")
    services.course_manager_grant(course=course, user=trainer)

    # HR's bulk issue: a small training last year per step, so each step
    # issues its own BATCH_SIZE certificates through the worker.
    last_year = timezone.localdate().year - 1
    trainings = []
    others = [profile for profile in pool if profile not in chosen]
    for step in range(steps):
        label = LOAD_TRAINING % (step + 1)
        trainings.append(label)
        for n, profile in enumerate(others[step * BATCH_SIZE:(step + 1) * BATCH_SIZE]):
            credit_record(teacher=profile, category=CreditCategory.OFFLINE_WORKSHOP, hours="24",
                          source_key=f"load:{step}:{n}", occurred_on=datetime.date(last_year, 1, 20),
                          evidence_label=label)
    template = CertificateTemplate.objects.get(kind="course", is_default=True)
    tokens = list(Certificate.objects.values_list("token", flat=True))
    if not tokens:
        raise SystemExit("the academy has no certificates to verify")
    return {
        "teachers": teachers,
        "catalogue": catalogue.url,
        "courses": [page.url for page in CoursePage.objects.live().order_by("pk")[:20]],
        "lessons": lessons,
        "quizzes": quizzes,
        "trainer": person(trainer),
        "report": f"/admin/course-reports/{course.pk}/",
        "hr": person(hr),
        "teacher_export": "/admin/teachers/?export=csv",
        "batch": {"template": template.pk, "year": last_year, "trainings": trainings},
        "tokens": tokens,
    }


def cpu_of(pids_of, before, after):
    """CPU seconds between two ``/proc`` readings, summed per group."""
    used = {}
    for stat, (name, seconds, parent) in after.items():
        group = pids_of(stat, name, parent)
        if group:
            used[group] = used.get(group, 0.0) + seconds - before.get(stat, (name, 0.0, 0))[1]
    return used


def read_stats(prefix, seconds):
    """Locust's CSV summary: the whole run and each kind of request."""
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kinds = {}
    for row in rows:
        kinds[row["Name"]] = {
            "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "p50": float(row["50%"] or 0), "p95": float(row["95%"] or 0), "p99": float(row["99%"] or 0),
        }
    failures = []
    if os.path.exists(f"{prefix}_failures.csv"):
        with open(f"{prefix}_failures.csv", newline="") as handle:
            failures = [f"{row['Method']} {row['Name']}: {row['Error']} ×{row['Occurrences']}"
                        for row in csv.DictReader(handle)]
    total = kinds.pop("Aggregated")
    completions = sum(kinds.get(name, {}).get("requests", 0) for name in COMPLETION_NAMES)
    return {**total, "rps": total["requests"] / seconds, "completions_per_s": completions / seconds,
            "kinds": kinds, "errors": failures}


def backend_title(pid):
    """A PostgreSQL backend's process title names its database (``postgres:
    USER DATABASE HOST(PORT) STATE``): only this academy's backends count."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().decode(errors="replace")
    except OSError:
        return ""


def run_step(*, users, seconds, step, plan_path, server, worker, work_dir, database_name, port):
    """One headless locust run of ``seconds`` at ``users`` users."""
    prefix = str(Path(work_dir) / f"step{step}")
    env = {**os.environ, "LOAD_PLAN": plan_path, "LOAD_STEP": str(step)}
    command = [
        sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
        "--host", f"http://127.0.0.1:{port}", "--users", str(users), "--spawn-rate", str(users),
        "--run-time", f"{seconds}s", "--stop-timeout", "10", "--csv", prefix, "--only-summary",
        "--loglevel", "ERROR", "--exit-code-on-error", "0",
    ]
    before = cpu_seconds_by_process()
    # The load generator exits before the second /proc reading: its CPU is
    # the children's usage this process collects when it waits for it.
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    locust = subprocess.Popen(command, cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    _out, err = locust.communicate(timeout=seconds + 120)
    elapsed = time.monotonic() - started
    after = cpu_seconds_by_process()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    if locust.returncode != 0:
        raise SystemExit(f"locust failed ({locust.returncode}): {err[-2000:]}")

    def group(stat, name, parent):
        pid = int(stat.split("/")[2])
        if parent == server.pid:
            return "gunicorn"
        if pid == worker.pid:
            return "celery"
        if name == "postgres" and database_name in backend_title(pid):
            return "postgres"
        return None

    # Locust's own clock, not ours: its process start-up is not load.
    stats = read_stats(prefix, seconds)
    cpu = cpu_of(group, before, after)
    cpu["locust"] = (children.ru_utime + children.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
    requests = max(stats["requests"], 1)
    stats.update(
        users=users, seconds=seconds, wall=elapsed, load_average=os.getloadavg()[0],
        cpu_ms={name: 1000 * used / requests for name, used in cpu.items()},
    )
    return stats


def saturation(steps):
    """The highest requests/s seen, and the first user count whose served
    rate falls under SATURATED_SHARE of the rate its users offer: where the
    server, not the users, sets the rate."""
    best = max(steps, key=lambda step: step["rps"])
    saturated_at = next((step["users"] for step in steps
                         if step["rps"] < SATURATED_SHARE * (step["users"] - PACED_USERS)), None)
    return best, saturated_at


def print_header():
    print(f"{'users':>5} {'req/s':>7} {'compl/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6} "
          f"{'gunicorn CPU/req':>16} {'PostgreSQL CPU/req':>18} {'locust CPU/req':>14} {'load avg':>8}")


def print_row(step):
    cpu = step["cpu_ms"]
    print(f"{step['users']:>5} {step['rps']:>7.1f} {step['completions_per_s']:>7.1f} {step['p50']:>4.0f}ms "
          f"{step['p95']:>4.0f}ms {step['p99']:>4.0f}ms {step['failures']:>6} "
          f"{cpu.get('gunicorn', 0):>14.1f}ms {cpu.get('postgres', 0):>16.1f}ms {cpu.get('locust', 0):>12.1f}ms "
          f"{step['load_average']:>8.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--teachers", type=int, default=50_000, help="seed_demo's academy size")
    parser.add_argument("--learners", type=int, default=1_000, help="teachers signed in and enrolled for the load")
    parser.add_argument("--users", type=int, nargs="+", default=[10, 25, 50, 100, 150])
    parser.add_argument("--seconds", type=int, default=30, help="per user count")
    parser.add_argument("--warm-up", type=int, default=8, help="seconds of load before the steps, not reported")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="gunicorn's port on 127.0.0.1")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/9",
                        help="Redis for the Celery worker (emptied before and after)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--migrated", action="store_true",
                        help="use the database as it is, migrated and empty (the test suite's), not a new one")
    parser.add_argument("--json", metavar="PATH", help="also write the figures and budgets as JSON (make bench)")
    parser.add_argument("--fail-on", choices=("budgets", "errors"), default="budgets",
                        help="what makes the exit status 1: any figure over its budget, or only failed requests "
                             "(the CI run, whose rate follows whatever else the machine runs)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    work_dir = tempfile.mkdtemp(prefix="lms-bench-load-")
    env = server_environment(
        database_url=args.database_url, broker_url=args.broker_url, LMS_VAR_DIR=work_dir,
        MEDIA_ROOT=str(Path(work_dir) / "media"), EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        # The public verifying certificates stands for many people at many
        # addresses, but locust sends them all from 127.0.0.1: the per-address
        # and per-certificate verification limits (which their own tests
        # prove) would refuse them as one scraper.
        CERTIFICATES_VERIFY_RATE_PER_MINUTE=str(LIMIT_FOR_ONE_ADDRESS),
        CERTIFICATES_VERIFY_RATE_PER_CERTIFICATE_PER_MINUTE=str(LIMIT_FOR_ONE_ADDRESS),
    )
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    if not args.migrated:
        recreate_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lms.celery import app as celery_app

    if connection.vendor != "postgresql":
        parser.error("the load scenario runs on PostgreSQL")
    started = time.perf_counter()
    if not args.migrated:
        call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    call_command("seed_demo", teachers=args.teachers, seed=args.seed, stdout=io.StringIO())
    seeded = time.perf_counter()
    steps_count = len(args.users) + 1
    plan = prepare(learners=args.learners, steps=steps_count, seed=args.seed)
    plan_path = str(Path(work_dir) / "plan.json")
    with open(plan_path, "w") as handle:
        json.dump(plan, handle, ensure_ascii=False)
    print(f"academy: {args.teachers:,} teachers, {len(plan['teachers'])} signed in for the load, "
          f"ready in {time.perf_counter() - started:.0f} s (migrate {migrated - started:.0f} s, "
          f"seed_demo {seeded - migrated:.0f} s, the load's course and sessions {time.perf_counter() - seeded:.0f} s)")
    from certificates.models import Certificate

    certificates_before = Certificate.objects.count()
    connection.close()
    celery_app.control.purge()

    log = open(Path(work_dir) / "services.log", "w")
    server = start_gunicorn(port=args.port, workers=args.workers, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "lms", "worker", "--pool=solo", "--loglevel=WARNING",
         "-n", f"load-{os.getpid()}@%h"],
        cwd=REPO, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
    )
    steps = []
    try:
        wait_for_server(args.port)
        time.sleep(1)
        if server.poll() is not None:  # another server answered: gunicorn could not bind
            raise SystemExit(f"gunicorn exited: is port {args.port} taken? (--port)")
        common = {"plan_path": plan_path, "server": server, "worker": worker, "work_dir": work_dir,
                  "database_name": connection.settings_dict["NAME"], "port": args.port}
        warm = run_step(users=8, seconds=args.warm_up, step=0, **common)
        print(f"warm-up: {warm['requests']} requests, {warm['failures']} failed")
        print_header()
        for number, users in enumerate(args.users, start=1):
            steps.append(run_step(users=users, seconds=args.seconds, step=number, **common))
            print_row(steps[-1])
        for error in [*warm["errors"], *(e for step in steps for e in step["errors"])]:
            print(f"error: {error}")
        if server.poll() is not None or worker.poll() is not None:
            raise SystemExit("gunicorn or the Celery worker died during the run")
        time.sleep(2)  # the last completions' certificates
        issued = Certificate.objects.count() - certificates_before
        connection.close()
        with celery_app.connection_for_write() as broker:
            backlog = broker.default_channel.client.llen(celery_app.conf.task_default_queue)
    finally:
        for process in (server, worker):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (server, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        celery_app.control.purge()
        log.close()

    largest = steps[-1]
    print(f"\nby kind of request at {largest['users']} users:")
    for name, kind in sorted(largest["kinds"].items(), key=lambda item: -item[1]["requests"]):
        print(f"  {name:<32} {kind['requests']:>6}  p50 {kind['p50']:>5.0f} ms  p95 {kind['p95']:>5.0f} ms"
              f"  p99 {kind['p99']:>5.0f} ms  failed {kind['failures']}")
    best, saturated_at = saturation(steps)
    failures = warm["failures"] + sum(step["failures"] for step in steps)
    headroom = best["rps"] / PEAK_REQUESTS
    completion_headroom = best["completions_per_s"] / PEAK_COMPLETIONS
    print(f"\nhighest rate: {best['rps']:.1f} req/s at {best['users']} users "
          f"({best['completions_per_s']:.1f} completions/s); "
          + (f"saturated from {saturated_at} users" if saturated_at else "not saturated at the user counts run"))
    print(f"headroom over the evening peak: {headroom:.2f}× its {PEAK_REQUESTS} req/s, "
          f"{completion_headroom:.2f}× its {PEAK_COMPLETIONS} completions/s")
    server_cpu = sum(best["cpu_ms"].get(name, 0) for name in SERVER_SIDE)
    ceiling = os.cpu_count() * 1000 / server_cpu if server_cpu else 0
    print(f"CPU per request at the highest rate: {server_cpu:.1f} ms on the server side (gunicorn, PostgreSQL, "
          f"Celery); {os.cpu_count()} cores to itself would serve about {ceiling:.0f} req/s, "
          f"{ceiling / PEAK_REQUESTS:.2f}× the peak (steadier than the measured rate on a shared machine)")
    print(f"certificates issued by the Celery worker during the run: {issued}; tasks left on the broker: {backlog}")
    print(f"failed requests: {failures}; machine load average {os.getloadavg()[0]:.2f} "
          f"(the machine is shared: compare CPU per request rather than requests/s across runs)")

    summary = Summary("load (locust)")
    summary.add("failed requests (5xx, connection errors, wrong pages)", failures, budget=0)
    summary.add(f"highest rate ({best['users']} users)", best["rps"], unit="req/s")
    summary.add("p95 at the highest rate", best["p95"], unit="ms")
    summary.add("certificates issued by the Celery worker", issued)
    summary.add("server CPU per request (gunicorn, PostgreSQL, Celery)", server_cpu, unit="ms")
    summary.add(f"CPU-bound ceiling on {os.cpu_count()} free cores ÷ peak {PEAK_REQUESTS} req/s",
                ceiling / PEAK_REQUESTS)
    summary.add("gunicorn CPU per request at the highest rate", best["cpu_ms"].get("gunicorn", 0), unit="ms")
    # Below saturation the rate is the users', not the server's: the
    # headroom is then only a lower bound, and no budget applies to it.
    budget = 1.0 if saturated_at else None
    summary.add(f"headroom: highest rate ÷ peak {PEAK_REQUESTS} req/s", headroom, budget=budget, kind="min")
    summary.add(f"headroom: completions ÷ peak {PEAK_COMPLETIONS}/s", completion_headroom, budget=budget, kind="min")
    summary.write(args.json)
    if args.json:
        with open(args.json) as handle:
            data = json.load(handle)
        data["steps"] = steps
        with open(args.json, "w") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
    if args.fail_on == "errors":
        return 0 if failures == 0 else 1
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
