"""The admin side: the scoped pairings list, proposing, inviting mentors and
the research-along report with its exports."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from lms.constants import Role
from lms.people.services import district_admin_assign
from lms.tests.factories import SchoolFactory, UserFactory, district, user_with_role
from mentors import services
from mentors.constants import ActivityKind, PairingStatus
from mentors.models import MentorProfile, ResearchPairing

from .factories import MentorFactory, academy_admin, active_pairing, days_ago, proposed_pairing, teacher

pytestmark = pytest.mark.django_db

INDEX = "research_pairings:index"


@pytest.fixture
def city():
    lixia, licheng = district("370102"), district("370112")
    zhou = MentorFactory(real_name="周志强", institution="山东大学", capacity=1)
    sun = MentorFactory(real_name="孙海燕", institution="济南大学", subjects=["biology"], capacity=3)
    lixia_teacher = teacher(real_name="张伟", school=SchoolFactory(district=lixia))
    licheng_teacher = teacher(real_name="王芳", school=SchoolFactory(district=licheng))
    active = active_pairing(mentor=zhou, teacher_profile=lixia_teacher, project_title="量子材料")
    activity = services.pairing_activity_log(
        pairing=active, user=lixia_teacher.user, occurred_on=days_ago(1), kind=ActivityKind.LAB_SESSION,
        hours="3", description="实验室",
    )
    services.pairing_activity_confirm(activity=activity, user=zhou.user)
    waiting = proposed_pairing(mentor=sun, teacher_profile=licheng_teacher, project_title="湿地鸟类")
    admin = UserFactory(username="lixia-admin")
    district_admin_assign(user=admin, district=lixia)
    return {"active": active, "waiting": waiting, "district_admin": admin, "lixia_teacher": lixia_teacher,
            "licheng_teacher": licheng_teacher, "zhou": zhou, "sun": sun}


def test_academy_admin_lists_every_pairing(client, city):
    client.force_login(academy_admin())
    content = client.get(reverse(INDEX)).content.decode()
    assert "量子材料" in content and "湿地鸟类" in content


def test_district_admin_lists_and_opens_only_their_districts_pairings(client, city):
    client.force_login(city["district_admin"])
    content = client.get(reverse(INDEX)).content.decode()
    assert "量子材料" in content and "湿地鸟类" not in content
    assert client.get(reverse("research_pairings:inspect", args=[city["active"].pk])).status_code == 200
    assert client.get(reverse("research_pairings:inspect", args=[city["waiting"].pk])).status_code == 404


def test_mentors_and_teachers_have_no_admin(client, city):
    for user in (city["zhou"].user, city["lixia_teacher"].user):
        client.force_login(user)
        assert client.get(reverse(INDEX)).status_code == 302


def test_district_admin_proposes_for_their_own_teacher_only(client, city):
    client.force_login(city["district_admin"])
    url = reverse("research_pairings:add")
    data = {"mentor": city["sun"].pk, "project_title": "城市热岛观测", "goals": "开发地理实践课",
            "start_on": days_ago(0).isoformat(), "planned_end_on": days_ago(-120).isoformat()}
    refused = client.post(url, {**data, "teacher": city["licheng_teacher"].staff_number})
    assert refused.status_code == 200 and "teacher" in refused.context["form"].errors
    response = client.post(url, {**data, "teacher": city["lixia_teacher"].staff_number})
    assert response.status_code == 302
    pairing = ResearchPairing.objects.get(project_title="城市热岛观测")
    assert pairing.proposed_via == "district" and pairing.status == PairingStatus.PROPOSED
    assert city["lixia_teacher"].user.has_perm("mentors.view_researchpairing", pairing)


def test_academy_admin_invites_a_mentor(client, django_capture_on_commit_callbacks):
    client.force_login(academy_admin())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("research_mentors:add"), {
            "email": "li.hua@qlu.example", "real_name": "李华", "institution": "齐鲁工业大学",
            "institution_type": "university", "research_fields": "发酵工程", "subjects": ["biology", "chemistry"],
            "stages": ["senior"], "title": "教授", "capacity": "2", "availability": "每周三下午",
        })
    assert response.status_code == 302
    mentor = MentorProfile.objects.get(real_name="李华")
    assert mentor.subjects == ["biology", "chemistry"] and mentor.user.groups.filter(name=Role.MENTOR.value).exists()
    assert mail.outbox[-1].to == ["li.hua@qlu.example"]


def test_district_admin_cannot_invite_mentors(client, city):
    client.force_login(city["district_admin"])
    assert client.get(reverse("research_mentors:add")).status_code == 302


def test_report_shows_the_figures_for_the_users_scope(client, city):
    client.force_login(academy_admin())
    response = client.get(reverse("mentors_report"))
    tables = {table.key: table for table in response.context["tables"]}
    assert response.context["summary"]["total"] == 2 and response.context["summary"]["active"] == 1
    assert response.context["summary"]["hours"] == Decimal("3.00")
    institutions = {row[0]: row for row in tables["institutions"].rows}
    assert institutions["山东大学"][-1] == Decimal("3.00") and institutions["济南大学"][1] == 1
    assert [row[0] for row in tables["mentors_at_capacity"].rows] == ["周志强"]
    assert [row[0] for row in tables["waiting_teachers"].rows] == ["王芳"]
    districts = {row[0]: row for row in tables["districts"].rows}
    assert set(districts) == {"历下区", "历城区"}

    client.force_login(city["district_admin"])
    tables = {table.key: table for table in client.get(reverse("mentors_report")).context["tables"]}
    assert [row[0] for row in tables["districts"].rows] == ["历下区"]
    assert tables["waiting_teachers"].rows == []


def test_report_exports_csv_and_xlsx(client, city):
    client.force_login(academy_admin())
    url = reverse("mentors_report")
    response = client.get(url, {"export": "csv", "table": "institutions"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Institution" and {row[0] for row in rows[1:]} == {"山东大学", "济南大学"}
    response = client.get(url, {"export": "xlsx", "table": "waiting_teachers"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]][0] == "王芳"
    assert client.get(url, {"export": "pdf", "table": "institutions"}).status_code == 404
    assert client.get(url, {"export": "csv", "table": "nope"}).status_code == 404


def test_report_is_refused_to_teachers_mentors_and_hr(client, city):
    for user in (city["zhou"].user, city["lixia_teacher"].user, user_with_role(Role.HR)):
        client.force_login(user)
        assert client.get(reverse("mentors_report")).status_code in (302, 403)


def admin_list_queries(client, size):
    for _ in range(size):
        active_pairing(mentor=MentorFactory(capacity=1))
    client.get(reverse(INDEX))  # warm the per-site settings and caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(INDEX))
    assert response.status_code == 200
    assert response.content.decode().count("黄河水质微生物监测") >= size
    return len(captured)


def test_admin_pairing_list_query_count_is_flat(client, django_assert_max_num_queries):
    client.force_login(academy_admin())
    small = admin_list_queries(client, 2)
    large = admin_list_queries(client, 10)
    assert small == large
    assert small <= 30


def test_admin_edit_and_inspect_pages_open(client, city):
    client.force_login(academy_admin())
    pairing, mentor = city["active"], city["zhou"]
    for url in (
        reverse("research_pairings:inspect", args=[pairing.pk]),
        reverse("research_pairings:edit", args=[pairing.pk]),
        reverse("research_pairings:add"),
        reverse("research_mentors:index"),
        reverse("research_mentors:edit", args=[mentor.pk]),
        reverse("research_mentors:inspect", args=[mentor.pk]),
        reverse("research_mentors:add"),
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(reverse("research_mentors:edit", args=[mentor.pk]), {
        "real_name": mentor.real_name, "institution": mentor.institution, "institution_type": "university",
        "research_fields": "凝聚态物理", "subjects": ["physics"], "stages": [], "capacity": "4",
        "availability": "", "is_accepting": "on",
    })
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.capacity == 4 and mentor.subjects == ["physics"] and mentor.stages == []


def test_the_lists_name_every_column_and_answer_yes_or_no_in_chinese(client, city):
    client.force_login(academy_admin())
    client.cookies["django_language"] = "zh-hans"  # the site's own language
    pages = {name: client.get(reverse(f"{name}:index")).content.decode()
             for name in ("research_pairings", "research_mentors")}
    headers = {name: [" ".join(re.sub(r"<[^>]+>", "", th).split()) for th in re.findall(r"<th\b[^>]*>(.*?)</th>", page, re.S)]
               for name, page in pages.items()}
    assert "状态" in headers["research_pairings"]
    assert "单位类型" in headers["research_mentors"] and "接收教师" in headers["research_mentors"]
    assert "method" not in headers["research_pairings"] + headers["research_mentors"]
    cells = [" ".join(re.sub(r"<[^>]+>", "", td).split()) for td in re.findall(r"<td\b[^>]*>(.*?)</td>", pages["research_mentors"], re.S)]
    assert "是" in cells and "True" not in cells


def test_the_city_dashboard_shows_research_along(client, city):
    client.force_login(academy_admin())
    content = client.get(reverse("lms_dashboard")).content.decode()
    assert 'id="research-along-title"' in content and reverse("mentors_report") in content


def test_the_dashboard_for_hr_has_no_research_along_section(client, city):
    client.force_login(user_with_role(Role.HR))
    response = client.get(reverse("lms_dashboard"))
    assert response.status_code == 200 and 'id="research-along-title"' not in response.content.decode()


def test_pairings_are_never_deleted(client, city):
    client.force_login(academy_admin())
    pairing = city["active"]
    assert client.post(reverse("research_pairings:delete", args=[pairing.pk])).status_code == 302
    assert ResearchPairing.objects.filter(pk=pairing.pk).exists()
    edit_page = client.get(reverse("research_pairings:edit", args=[pairing.pk])).content.decode()
    assert reverse("research_pairings:delete", args=[pairing.pk]) not in edit_page
