"""The demo academy: about 300 schools across Jinan's districts and zones,
thousands of science teachers and a few accounts for every role.

Two halves. ``demo_academy_plan`` is pure: from a seed and a teacher count it
builds plain dataclasses and never touches the database, so determinism can
be checked by comparing plans. ``demo_academy_seed`` writes a plan in one
transaction with a fixed number of statements, because saving 50,000
teachers one by one (signals, a password hash each) would take far longer
than anyone waits for ``make run``.

Everything random comes from ``random.Random`` instances seeded from the
seed and a stream name, never from the global generator, and nothing
iterates a set: set order depends on ``PYTHONHASHSEED`` and would make two
runs of the same seed differ.

What is seeded lives by what it is: ``schools`` (districts' schools),
``teachers``, ``users`` (accounts and roles), ``ledger_history`` (the
ledger, planned from ``ledger_catalogue`` and written through the ledger's
bulk writer), with ``names`` and ``draw`` beneath them; the course
catalogue, research-along and cohorts come from their own apps' seeders and
``lms.demo.cohorts``.
"""

import datetime
import logging
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.constants import Locality, Role
from lms.demo.ledger_catalogue import RESEARCH_ALONG_CAP
from lms.demo.ledger_history import ledger_plan, ledger_write, ledger_years
from lms.demo.names import NameMaker
from lms.demo.schools import DISTRICT_PROFILES, schools_create, schools_plan
from lms.demo.teachers import (
    DEMO_TEACHER_DISTRICT,
    DEMO_TEACHER_USERNAME,
    STAGE_SUBJECTS,
    profiles_create,
    teachers_plan,
)
from lms.demo.users import SUPERUSER_USERNAME, accounts_plan, roles_assign, users_create
from lms.models import District, School

logger = logging.getLogger(__name__)

# Names other modules and the tests take from here.
__all__ = [
    "ALREADY_LOADED", "DATABASE_NOT_EMPTY", "DEFAULT_SEED", "DEFAULT_TEACHER_COUNT", "DEMO_TEACHER_DISTRICT",
    "DEMO_TEACHER_USERNAME", "DISTRICTS_MISSING", "RESEARCH_ALONG_CAP", "STAGE_SUBJECTS", "SUPERUSER_USERNAME",
    "TEACHER_COUNT_TOO_SMALL", "DatabaseNotEmpty", "DemoAcademyError", "DemoAcademyPlan", "DemoAcademySummary",
    "demo_academy_has_data", "demo_academy_plan", "demo_academy_seed", "ledger_years",
]

DEFAULT_SEED = 2024
DEFAULT_TEACHER_COUNT = 3000

DATABASE_NOT_EMPTY = _(
    "The database already has users or schools, and seed_demo only fills an empty database. "
    "Use a fresh database (for the embedded one: make clean, then make run)."
)
ALREADY_LOADED = _("The database already has data; the demo academy is not loaded again.")
DISTRICTS_MISSING = _("Districts %(codes)s are missing: run manage.py migrate first.")
TEACHER_COUNT_TOO_SMALL = _("The demo academy needs at least one teacher (the demo teacher account).")


class DemoAcademyError(Exception):
    """The database is not in a state the demo academy can be loaded into."""


class DatabaseNotEmpty(DemoAcademyError):
    pass


@dataclass(frozen=True)
class DemoAcademyPlan:
    seed: int
    schools: list  # of SchoolSpec
    teachers: list  # of TeacherSpec, the demo teacher first
    accounts: list  # of AccountSpec
    credits: list  # of CreditSpec, reversals after the entries they reverse
    # The schools left without a single credit in the current year.
    quiet_school_codes: tuple


def demo_academy_plan(
    *, seed: int = DEFAULT_SEED, teacher_count: int = DEFAULT_TEACHER_COUNT, today: datetime.date | None = None
) -> DemoAcademyPlan:
    """The whole demo academy for ``seed``, as data. Schools and staff
    accounts depend on the seed only, so changing ``teacher_count`` keeps
    them; teachers are spread over the schools by school size. The ledger
    runs from 2024 to ``today`` (by default the current date)."""
    if teacher_count < 1:
        raise DemoAcademyError(TEACHER_COUNT_TOO_SMALL)
    today = today or timezone.localdate()
    names = NameMaker()
    schools = schools_plan(random.Random(f"seed-demo:{seed}:schools"))
    teachers = teachers_plan(random.Random(f"seed-demo:{seed}:teachers"), schools=schools, count=teacher_count,
                              names=names)
    accounts = accounts_plan(random.Random(f"seed-demo:{seed}:accounts"), names=names)
    credits, quiet = ledger_plan(random.Random(f"seed-demo:{seed}:ledger"), schools=schools, teachers=teachers,
                                  today=today)
    return DemoAcademyPlan(seed=seed, schools=schools, teachers=teachers, accounts=accounts, credits=credits,
                           quiet_school_codes=quiet)


@dataclass(frozen=True)
class DemoAcademySummary:
    seed: int
    districts: int
    schools: int
    rural_schools: int
    teachers: int
    accounts_by_role: dict
    superusers: int
    sample_teacher_username: str
    credits: int = 0
    credit_years: tuple = ()
    courses: int = 0
    # mentors.seeding.ResearchAlongSummary
    research_along: object = None


def demo_academy_has_data():
    """Users or schools mean someone's data, demo or not, is already here."""
    return get_user_model().objects.exists() or School.objects.exists()


def demo_academy_seed(
    *, seed: int = DEFAULT_SEED, teacher_count: int = DEFAULT_TEACHER_COUNT, today: datetime.date | None = None
) -> DemoAcademySummary:
    """Load the demo academy into an empty database.

    Raises ``DatabaseNotEmpty`` rather than mixing demo people into real
    ones. The number of queries does not depend on ``teacher_count``.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        if demo_academy_has_data():
            raise DatabaseNotEmpty(DATABASE_NOT_EMPTY)
        plan = demo_academy_plan(seed=seed, teacher_count=teacher_count, today=today)
        districts = _districts()
        school_ids = schools_create(plan.schools, districts=districts)
        user_ids = users_create(plan=plan)
        profiles_create(plan.teachers, user_ids=user_ids, school_ids=school_ids)
        roles_assign(plan=plan, user_ids=user_ids, districts=districts)
        ledger_write(plan=plan)
        # The course catalogue and a modest set of enrolments; its cost does
        # not grow with the number of teachers (see courses.seeding).
        from courses.api import demo_catalogue_seed
        from themes.api import HomePage

        courses = demo_catalogue_seed(seed=seed, today=today, home=HomePage.objects.first())
        # Research-along last: its confirmed activities are credited through
        # the ledger service on top of the planned ledger.
        from mentors.api import research_along_demo_seed

        research_along = research_along_demo_seed(
            teacher_usernames=[teacher.username for teacher in plan.teachers], today=today
        )
    return _summary(plan, districts=districts, today=today, courses=courses, research_along=research_along)


def _districts():
    """The districts by code, all of them there (a data migration makes them)."""
    district_codes = [profile.code for profile in DISTRICT_PROFILES]
    districts = District.objects.in_bulk(district_codes, field_name="code")
    missing = [code for code in district_codes if code not in districts]
    if missing:
        raise DemoAcademyError(DISTRICTS_MISSING % {"codes": ", ".join(missing)})
    return districts


def _summary(plan, *, districts, today, courses, research_along):
    accounts_by_role = {}
    for account in plan.accounts:
        if account.role not in (None, Role.TEACHER):
            accounts_by_role[account.role] = accounts_by_role.get(account.role, 0) + 1
    return DemoAcademySummary(
        seed=plan.seed,
        districts=len(districts),
        schools=len(plan.schools),
        rural_schools=sum(1 for spec in plan.schools if spec.locality == Locality.RURAL),
        teachers=len(plan.teachers),
        accounts_by_role=accounts_by_role,
        superusers=sum(1 for account in plan.accounts if account.is_superuser),
        sample_teacher_username=plan.teachers[-1].username,
        credits=len(plan.credits),
        credit_years=ledger_years(today),
        courses=courses,
        research_along=research_along,
    )
