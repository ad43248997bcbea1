"""The city and district dashboards, and the ledger listing they drill into."""

import csv
import datetime
import io
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.db.models import Sum
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from openpyxl import load_workbook

from lms.constants import CreditCategory, Locality, Role, Stage, Subject, TargetMetric
from lms.dashboards.charts import bar_chart, line_chart, nice_ceiling
from lms.dashboards.selectors import (
    DistrictNotInScope,
    TargetStatus,
    dashboard_get,
    target_expected_on,
)
from lms.ledger.services import credit_record, credit_reverse
from lms.models import Target, TrainingCredit
from lms.people.services import district_admin_assign, user_role_add
from lms.tests.factories import SchoolFactory, TeacherFactory, UserFactory, district

pytestmark = pytest.mark.django_db

DASHBOARD = "lms_dashboard"
LEDGER = "ledger_entries:index"


def credit(teacher, key, hours="2", day=datetime.date(2025, 3, 14), category=CreditCategory.ONLINE_COURSE, **kwargs):
    return credit_record(
        teacher=teacher, category=category, hours=hours, source_key=key, occurred_on=day, **kwargs
    ).credit


@pytest.fixture
def academy():
    """Two Lixia schools (one urban, one rural) and one Licheng school."""
    lixia, licheng = district("370102"), district("370112")
    schools = {
        "lixia_urban": SchoolFactory(district=lixia, name="历下区第一实验小学", code="LX-01", locality=Locality.URBAN),
        "lixia_rural": SchoolFactory(
            district=lixia, name="历下区彩石小学", code="LX-02", locality=Locality.RURAL, has_junior=True
        ),
        "licheng": SchoolFactory(
            district=licheng, name="历城区第二中学", code="LC-01", has_primary=False, has_senior=True
        ),
    }
    teachers = {
        "physics": TeacherFactory(
            school=schools["lixia_urban"], real_name="张小伟", subject=Subject.PHYSICS, stage=Stage.JUNIOR
        ),
        "science": TeacherFactory(
            school=schools["lixia_urban"], real_name="李娜", subject=Subject.SCIENCE, stage=Stage.PRIMARY
        ),
        "rural": TeacherFactory(
            school=schools["lixia_rural"], real_name="刘洋", subject=Subject.SCIENCE, stage=Stage.PRIMARY
        ),
        "licheng": TeacherFactory(
            school=schools["licheng"], real_name="王大明", subject=Subject.CHEMISTRY, stage=Stage.SENIOR
        ),
    }
    return {"lixia": lixia, "licheng": licheng, "schools": schools, "teachers": teachers}


def login(client, role, district_code=None, language="en"):
    user = UserFactory(username=f"{role.name.lower()}-{district_code or 'city'}")
    if role == Role.DISTRICT_ADMIN:
        district_admin_assign(user=user, district=district(district_code))
    else:
        user_role_add(user=user, role=role)
    client.force_login(user)
    client.cookies["django_language"] = language
    return user


def city_admin():
    user = UserFactory(username="academy-admin")
    user_role_add(user=user, role=Role.ACADEMY_ADMIN)
    return user


def lixia_admin():
    user = UserFactory(username="lixia-admin")
    district_admin_assign(user=user, district=district("370102"))
    return user


def ledger_sum(**filters):
    totals = TrainingCredit.objects.filter(**filters).aggregate(p=Sum("person_times"), h=Sum("hours"))
    return totals["p"] or 0, totals["h"] or Decimal("0")


def figure(dashboard, breakdown, key):
    return next(f for f in dashboard.breakdowns[breakdown].figures if f.key == key)


def csv_rows(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def listing_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------


def test_every_breakdown_equals_the_ledger(academy):
    t = academy["teachers"]
    credit(t["physics"], "c1", hours="2.5")
    credit(t["physics"], "c2", hours="4", category=CreditCategory.OFFLINE_WORKSHOP, day=datetime.date(2025, 5, 2))
    credit(t["science"], "c3", hours="1.25", day=datetime.date(2025, 5, 20))
    credit(t["rural"], "c4", hours="3")
    credit(t["licheng"], "c5", hours="6", category=CreditCategory.RESEARCH_ALONG, day=datetime.date(2025, 11, 1))
    wrong = credit(t["licheng"], "c6", hours="9")
    credit_reverse(credit=wrong, reason="录入错误", reversed_by=None)
    credit(t["physics"], "other-year", hours="50", day=datetime.date(2024, 3, 1))

    dashboard = dashboard_get(user=city_admin(), year=2025, today=datetime.date(2025, 11, 30))

    assert (dashboard.total.person_times, dashboard.total.hours) == ledger_sum(year=2025) == (5, Decimal("16.75"))
    physics = figure(dashboard, "subject", Subject.PHYSICS)
    assert (physics.person_times, physics.hours) == ledger_sum(year=2025, subject=Subject.PHYSICS) == (2, Decimal("6.50"))
    assert figure(dashboard, "subject", Subject.GEOGRAPHY).person_times == 0
    for subject in Subject.values:
        shown = figure(dashboard, "subject", subject)
        assert (shown.person_times, shown.hours) == ledger_sum(year=2025, subject=subject)
    lixia = figure(dashboard, "district", str(academy["lixia"].pk))
    assert (lixia.label, lixia.person_times, lixia.hours) == ("历下区", 4, Decimal("10.75"))
    licheng = figure(dashboard, "district", str(academy["licheng"].pk))
    assert (licheng.person_times, licheng.hours, licheng.entries) == (1, Decimal("6.00"), 3)
    may = figure(dashboard, "month", "05")
    assert (may.person_times, may.hours) == (2, Decimal("5.25"))
    assert figure(dashboard, "locality", Locality.RURAL).hours == Decimal("3.00")
    assert figure(dashboard, "category", CreditCategory.RESEARCH_ALONG).person_times == 1
    assert figure(dashboard, "stage", Stage.PRIMARY).person_times == 2
    assert dashboard.years == [2025, 2024]


def test_district_dashboard_breaks_down_by_school(academy):
    t = academy["teachers"]
    credit(t["physics"], "c1", hours="2")
    credit(t["science"], "c2", hours="3")
    credit(t["rural"], "c3", hours="1")
    credit(t["licheng"], "c4", hours="7")

    dashboard = dashboard_get(user=lixia_admin(), year=2025)

    assert dashboard.district == academy["lixia"] and "district" not in dashboard.breakdowns
    schools = dashboard.breakdowns["school"].figures
    assert [(f.label, f.person_times, f.hours) for f in schools] == [
        ("历下区第一实验小学", 2, Decimal("5.00")),
        ("历下区彩石小学", 1, Decimal("1.00")),
    ]
    assert (dashboard.total.person_times, dashboard.total.hours) == (3, Decimal("6.00"))
    assert figure(dashboard, "subject", Subject.CHEMISTRY).person_times == 0
    assert schools[0].filters == {"year": 2025, "district": academy["lixia"].pk, "school": academy["schools"]["lixia_urban"].pk}


def test_schools_without_a_trained_teacher(academy):
    t = academy["teachers"]
    credit(t["physics"], "c1")
    reversed_away = credit(t["licheng"], "c2")
    credit_reverse(credit=reversed_away, reason="未完成", reversed_by=None)
    credit(t["rural"], "last-year", day=datetime.date(2024, 6, 1))
    other = SchoolFactory(district=district("370103"), name="市中区育英小学", code="SZ-01")

    city = dashboard_get(user=city_admin(), year=2025)
    untrained = [(s.district, s.name) for s in city.schools_without_training]
    assert untrained == [("历下区", "历下区彩石小学"), ("市中区", other.name), ("历城区", "历城区第二中学")]
    assert city.school_count == 4

    lixia = dashboard_get(user=lixia_admin(), year=2025)
    assert [s.name for s in lixia.schools_without_training] == ["历下区彩石小学"]
    assert lixia.school_count == 2


# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------


def test_trajectory_is_a_straight_line_from_start_to_deadline():
    target = Target(
        value=Decimal("100000"), start=datetime.date(2024, 1, 1), deadline=datetime.date(2026, 12, 31),
        metric=TargetMetric.PERSON_TIMES,
    )
    duration = (target.deadline - target.start).days  # 1095 days
    assert target_expected_on(target, datetime.date(2023, 6, 1)) == 0
    assert target_expected_on(target, target.start) == 0
    midway = datetime.date(2025, 7, 2)
    assert target_expected_on(target, midway) == Decimal(100000) * (midway - target.start).days / duration
    assert round(target_expected_on(target, midway)) == 50046
    assert target_expected_on(target, target.deadline) == 100000
    assert target_expected_on(target, datetime.date(2027, 3, 1)) == 100000


def test_person_times_target_counts_whole_months_from_start_to_today(academy):
    t = academy["teachers"]
    credit(t["physics"], "before-start", day=datetime.date(2023, 12, 31))
    credit(t["physics"], "a", day=datetime.date(2024, 2, 1))
    credit(t["science"], "b", day=datetime.date(2025, 1, 10))
    credit(t["licheng"], "c", day=datetime.date(2025, 6, 30))
    credit(t["rural"], "after-today", day=datetime.date(2025, 7, 1))
    today = datetime.date(2025, 6, 30)

    dashboard = dashboard_get(user=city_admin(), year=2025, today=today)
    person_times = next(p for p in dashboard.targets if p.target.metric == TargetMetric.PERSON_TIMES)

    assert person_times.current == 3
    assert person_times.value == 100000
    assert person_times.expected == target_expected_on(person_times.target, today)
    assert person_times.status == TargetStatus.BEHIND
    assert person_times.filters == {"occurred_on_from": "2024-01-01", "occurred_on_to": "2025-06-30"}

    # The district sees its contribution to the city's target.
    lixia = dashboard_get(user=lixia_admin(), year=2025, today=today)
    share = next(p for p in lixia.targets if p.target.metric == TargetMetric.PERSON_TIMES)
    assert (share.current, share.status) == (2, TargetStatus.SHARE)
    assert share.filters["district"] == academy["lixia"].pk


def test_a_district_target_starting_mid_month_is_counted_by_whole_months(academy):
    t = academy["teachers"]
    Target.objects.create(
        name="历下区学时", metric=TargetMetric.HOURS, district=academy["lixia"], value=Decimal("10"),
        start=datetime.date(2025, 3, 20), deadline=datetime.date(2025, 12, 31),
    )
    credit(t["physics"], "feb", hours="5", day=datetime.date(2025, 2, 28))
    credit(t["physics"], "mar", hours="4", day=datetime.date(2025, 3, 2))
    credit(t["science"], "apr", hours="7", day=datetime.date(2025, 4, 2))
    credit(t["licheng"], "elsewhere", hours="8", day=datetime.date(2025, 4, 2))

    lixia = dashboard_get(user=lixia_admin(), year=2025, today=datetime.date(2025, 4, 30))
    hours = next(p for p in lixia.targets if p.target.metric == TargetMetric.HOURS)
    assert hours.current == Decimal("11.00")
    assert hours.status == TargetStatus.ACHIEVED
    assert "2025-03-01" in hours.note
    # The city dashboard shows only city-wide targets.
    city = dashboard_get(user=city_admin(), year=2025, today=datetime.date(2025, 4, 30))
    assert TargetMetric.HOURS not in [p.target.metric for p in city.targets]


def test_school_coverage_targets_and_cohort_counts(academy):
    t = academy["teachers"]
    t["physics"].is_science_vice_principal = True
    t["physics"].save()
    # A science/engineering master's teaching primary science covers a
    # primary school; one teaching junior physics does not.
    t["science"].degree, t["science"].is_science_engineering_master = "master", True
    t["science"].save()
    TeacherFactory(school=academy["schools"]["lixia_rural"], subject=Subject.PHYSICS, stage=Stage.JUNIOR,
                   degree="master", is_science_engineering_master=True)

    today = datetime.date(2025, 6, 30)
    with translation.override("en"):
        targets = dashboard_get(user=city_admin(), year=2025, today=today).targets
    by_metric = {p.target.metric: p for p in targets}
    vice_principals = by_metric[TargetMetric.SCHOOLS_WITH_SCIENCE_VICE_PRINCIPAL]
    assert round(vice_principals.current, 2) == Decimal("33.33")  # 1 of 3 schools
    # Its deadline (end of 2024) has passed, so it should stand at 100%.
    assert (vice_principals.expected, vice_principals.status) == (100, TargetStatus.BEHIND)
    masters = by_metric[TargetMetric.PRIMARY_SCHOOLS_WITH_SCIENCE_MASTER]
    assert masters.current == 50  # 1 of the 2 primary schools
    assert "1 of 2" in masters.note

    # Cohort targets count certified members (lms/tests/test_cohorts_admin.py
    # covers members being certified); none are yet.
    cohorts = [p for p in targets if p.target.metric == TargetMetric.COHORT_MEMBERS]
    assert len(cohorts) == 2
    assert all(p.current == 0 and p.status == TargetStatus.BEHIND for p in cohorts)
    assert [p.note for p in cohorts] == ["Subject leaders certified: 0 / 100", "Olympiad coaches certified: 0 / 100"]

    lixia = {p.target.metric: p for p in dashboard_get(user=lixia_admin(), year=2025, today=today).targets}
    assert lixia[TargetMetric.SCHOOLS_WITH_SCIENCE_VICE_PRINCIPAL].current == 50  # 1 of its 2 schools
    assert lixia[TargetMetric.PRIMARY_SCHOOLS_WITH_SCIENCE_MASTER].current == 50


# --------------------------------------------------------------------------
# The page, scope and drill-down
# --------------------------------------------------------------------------


def test_city_page_shows_figures_charts_and_tables(client, academy):
    t = academy["teachers"]
    credit(t["physics"], "c1", hours="2.5")
    credit(t["licheng"], "c2", hours="123.4")
    login(client, Role.ACADEMY_ADMIN)

    page = client.get(reverse(DASHBOARD), {"year": 2025}).content.decode()

    assert "Progress toward the plan" in page
    assert "By district" in page and "By subject" in page and "By month" in page
    assert page.count('role="img"') >= 7
    assert re.search(r"<svg[^>]*role=\"img\"[^>]*>\s*<title[^>]*>By subject</title>\s*<desc", page)
    assert "Subject leaders certified: 0 / 100" in page
    assert "历下区" in page and "历城区" in page
    assert "Physics" in page and "Chemistry" in page


def test_page_shows_chinese_when_chosen(client, academy):
    credit(academy["teachers"]["physics"], "c1", hours="2.5")
    login(client, Role.ACADEMY_ADMIN, language="zh-hans")
    page = client.get(reverse(DASHBOARD), {"year": 2025}).content.decode()
    assert '<html lang="zh' in page
    assert "历下区" in page and "物理" in page and "科学教育教师素养培训 10 万人次" in page


def test_english_page_figures(client, academy):
    t = academy["teachers"]
    credit(t["physics"], "c1", hours="2.5")
    credit(t["physics"], "c2", hours="1.5", day=datetime.date(2025, 4, 1))
    login(client, Role.HR)
    page = client.get(reverse(DASHBOARD), {"year": 2025}).content.decode()
    assert "2 person-times · 4 h" in page  # the physics bar's label
    assert "Schools with no trained teacher" in page


def test_drill_down_links_list_exactly_the_entries_behind_a_figure(client, academy):
    t = academy["teachers"]
    credit(t["physics"], "p1", hours="2", evidence_label="力学实验课")
    credit(t["physics"], "p2", hours="3", day=datetime.date(2025, 9, 9), evidence_label="电学工作坊")
    credit(t["science"], "s1", hours="4", evidence_label="科学探究课")
    credit(t["physics"], "p-2024", hours="4", day=datetime.date(2024, 9, 9), evidence_label="往年课程")
    login(client, Role.ACADEMY_ADMIN)

    page = client.get(reverse(DASHBOARD), {"year": 2025}).content.decode()
    links = re.findall(r'href="(/admin/ledger-entries/\?[^"]*subject=physics[^"]*)"', page)
    assert links, "the physics figure links to the ledger"
    link = links[0].replace("&amp;", "&")
    assert parse_qs(urlparse(link).query) == {"year": ["2025"], "subject": ["physics"]}

    listing = client.get(link).content.decode()
    assert "力学实验课" in listing and "电学工作坊" in listing
    assert "科学探究课" not in listing and "往年课程" not in listing

    september = client.get(reverse(LEDGER), {"year": 2025, "month": 9}).content.decode()
    assert "电学工作坊" in september and "力学实验课" not in september


def test_district_admin_sees_only_their_district(client, academy):
    t = academy["teachers"]
    credit(t["physics"], "lx", hours="2.5", evidence_label="历下区的课程")
    credit(t["licheng"], "lc", hours="7.75", evidence_label="历城区的课程")
    login(client, Role.DISTRICT_ADMIN, "370102")

    page = client.get(reverse(DASHBOARD), {"year": 2025}).content.decode()
    assert "历下区第一实验小学" in page
    assert "历城区" not in page and "历城区第二中学" not in page
    assert "7.75" not in page and "Chemistry" in page  # a zero row, not Licheng's figure
    assert 'name="district"' not in page, "no district selector for a single district"

    assert client.get(reverse(DASHBOARD), {"district": "370112"}).status_code == 404
    assert client.get(reverse(DASHBOARD), {"district": "999999"}).status_code == 404
    response = client.get(reverse(DASHBOARD), {"district": "370112", "export": "csv", "chart": "subject"})
    assert response.status_code == 404
    assert client.get(reverse(DASHBOARD), {"district": "370102"}).status_code == 200


def test_district_admin_cannot_list_open_or_export_other_districts_entries(client, academy):
    t = academy["teachers"]
    own = credit(t["physics"], "lx", evidence_label="历下区的课程")
    other = credit(t["licheng"], "lc", evidence_label="历城区的课程")
    login(client, Role.DISTRICT_ADMIN, "370102")

    listing = client.get(reverse(LEDGER)).content.decode()
    assert "历下区的课程" in listing and "历城区的课程" not in listing
    asked = client.get(reverse(LEDGER), {"district": academy["licheng"].pk}).content.decode()
    assert "历城区的课程" not in asked
    asked = client.get(reverse(LEDGER), {"school": academy["schools"]["licheng"].pk}).content.decode()
    assert "历城区的课程" not in asked

    rows = listing_rows(client.get(reverse(LEDGER), {"export": "csv"}))
    assert [row[9] for row in rows[1:]] == ["历下区的课程"]
    xlsx = client.get(reverse(LEDGER), {"export": "xlsx", "district": academy["licheng"].pk})
    cells = [c.value for row in load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.iter_rows() for c in row]
    assert "历城区的课程" not in cells

    assert client.get(reverse("ledger_entries:inspect", args=[own.pk])).status_code == 200
    assert client.get(reverse("ledger_entries:inspect", args=[other.pk])).status_code == 404


def test_the_ledger_listing_is_read_only(client, academy):
    entry = credit(academy["teachers"]["physics"], "lx", evidence_label="历下区的课程")
    login(client, Role.ACADEMY_ADMIN)  # holds every lms permission, add and delete included
    for name in ("add", "edit", "delete", "copy", "history"):
        with pytest.raises(NoReverseMatch):
            reverse(f"ledger_entries:{name}", args=[] if name == "add" else [entry.pk])
    listing = client.get(reverse(LEDGER)).content.decode()
    inspect = client.get(reverse("ledger_entries:inspect", args=[entry.pk])).content.decode()
    for page in (listing, inspect):
        assert "/edit/" not in page and "/delete/" not in page and "/new/" not in page
    assert "历下区的课程" in inspect


def test_chart_exports_carry_the_figures_with_formulas_neutralised(client, academy):
    hostile = SchoolFactory(district=district("370102"), name='=HYPERLINK("http://evil","点我")', code="LX-99")
    teacher = TeacherFactory(school=hostile, subject=Subject.BIOLOGY, stage=Stage.JUNIOR)
    credit(teacher, "h1", hours="3.5")
    credit(academy["teachers"]["physics"], "p1", hours="2")
    login(client, Role.DISTRICT_ADMIN, "370102")

    rows = csv_rows(client.get(reverse(DASHBOARD), {"year": 2025, "export": "csv", "chart": "school"}))
    assert rows[0] == ["By school", "Person-times", "Hours", "Ledger entries"]
    assert ["'=HYPERLINK(\"http://evil\",\"点我\")", "1", "3.50", "1"] in rows
    assert ["历下区第一实验小学", "1", "2.00", "1"] in rows
    assert rows[-1] == ["Total", "2", "5.50", "2"]

    subjects = csv_rows(client.get(reverse(DASHBOARD), {"year": 2025, "export": "csv", "chart": "subject"}))
    assert ["Biology", "1", "3.50", "1"] in subjects

    xlsx = client.get(reverse(DASHBOARD), {"year": 2025, "export": "xlsx", "chart": "school"})
    cells = [c.value for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://evil\",\"点我\")" in cells
    assert not any(isinstance(value, str) and value.startswith("=") for value in cells)

    untrained = csv_rows(client.get(reverse(DASHBOARD), {"year": 2025, "export": "csv", "chart": "untrained"}))
    assert [row[2] for row in untrained[1:]] == ["历下区彩石小学"]
    targets = csv_rows(client.get(reverse(DASHBOARD), {"year": 2025, "export": "csv", "chart": "targets"}))
    assert any(row[0] == "科学教育教师素养培训 10 万人次" and row[2] == "2" for row in targets)
    assert client.get(reverse(DASHBOARD), {"export": "csv", "chart": "nonsense"}).status_code == 404


def test_ledger_export_neutralises_formulas(client, academy):
    credit(academy["teachers"]["physics"], "x", evidence_label="=1+2")
    login(client, Role.HR)
    rows = listing_rows(client.get(reverse(LEDGER), {"export": "csv"}))
    assert rows[1][9] == "'=1+2"


def test_who_sees_the_dashboard(client, academy):
    login(client, Role.TRAINER)
    assert client.get(reverse(DASHBOARD)).status_code == 403
    assert client.get(reverse(LEDGER)).status_code == 302  # Wagtail's refusal: back to the admin home
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(DASHBOARD) not in home

    for role, code in ((Role.HR, None), (Role.DISTRICT_ADMIN, "370112")):
        client.logout()
        login(client, role, code)
        assert reverse(DASHBOARD) in client.get(reverse("wagtailadmin_home")).content.decode()
        assert client.get(reverse(DASHBOARD)).status_code == 200


def test_a_city_viewer_picks_a_district(client, academy):
    credit(academy["teachers"]["licheng"], "lc", hours="7.75")
    credit(academy["teachers"]["physics"], "lx", hours="2")
    login(client, Role.HR)
    page = client.get(reverse(DASHBOARD), {"year": 2025, "district": "370112"}).content.decode()
    assert "历城区第二中学" in page and "历下区第一实验小学" not in page
    assert '<option value="370112" selected>' in page


def test_an_unknown_district_for_a_district_admin_is_a_scope_error(academy):
    with pytest.raises(DistrictNotInScope):
        dashboard_get(user=lixia_admin(), year=2025, district="370112")


# --------------------------------------------------------------------------
# Cost: the same number of queries whatever the size of the ledger
# --------------------------------------------------------------------------


def _spread_credits(count):
    """``count`` credits across three districts, several schools, subjects,
    stages, categories and months."""
    schools = [
        SchoolFactory(district=district(code), locality=locality)
        for code in ("370102", "370112", "370103")
        for locality in (Locality.URBAN, Locality.RURAL)
    ]
    subjects = [Subject.SCIENCE, Subject.PHYSICS, Subject.CHEMISTRY, Subject.BIOLOGY]
    teachers = [
        TeacherFactory(school=school, subject=subjects[i % 4], stage=[Stage.PRIMARY, Stage.JUNIOR][i % 2])
        for i, school in enumerate(schools * 2)
    ]
    categories = [CreditCategory.ONLINE_COURSE, CreditCategory.OFFLINE_WORKSHOP, CreditCategory.RESEARCH_ALONG]
    for n in range(count):
        credit(
            teachers[n % len(teachers)], f"spread:{n}", hours="1.5", category=categories[n % 3],
            day=datetime.date(2025, n % 12 + 1, 10),
        )


# The dashboard's own reads: the scope's districts, the scope's yearly and
# monthly tallies, the chosen year's breakdown tallies, the schools in scope
# and the targets; with cohort targets, the certified members by cohort kind.
DASHBOARD_QUERIES = 6
# The whole request once caches are warm: those six, plus the session, the
# user, their permissions and profile, and Wagtail's admin furniture (site,
# locales, page and collection permissions; the branding comes from the
# cache; a district admin's
# menu also checks site permissions). Academy admins hold page permissions
# on the course catalogue, so their Pages menu looks up its root page. Two
# more for the research-along section the mentors app adds (its pairings
# and its credited hours), and one for the cohort targets' certified counts.
CITY_QUERIES = 14 + 2 + 1
DISTRICT_QUERIES = 14 + 2 + 1


@pytest.mark.parametrize("count", [20, 400])
def test_the_selector_reads_six_queries_at_any_size(django_assert_num_queries, count):
    _spread_credits(count)
    for user in (city_admin(), lixia_admin()):
        # Warm the user's permission cache and the process's content types,
        # as every request after the first finds them.
        dashboard_get(user=user, year=2025)
        with django_assert_num_queries(DASHBOARD_QUERIES):
            dashboard = dashboard_get(user=user, year=2025)
        assert dashboard.total.person_times > 0


def _steady_get(client, params):
    # The first admin request of a test creates per-site settings and fills
    # process-wide caches (content types); what is pinned is every later one.
    client.get(reverse(DASHBOARD), params)
    return reverse(DASHBOARD), params


@pytest.mark.parametrize("count", [20, 400])
def test_city_dashboard_costs_the_same_queries_at_any_size(client, django_assert_num_queries, count):
    _spread_credits(count)
    login(client, Role.ACADEMY_ADMIN)
    url, params = _steady_get(client, {"year": 2025})
    with django_assert_num_queries(CITY_QUERIES):
        response = client.get(url, params)
    assert response.status_code == 200
    # The person-times total, as a link to the ledger.
    assert f">{count:,}</a>" in response.content.decode()


@pytest.mark.parametrize("count", [20, 400])
def test_district_dashboard_costs_the_same_queries_at_any_size(client, django_assert_num_queries, count):
    _spread_credits(count)
    login(client, Role.DISTRICT_ADMIN, "370102")
    url, params = _steady_get(client, {"year": 2025})
    with django_assert_num_queries(DISTRICT_QUERIES):
        response = client.get(url, params)
    assert response.status_code == 200
    lixia_person_times = TrainingCredit.objects.filter(district=district("370102")).count()
    assert f">{lixia_person_times:,}</a>" in response.content.decode()


# --------------------------------------------------------------------------
# Chart geometry
# --------------------------------------------------------------------------


def test_axis_tops_are_round_numbers():
    tops = [nice_ceiling(v) for v in (0, 3, 7, 12, 99, 101, 1094.5, 2500, 50001)]
    assert tops == [5, 5, 10, 15, 100, 150, 1500, 2500, 60000]
    assert all(top % 5 == 0 for top in tops), "five whole-number steps"


def test_bars_are_proportional_and_never_hide_a_small_figure():
    from lms.dashboards.selectors import Figure

    figures = [
        Figure("a", "甲", 1000, Decimal("10"), 1, {}),
        Figure("b", "乙", 500, Decimal("5"), 1, {}),
        Figure("c", "丙", 1, Decimal("1"), 1, {}),
        Figure("d", "丁", 0, Decimal("0"), 0, {}),
    ]
    chart = bar_chart(figures, url_for=lambda filters: "/x")
    widths = [row.width for row in chart["rows"]]
    assert widths[1] == pytest.approx(widths[0] / 2, abs=0.1)
    assert widths[2] == 2 and widths[3] == 0
    assert chart["height"] == 4 * 26

    with translation.override("en"):
        line = line_chart(figures, url_for=lambda filters: "/x", last_index=1)
    assert len(line["points"]) == 2, "the line stops at the current month"
    assert line["ticks"][-1]["label"] == "1,500", "a tenth of headroom above the highest point"


def test_credit_log_entries_link_to_the_entry_and_crediting_indexes_nothing(client, academy):
    from wagtail.models import ReferenceIndex

    reverse(LEDGER)  # loads the admin's URLs, which registers the viewsets
    # Registered for indexing, each credit would queue a reference-index task.
    assert not ReferenceIndex.is_indexed(TrainingCredit)
    entry = credit(academy["teachers"]["physics"], "logged", credited_by=None)
    login(client, Role.ACADEMY_ADMIN)  # may "change" entries, so Wagtail looks for an edit link
    history = client.get(reverse("wagtailadmin_reports:site_history"))
    assert history.status_code == 200
    assert reverse("ledger_entries:inspect", args=[entry.pk]) in history.content.decode()
