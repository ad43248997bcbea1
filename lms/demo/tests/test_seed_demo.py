import hashlib
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.http import HttpRequest
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.constants import CreditCategory, Degree, Locality, ProfessionalTitle, Role, Stage, Subject
from lms.demo.accounts import DEMO_LOGINS, DEMO_PASSWORD
from lms.demo.seeding import (
    ALREADY_LOADED,
    DATABASE_NOT_EMPTY,
    DEFAULT_TEACHER_COUNT,
    RESEARCH_ALONG_CAP,
    STAGE_SUBJECTS,
    SUPERUSER_USERNAME,
    demo_academy_plan,
    demo_academy_seed,
    ledger_years,
)
from lms.ledger.services import credit_reverse, ledger_reconcile
from lms.models import CreditCap, District, School, TeacherProfile, TeacherYearTally, TrainingCredit
from lms.people.selectors import teacher_list_for_user
from lms.tests.factories import UserFactory

# Small enough to keep the database tests quick; the default size is checked
# on the plan, which needs no database.
TEACHERS = 200
STAGE_COMBINATIONS = {
    (True, False, False),  # 小学
    (False, True, False),  # 初中
    (False, False, True),  # 高中
    (True, True, False),  # 九年一贯制
    (False, True, True),  # 完全中学
}
# Seeding runs a fixed number of queries, most of them for the ~40 fixed
# accounts that go through the role services one by one; a query or two per
# teacher would need 400 or more for TEACHERS. The course catalogue adds
# about 1,100: some twenty per page for its 44 pages and per credited
# completion for its 25 (courses.seeding), none per teacher. Research-along
# adds a fixed number for its ~25 confirmed demo activities, each credited
# through the ledger service like a real confirmation (about a dozen
# queries apiece).
SEED_QUERY_BUDGET = 1400 + 330
MOBILE = re.compile(r"^1[3-9]\d{9}$")
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def default_plan():
    return demo_academy_plan(teacher_count=DEFAULT_TEACHER_COUNT)


def stage_flags(school):
    return (school.has_primary, school.has_junior, school.has_senior)


# --- the plan: shape and plausibility at the default size, no database --------------------


def test_default_plan_has_300_schools_in_every_district_sized_by_district(default_plan):
    per_district = Counter(school.district_code for school in default_plan.schools)

    assert len(default_plan.schools) == 300
    assert len(per_district) == 15
    for big in ("370102", "370112", "370103", "370114"):  # 历下 历城 市中 章丘
        for small in ("370117", "JNQB"):  # 钢城 起步区
            assert per_district[big] > 2 * per_district[small]
    assert len({school.code for school in default_plan.schools}) == 300
    assert len({school.name for school in default_plan.schools}) == 300


def test_default_plan_has_every_stage_combination_and_rural_schools_where_the_countryside_is(default_plan):
    schools = default_plan.schools
    assert {stage_flags(school) for school in schools} == STAGE_COMBINATIONS

    def rural_share(code):
        district_schools = [school for school in schools if school.district_code == code]
        return sum(school.locality == Locality.RURAL for school in district_schools) / len(district_schools)

    for city_centre in ("370102", "370103"):  # 历下 市中
        assert rural_share(city_centre) <= 0.1
    for countryside in ("370114", "370115", "370116", "370117", "370124", "370126", "370113", "JNNB"):
        assert rural_share(countryside) >= 0.4
    assert all(not school.name.startswith("济南市") for school in schools if school.locality == Locality.RURAL)


def test_default_plan_names_schools_the_way_they_are_signed(default_plan):
    names = [school.name for school in default_plan.schools]
    assert any(re.fullmatch(r"济南市历下区第[一二三四五六七八九十]+实验小学", name) for name in names)
    assert any(re.fullmatch(r"商河县第[一二三四五六七八九十]+中学", name) for name in names)
    assert any(re.fullmatch(r"章丘区.+(街道|镇)中心小学", name) for name in names)
    for school in default_plan.schools:
        if school.has_primary and not school.has_junior:
            assert school.name.endswith("小学")
        elif school.has_junior or school.has_senior:
            assert school.name.endswith(("中学", "学校"))


def test_default_plan_teachers_are_plausible(default_plan):
    teachers = default_plan.teachers
    schools = {school.code: school for school in default_plan.schools}

    assert len(teachers) == DEFAULT_TEACHER_COUNT
    assert len({teacher.staff_number for teacher in teachers}) == len(teachers)
    assert len({teacher.username for teacher in teachers}) == len(teachers)
    phones = [teacher.phone for teacher in teachers if teacher.phone]
    assert len(phones) > 0.9 * len(teachers)
    assert all(MOBILE.match(phone) for phone in phones)
    assert len(set(phones)) == len(phones)
    for teacher in teachers:
        assert teacher.stage in schools[teacher.school_code].stages
        assert teacher.subject in dict(STAGE_SUBJECTS[teacher.stage])
        assert teacher.second_subject != teacher.subject
        assert 2 <= len(teacher.real_name) <= 4
        if teacher.is_science_engineering_master:
            assert teacher.degree in (Degree.MASTER, Degree.DOCTORATE)
        assert 1985 <= teacher.teaching_since <= 2025

    primary = [teacher for teacher in teachers if teacher.stage == Stage.PRIMARY]
    assert sum(teacher.subject == Subject.SCIENCE for teacher in primary) > 0.7 * len(primary)
    surnames = Counter(teacher.real_name[0] for teacher in teachers)
    assert {surname for surname, _count in surnames.most_common(4)} == {"王", "李", "张", "刘"}
    titles = Counter(teacher.title for teacher in teachers)
    assert titles[ProfessionalTitle.FIRST_GRADE] > titles[ProfessionalTitle.SENIOR_PROFESSOR] * 20
    assert 0 < titles[ProfessionalTitle.SENIOR_PROFESSOR] < 0.02 * len(teachers)
    degrees = Counter(teacher.degree for teacher in teachers)
    assert degrees[Degree.BACHELOR] > degrees[Degree.MASTER] > degrees[Degree.DOCTORATE] > 0


def test_default_plan_gives_most_but_not_all_schools_one_science_vice_principal(default_plan):
    vice_principals = Counter(
        teacher.school_code for teacher in default_plan.teachers if teacher.is_science_vice_principal
    )

    assert max(vice_principals.values()) == 1
    assert 0.7 * 300 < len(vice_principals) < 300
    positions = [
        "is_lab_manager", "is_backbone_teacher", "is_science_tech_tutor", "is_teaching_researcher",
        "is_part_time_science_teacher",
    ]
    for position in positions:
        holders = sum(getattr(teacher, position) for teacher in default_plan.teachers)
        assert 0.01 * DEFAULT_TEACHER_COUNT < holders < 0.3 * DEFAULT_TEACHER_COUNT, position


def _teacher_years(plan, *, corrections=False):
    """{(staff number, year): [entries]} of the plan's ledger, without HR's
    adjustments and reversals unless asked for."""
    by_teacher_year = defaultdict(list)
    for credit in plan.credits:
        if corrections or (credit.reverses is None and credit.category != CreditCategory.ADJUSTMENT):
            by_teacher_year[(credit.staff_number, credit.occurred_on.year)].append(credit)
    return by_teacher_year


def test_default_plan_ledger_covers_2024_2025_and_this_year_plausibly(default_plan):
    this_year = timezone.localdate().year
    years = ledger_years(timezone.localdate())
    assert years == tuple(sorted({2024, 2025, this_year}))
    assert {credit.occurred_on.year for credit in default_plan.credits} == set(years)
    assert max(credit.occurred_on for credit in default_plan.credits) <= timezone.localdate()
    assert max(credit.credited_at for credit in default_plan.credits) <= timezone.now()
    assert len({(c.staff_number, c.number) for c in default_plan.credits}) == len(default_plan.credits)

    by_teacher_year = _teacher_years(default_plan)
    assert {len(entries) for entries in by_teacher_year.values()} == {1, 2, 3, 4, 5, 6}
    schools = {school.code: school for school in default_plan.schools}
    teachers = default_plan.teachers
    for year in (2024, 2025):
        credited = {staff_number for staff_number, credit_year in by_teacher_year if credit_year == year}
        share = len(credited) / len(teachers)
        assert 0.5 < share < 0.95, (year, share)  # most teachers, not all

        def participation(locality):
            group = [t for t in teachers if schools[t.school_code].locality == locality]
            return sum(t.staff_number in credited for t in group) / len(group)

        assert participation(Locality.RURAL) < participation(Locality.URBAN) - 0.05

    hours = defaultdict(list)
    for credit in default_plan.credits:
        if credit.reverses is None:
            hours[credit.category].append(credit.requested_hours)
    assert 1 <= min(hours[CreditCategory.ONLINE_COURSE]) and max(hours[CreditCategory.ONLINE_COURSE]) <= 8
    assert 3 <= min(hours[CreditCategory.OFFLINE_WORKSHOP]) and max(hours[CreditCategory.OFFLINE_WORKSHOP]) <= 16
    categories = Counter(credit.category for credit in default_plan.credits)
    assert categories[CreditCategory.ONLINE_COURSE] > categories[CreditCategory.OFFLINE_WORKSHOP]
    assert categories[CreditCategory.OFFLINE_WORKSHOP] > categories[CreditCategory.RESEARCH_ALONG] > 0
    assert 0 < categories[CreditCategory.EXTERNAL] < 0.15 * len(default_plan.credits)
    labels = {credit.evidence_label for credit in default_plan.credits}
    for title in ("小学科学探究式教学设计", "高中物理实验创新与数字化实验", "信息科技课程标准解读", "奥林匹克竞赛辅导专题·化学"):
        assert title in labels


def test_default_plan_caps_research_along_and_has_a_few_corrections_each_year(default_plan):
    research = defaultdict(Decimal)
    for (staff_number, year), entries in _teacher_years(default_plan).items():
        for credit in entries:
            if credit.category == CreditCategory.RESEARCH_ALONG:
                assert credit.hours + credit.capped_hours == credit.requested_hours
                research[(staff_number, year)] += credit.hours
    assert max(research.values()) == RESEARCH_ALONG_CAP
    assert any(credit.capped_hours for credit in default_plan.credits)

    numbers = {(credit.staff_number, credit.number): credit for credit in default_plan.credits}
    for year in ledger_years(timezone.localdate()):
        in_year = [credit for credit in default_plan.credits if credit.occurred_on.year == year]
        reversals = [credit for credit in in_year if credit.reverses is not None]
        adjustments = [credit for credit in in_year if credit.category == CreditCategory.ADJUSTMENT]
        assert 1 <= len(reversals) <= 0.01 * len(in_year) and 1 <= len(adjustments) <= 0.01 * len(in_year)
        for reversal in reversals:
            original = numbers[(reversal.staff_number, reversal.reverses)]
            assert (reversal.hours, reversal.person_times) == (-original.hours, -original.person_times)
            assert reversal.occurred_on == original.occurred_on and reversal.credited_at >= original.credited_at
        assert all(adjustment.reason for adjustment in adjustments)


def test_default_plan_leaves_a_few_mostly_rural_schools_without_credits_this_year(default_plan):
    this_year = timezone.localdate().year
    staff_school = {teacher.staff_number: teacher.school_code for teacher in default_plan.teachers}
    credited_schools = {staff_school[c.staff_number] for c in default_plan.credits if c.occurred_on.year == this_year}
    quiet = set(default_plan.quiet_school_codes)
    schools = {school.code: school for school in default_plan.schools}

    assert 3 <= len(quiet) <= 15
    assert not quiet & credited_schools
    assert sum(schools[code].locality == Locality.RURAL for code in quiet) > len(quiet) / 2
    # They did train in earlier years.
    assert quiet & {staff_school[c.staff_number] for c in default_plan.credits if c.occurred_on.year == 2025}


def test_the_demo_teacher_has_entries_every_year_a_capped_one_a_reversal_and_an_adjustment(default_plan):
    demo = default_plan.teachers[0]
    entries = [credit for credit in default_plan.credits if credit.staff_number == demo.staff_number]

    assert {credit.occurred_on.year for credit in entries} == set(ledger_years(timezone.localdate()))
    [capped] = [credit for credit in entries if credit.capped_hours]
    assert capped.category == CreditCategory.RESEARCH_ALONG and capped.hours + capped.capped_hours == Decimal("20")
    assert any(credit.reverses for credit in entries)
    assert any(credit.category == CreditCategory.ADJUSTMENT for credit in entries)
    # The same whatever the seed.
    other_seed = demo_academy_plan(seed=99, teacher_count=5)
    assert [c for c in other_seed.credits if c.staff_number == demo.staff_number] == entries


def test_plan_accounts_cover_every_role():
    accounts = demo_academy_plan(teacher_count=1).accounts
    roles = Counter(account.role for account in accounts)

    assert roles[Role.TRAINER] >= 10
    assert roles[Role.HR] >= 4
    assert roles[Role.DISTRICT_ADMIN] == 16  # one per district and zone, plus lixia-admin
    assert roles[Role.MENTOR] >= 20
    mentor_domains = {account.email.split("@")[1] for account in accounts if account.role == Role.MENTOR}
    assert "sdu.example" in mentor_domains
    assert len({account.email for account in accounts}) == len(accounts)


def test_the_same_seed_gives_the_same_plan_and_another_seed_another():
    first, again = demo_academy_plan(seed=7, teacher_count=500), demo_academy_plan(seed=7, teacher_count=500)
    other = demo_academy_plan(seed=8, teacher_count=500)

    assert first == again
    assert [t.real_name for t in first.teachers] != [t.real_name for t in other.teachers]
    assert [s.name for s in first.schools] != [s.name for s in other.schools]


def test_the_teacher_count_does_not_change_the_schools():
    assert demo_academy_plan(seed=7, teacher_count=10).schools == demo_academy_plan(seed=7, teacher_count=900).schools


PLAN_DIGEST = (
    "import hashlib, django; django.setup();"
    "from lms.demo.seeding import demo_academy_plan;"
    "print(hashlib.sha256(repr(demo_academy_plan(seed=7, teacher_count=300)).encode()).hexdigest())"
)


def test_the_plan_does_not_depend_on_string_hashing():
    """Iterating a set of strings would make the plan differ between
    processes (PYTHONHASHSEED); two processes must agree with this one."""
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "DJANGO_SETTINGS_MODULE": "lms.settings.test"}
        result = subprocess.run(
            [sys.executable, "-c", PLAN_DIGEST], cwd=REPO, env=env, capture_output=True, text=True, check=True
        )
        digests.add(result.stdout.strip().splitlines()[-1])
    here = hashlib.sha256(repr(demo_academy_plan(seed=7, teacher_count=300)).encode()).hexdigest()

    assert digests == {here}


# --- the database ----------------------------------------------------------------------------


@pytest.fixture
def seeded(db):
    call_command("seed_demo", teachers=TEACHERS, stdout=StringIO())


@pytest.mark.usefixtures("seeded")
def test_seed_demo_loads_districts_schools_and_teachers():
    assert District.objects.count() == 15
    assert School.objects.count() == 300
    assert TeacherProfile.objects.count() == TEACHERS
    assert not District.objects.filter(schools=None).exists()
    assert set(School.objects.values_list("locality", flat=True)) == {Locality.URBAN, Locality.RURAL}
    assert set(School.objects.values_list("has_primary", "has_junior", "has_senior")) == STAGE_COMBINATIONS

    teacher_group = Role.TEACHER.value
    assert get_user_model().objects.filter(groups__name=teacher_group).count() == TEACHERS
    generated = TeacherProfile.objects.exclude(user__username="teacher").select_related("user")
    assert all(profile.user.username == profile.staff_number for profile in generated)
    assert all(profile.user.first_name == profile.real_name for profile in generated)


@pytest.mark.usefixtures("seeded")
def test_seeded_rows_pass_model_validation():
    for profile in TeacherProfile.objects.select_related("user", "school")[::10]:
        profile.full_clean()
        profile.user.full_clean()
        assert profile.stage in profile.school.stages
    for school in School.objects.all()[::10]:
        school.full_clean()


@pytest.mark.usefixtures("seeded")
def test_demo_accounts_sign_in_with_the_demo_password(client):
    for username, role, real_name, _hint in DEMO_LOGINS:
        # Sign-in throttling needs the request on every authenticate().
        user = authenticate(HttpRequest(), username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert user.groups.filter(name=role.value).exists()
        assert user.first_name == real_name
        assert user.email == f"{username}@jinan-academy.example"
        assert not user.is_superuser
    assert client.login(request=HttpRequest(), username="academy", password=DEMO_PASSWORD)

    admin = authenticate(HttpRequest(), username=SUPERUSER_USERNAME, password=DEMO_PASSWORD)
    assert admin.is_superuser and admin.is_staff

    teacher = TeacherProfile.objects.select_related("school__district").get(user__username="teacher")
    assert teacher.school.district.code == "370102"
    assert (teacher.subject, teacher.stage) == (Subject.SCIENCE, Stage.PRIMARY)

    some_teacher = TeacherProfile.objects.exclude(user__username="teacher").first()
    assert authenticate(HttpRequest(), username=some_teacher.staff_number, password=DEMO_PASSWORD) == some_teacher.user


@pytest.mark.usefixtures("seeded")
def test_district_admins_see_only_their_district():
    User = get_user_model()
    lixia_admin = User.objects.get(username="lixia-admin")
    visible = teacher_list_for_user(lixia_admin)

    assert set(visible.values_list("school__district__code", flat=True)) == {"370102"}
    assert visible.count() == TeacherProfile.objects.filter(school__district__code="370102").count() > 0

    licheng_admin = User.objects.get(username="district-370112")
    assert set(teacher_list_for_user(licheng_admin).values_list("school__district__code", flat=True)) == {"370112"}
    assert teacher_list_for_user(User.objects.get(username="academy")).count() == TEACHERS
    assert not teacher_list_for_user(User.objects.get(username="mentor")).exists()


@pytest.mark.usefixtures("seeded")
def test_the_seeded_ledger_reconciles_and_has_entries_for_every_year():
    assert ledger_reconcile() == []
    years = ledger_years(timezone.localdate())
    per_year = Counter(TrainingCredit.objects.values_list("year", flat=True))
    assert set(per_year) == set(years)
    assert all(per_year[year] > TEACHERS for year in years)
    assert CreditCap.objects.get(category=CreditCategory.RESEARCH_ALONG).yearly_hours == RESEARCH_ALONG_CAP
    assert not TrainingCredit.objects.filter(source_key__startswith="demo:").exclude(
        source_key__regex=r"^demo:\d+:\d+$"
    ).exists()


@pytest.mark.usefixtures("seeded")
def test_seeded_entries_carry_their_teachers_place_and_reversals_point_at_their_entries():
    credits = TrainingCredit.objects.select_related("teacher__school")
    for credit in credits[::25]:
        school = credit.teacher.school
        assert (credit.school_id, credit.district_id) == (school.pk, school.district_id)
        assert credit.locality == school.locality
        assert (credit.subject, credit.stage) == (credit.teacher.subject, credit.teacher.stage)
        credit.full_clean(validate_unique=False)
    for reversal in TrainingCredit.objects.filter(reverses__isnull=False).select_related("reverses"):
        assert reversal.source_key == f"reversal:{reversal.reverses_id}"
        assert reversal.evidence == reversal.reverses
        assert (reversal.hours, reversal.year) == (-reversal.reverses.hours, reversal.reverses.year)


@pytest.mark.usefixtures("seeded")
def test_the_demo_teacher_has_a_capped_research_along_entry_and_its_yearly_total_is_the_cap():
    teacher = TeacherProfile.objects.get(user__username="teacher")
    capped = TrainingCredit.objects.get(teacher=teacher, capped_hours__gt=0)

    assert capped.category == CreditCategory.RESEARCH_ALONG
    assert (capped.year, capped.hours, capped.capped_hours) == (2025, Decimal("16"), Decimal("4"))
    tally = TeacherYearTally.objects.get(teacher=teacher, year=2025, category=CreditCategory.RESEARCH_ALONG)
    assert tally.hours == RESEARCH_ALONG_CAP
    assert set(TrainingCredit.objects.filter(teacher=teacher).values_list("year", flat=True)) == set(
        ledger_years(timezone.localdate())
    )


@pytest.mark.usefixtures("seeded")
def test_the_ledger_services_work_on_the_seeded_ledger():
    """Seeded entries are ordinary entries: HR can reverse one, and the
    tallies still agree with the ledger afterwards."""
    hr = get_user_model().objects.get(username="hr")
    entry = TrainingCredit.objects.filter(reverses__isnull=True, reversed_by__isnull=True,
                                          category=CreditCategory.ONLINE_COURSE).first()
    credit_reverse(credit=entry, reason="演示：撤销", reversed_by=hr)
    assert ledger_reconcile() == []


def test_the_database_holds_exactly_the_plan(db):
    """With the plan shown to be deterministic, this makes the seeded
    database deterministic too."""
    plan = demo_academy_plan(seed=11, teacher_count=TEACHERS)
    demo_academy_seed(seed=11, teacher_count=TEACHERS)

    fields = ["staff_number", "real_name", "school__code", "stage", "subject", "title", "degree", "phone",
              "is_science_vice_principal", "user__username"]
    in_db = list(TeacherProfile.objects.order_by("staff_number").values_list(*fields))
    planned = sorted(
        (t.staff_number, t.real_name, t.school_code, t.stage, t.subject, t.title, t.degree, t.phone,
         t.is_science_vice_principal, t.username)
        for t in plan.teachers
    )
    assert in_db == planned
    schools = list(School.objects.order_by("code").values_list("code", "name", "district__code", "locality"))
    assert schools == sorted((s.code, s.name, s.district_code, s.locality) for s in plan.schools)
    # Course completions and research-along confirmations are credited
    # through the ledger service by courses.seeding and mentors.seeding on
    # top of the plan (see their own seeding tests).
    credits = sorted(
        TrainingCredit.objects.filter(reverses__isnull=True)
        .exclude(credited_via__in=["course-completion", "research-along"])
        .values_list(
            "source_key", "category", "occurred_on", "hours", "capped_hours", "person_times", "evidence_label"
        )
    )
    assert credits == sorted(
        (c.source_key, c.category, c.occurred_on, c.hours, c.capped_hours, c.person_times, c.evidence_label)
        for c in plan.credits if c.reverses is None
    )
    assert TrainingCredit.objects.filter(reverses__isnull=False).count() == sum(
        c.reverses is not None for c in plan.credits
    )


def test_if_empty_loads_once_and_then_does_nothing(db):
    first, second = StringIO(), StringIO()
    call_command("seed_demo", teachers=50, if_empty=True, stdout=first)
    call_command("seed_demo", teachers=80, if_empty=True, stdout=second)

    assert TeacherProfile.objects.count() == 50
    assert "50" in first.getvalue() and "academy" in first.getvalue()
    assert second.getvalue().strip() == str(ALREADY_LOADED)


def test_seed_demo_refuses_a_database_that_has_data(db):
    UserFactory(username="somebody")

    with pytest.raises(CommandError, match=re.escape(str(DATABASE_NOT_EMPTY))):
        call_command("seed_demo", teachers=10, stdout=StringIO())
    assert not School.objects.exists()


def test_seed_demo_needs_at_least_one_teacher(db):
    with pytest.raises(CommandError):
        call_command("seed_demo", "--teachers", "0", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("seed_demo", teachers=0, stdout=StringIO())


def seed_and_count_queries(teacher_count):
    """Seed in a savepoint that is rolled back, so the next call starts from
    an empty database again, and with cold caches, so both pay the same."""
    ContentType.objects.clear_cache()
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        demo_academy_seed(teacher_count=teacher_count)
        transaction.set_rollback(True)
    return len(captured)


def test_seeding_is_bulk_its_queries_do_not_grow_with_teachers(db, django_assert_max_num_queries, monkeypatch):
    # The course catalogue credits a fixed number of completions through the
    # ledger, whose queries per credit vary by a few with the teacher's
    # existing entries (which differ between two academies); without them
    # the counts must be equal. courses/tests/test_seeding.py covers them.
    monkeypatch.setattr("courses.seeding.COMPLETED", 0)
    with django_assert_max_num_queries(SEED_QUERY_BUDGET):
        small = seed_and_count_queries(TEACHERS)
    with django_assert_max_num_queries(SEED_QUERY_BUDGET):
        large = seed_and_count_queries(2 * TEACHERS)

    assert small == large


def test_no_teacher_ends_a_year_of_the_plan_below_zero_hours():
    """HR's planned cuts and reversals never leave a teacher's year below
    zero, which the ledger refuses. At 20,000 teachers (seed 2026) and 50,000
    (the load's academy, seed 2024) the plan once cut hours a reversal had
    already taken back, and seeding stopped half-way."""
    from collections import defaultdict

    plan = demo_academy_plan(seed=2026, teacher_count=20000)
    totals = defaultdict(Decimal)
    for credit in plan.credits:
        totals[(credit.staff_number, credit.occurred_on.year)] += credit.hours
    assert plan.credits and not [key for key, hours in totals.items() if hours < 0]
