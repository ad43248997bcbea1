"""Every admin export, for every role: formulas neutralised, district kept.

The export URLs are discovered, not listed: every admin URL whose view is a
Wagtail spreadsheet export (ModelViewSets, snippets, reports, site history),
and every ``export=`` or ``.csv``/``.xlsx`` link our own screens render
(dashboard charts, course and research-along reports, templates). Teachers
of two districts carry formula triggers in their names; a district admin of
历下区 must never receive a row about 历城区, and no cell of any file may
start with a formula trigger.
"""

import csv
import io
import re
from decimal import Decimal
from urllib.parse import urljoin

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from openpyxl import load_workbook
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from courses.tests.factories import CoursePageFactory, EnrolmentFactory, OfflineSessionFactory
from lms.constants import CreditCategory, Role
from lms.demo.accounts import DEMO_LOGINS
from lms.exports import FORMULA_PREFIXES
from lms.ledger.services import credit_record
from lms.people.services import district_admin_assign, user_role_add
from lms.tests.factories import CohortFactory, CohortMembershipFactory, SchoolFactory, TeacherFactory, UserFactory
from lms.tests.factories import district as district_of
from mentors.tests.factories import MentorFactory, proposed_pairing

pytestmark = pytest.mark.django_db

LIXIA, LICHENG = "370102", "370112"
# Each name starts with a formula trigger; the 历城区 one is also the marker
# a 历下区 admin must never see.
LIXIA_NAME = '=HYPERLINK("http://x","y")'
LICHENG_NAME = "+历城区王老师"
LICHENG_MARK = "历城区王老师"
SCHOOL_NAME = "@SUM(1+1)实验学校"
# Credited, but in none of the trainer's courses: never in a trainer's files.
NOT_TRAINEES_NAME = "-未选课赵老师"

EXPORT_LINK_RE = re.compile(r'href="([^"]*(?:[?&](?:amp;)?export=[^"]*|\.(?:csv|xlsx)))"')


@pytest.fixture
def academy():
    hr = UserFactory(username="hr")
    user_role_add(user=hr, role=Role.HR)
    lixia = TeacherFactory(real_name=LIXIA_NAME, staff_number="LX0001",
                           school=SchoolFactory(district=district_of(LIXIA), name=SCHOOL_NAME))
    licheng = TeacherFactory(real_name=LICHENG_NAME, staff_number="LC0001",
                             school=SchoolFactory(district=district_of(LICHENG), name="-历城区实验学校"))
    outsider = TeacherFactory(real_name=NOT_TRAINEES_NAME, school=SchoolFactory(district=district_of(LIXIA)))
    credit_record(teacher=outsider, category=CreditCategory.values[0], hours=Decimal("2"),
                  source_key=f"test:{outsider.pk}", credited_by=hr)
    cohort = CohortFactory(name="-2026级学科带头人")
    course = CoursePageFactory(title="=1+2 科学课")
    OfflineSessionFactory(course=course, title="\t实验研修")
    mentor = MentorFactory()
    for number, teacher in enumerate((lixia, licheng)):
        credit_record(teacher=teacher, category=CreditCategory.values[0], hours=Decimal("3"),
                      source_key=f"test:{teacher.pk}", credited_by=hr, evidence_label="=cmd|'/C calc'!A0")
        CohortMembershipFactory(cohort=cohort, teacher=teacher, status="certified")
        EnrolmentFactory(course=course, teacher=teacher)
        proposed_pairing(teacher_profile=teacher, mentor=mentor, project_title=f"@课题{number}")
    users = {}
    for username, role, real_name, _note in DEMO_LOGINS:
        user = hr if role == Role.HR else UserFactory(username=username, first_name=real_name)
        if role == Role.DISTRICT_ADMIN:
            district_admin_assign(user=user, district=district_of(LIXIA))
        elif role != Role.HR:
            user_role_add(user=user, role=role)
        users[role] = user
    course.owner = users[Role.TRAINER]
    course.save()
    return {"users": users, "course": course}


def _admin_patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _admin_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _plain_admin_paths():
    """Admin paths without arguments, each once (an overriding pattern
    shadows Wagtail's own at the same path)."""
    paths = []
    for route in _admin_patterns(get_resolver().url_patterns):
        if route.startswith("admin/") and "<" not in route and "(" not in route and "^" not in route:
            if f"/{route}" not in paths:
                paths.append(f"/{route}")
    return paths


def own_screen_paths():
    """Our own admin screens (not Wagtail's), whose pages may link exports."""
    found = []
    for path in _plain_admin_paths():
        func = resolve(path).func
        module = getattr(getattr(func, "view_class", func), "__module__", "")
        if not module.startswith(("wagtail", "django")):
            found.append(path)
    return found


def spreadsheet_export_paths():
    """Every admin listing Wagtail can export (SpreadsheetExportMixin), as
    the path actually serves it."""
    found = []
    for path in _plain_admin_paths():
        view_class = getattr(resolve(path).func, "view_class", None)
        if view_class and issubclass(view_class, SpreadsheetExportMixin) and not path.endswith("/results/"):
            found.append(path)
    return found


def linked_export_urls(client, pages):
    """The export links our own screens render for the signed-in user."""
    urls = set()
    for page in pages:
        response = client.get(page)
        if response.status_code == 200 and not response.get("Content-Disposition"):
            links = EXPORT_LINK_RE.findall(response.content.decode())
            urls.update(urljoin(page, link.replace("&amp;", "&")) for link in links)
    return urls


def cells(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        workbook = load_workbook(io.BytesIO(content))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (cell.coordinate, cell.value)
                    yield cell.value
    else:
        for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
            yield from row


def test_every_export_of_every_role_is_formula_safe_and_scoped(client, academy):
    users, course = academy["users"], academy["course"]
    listings = spreadsheet_export_paths()
    # Wagtail's own reports and listings are among them, found by the walk.
    assert {"/admin/reports/site-history/", "/admin/teachers/", "/admin/ledger-entries/"} <= set(listings)
    pages = [*own_screen_paths(), f"/admin/course-reports/{course.pk}/"]
    # Every trigger in our data, neutralised, turns up in what the academy
    # admin downloads: the walk reached the rows, it did not pass by them.
    # The links the academy admin (every screen) and the district admin (their
    # district's dashboard) are offered; every role then tries all of them.
    urls = {f"{path}?export={fmt}" for path in listings for fmt in ("csv", "xlsx")}
    for role in (Role.ACADEMY_ADMIN, Role.DISTRICT_ADMIN):
        client.force_login(users[role])
        urls |= linked_export_urls(client, pages)
    neutralised = set()
    exported = {}
    for role, user in users.items():
        client.force_login(user)
        for url in sorted(urls):
            response = client.get(url)
            assert response.status_code < 500, url
            if response.status_code != 200 or "attachment" not in response.get("Content-Disposition", ""):
                continue
            exported.setdefault(role, set()).add(url)
            for value in cells(response):
                if not isinstance(value, str):
                    continue
                assert not value.startswith(FORMULA_PREFIXES), (role, url, value)
                if value.startswith("'"):
                    neutralised.add(value)
                if role == Role.DISTRICT_ADMIN:
                    assert LICHENG_MARK not in value, (url, value)
                if role == Role.TRAINER:
                    assert NOT_TRAINEES_NAME[1:] not in value, (url, value)
        client.logout()

    assert f"'{LIXIA_NAME}" in neutralised and f"'{LICHENG_NAME}" in neutralised
    assert f"'{SCHOOL_NAME}" in neutralised and f"'{NOT_TRAINEES_NAME}" in neutralised
    # Each staff role downloaded something; teachers and mentors nothing.
    assert {Role.ACADEMY_ADMIN, Role.HR, Role.DISTRICT_ADMIN, Role.TRAINER} <= exported.keys()
    assert not exported.keys() & {Role.TEACHER, Role.MENTOR}
    district_admin = exported[Role.DISTRICT_ADMIN]
    for path in ("/admin/reports/site-history/", "/admin/teachers/", "/admin/ledger-entries/"):
        assert f"{path}?export=csv" in district_admin
    assert any("/admin/dashboard/" in url for url in district_admin)
    assert any(f"/admin/course-reports/{course.pk}/" in url for url in exported[Role.TRAINER])


# GETs with a side effect or a deliberate error, left out of the walk.
NOT_WALKED = ("/admin/logout/", "/admin/failwhale/")


def test_no_admin_screen_shows_a_district_admin_another_district(client, academy):
    """Every admin screen without arguments (Wagtail's reports, choosers,
    searches, listings, dashboard; ours), plain and searched for the other
    district's teacher: never a 500, never that teacher."""
    client.force_login(academy["users"][Role.DISTRICT_ADMIN])
    walked = 0
    for path in _plain_admin_paths():
        if path in NOT_WALKED:
            continue
        # Searched for part of the name: a search page echoes its query.
        for query in ("", "?q=王老师"):
            response = client.get(path + query)
            assert response.status_code < 500, path + query
            if response.status_code == 200:
                walked += 1
                content = b"".join(response.streaming_content) if response.streaming else response.content
                assert LICHENG_MARK not in content.decode("utf-8", "replace"), path + query
    # The walk saw pages, not only refusals.
    assert walked > 20
