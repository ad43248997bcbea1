"""The cohort admin screens: set-up, roster with progress and bulk actions,
nomination, the assessment import, the talent registry and its export."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from certificates.constants import CertificateKind
from certificates.models import Certificate
from certificates.tests.factories import CertificateTemplateFactory
from lms.cohorts.admin_setup import ROWS_ALTERED
from lms.constants import MembershipStatus, Role
from lms.models import AssessmentResult, Cohort, CohortMembership
from lms.people.services import district_admin_assign, user_role_add
from lms.tests.factories import (
    CohortAssessmentFactory,
    CohortFactory,
    CohortHoursRequirementFactory,
    CohortMembershipFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    district,
)

pytestmark = pytest.mark.django_db
S = MembershipStatus


def login_as(client, role, district_code=None):
    user = UserFactory(username=f"{role.name.lower()}-user")
    if role == Role.DISTRICT_ADMIN:
        district_admin_assign(user=user, district=district(district_code))
    else:
        user_role_add(user=user, role=role)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


@pytest.fixture
def people():
    return {
        "lixia": TeacherFactory(school=SchoolFactory(district=district("370102"), name="历下区第一实验小学"),
                                real_name="张小伟", staff_number="LX0001"),
        "licheng": TeacherFactory(school=SchoolFactory(district=district("370112"), name="历城区第二中学"),
                                  real_name="王大明", staff_number="LC0001"),
    }


@pytest.fixture
def cohort(people):
    cohort = CohortFactory(name="2026级学科带头人")
    CohortHoursRequirementFactory(cohort=cohort, hours=40)
    CohortAssessmentFactory(cohort=cohort, name="专业能力考核")
    return cohort


def test_hr_creates_an_olympiad_cohort_with_requirements(client):
    login_as(client, Role.HR)
    data = {
        "name": "奥赛教练·化学", "kind": "olympiad_coach", "olympiad_subject": "", "intake_year": "2026",
        "capacity": "20", "period_start": "2026-01-01", "period_end": "2026-12-31",
        "eligible_stages": ["senior"], "min_years_of_service": "5",
        "hours_requirements-TOTAL_FORMS": "1", "hours_requirements-INITIAL_FORMS": "0",
        "hours_requirements-MIN_NUM_FORMS": "0", "hours_requirements-MAX_NUM_FORMS": "1000",
        "hours_requirements-0-category": "", "hours_requirements-0-hours": "60", "hours_requirements-0-ORDER": "1",
        "assessments-TOTAL_FORMS": "1", "assessments-INITIAL_FORMS": "0",
        "assessments-MIN_NUM_FORMS": "0", "assessments-MAX_NUM_FORMS": "1000",
        "assessments-0-name": "专业能力考核", "assessments-0-max_score": "100", "assessments-0-pass_mark": "60",
        "assessments-0-ORDER": "1",
    }
    response = client.post(reverse("cohorts:add"), data)
    assert response.status_code == 200
    assert "An Olympiad-coach cohort needs its Olympiad subject." in response.content.decode()
    data["olympiad_subject"] = "chemistry"
    response = client.post(reverse("cohorts:add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    cohort = Cohort.objects.get()
    assert client.get(reverse("cohorts:edit", args=[cohort.pk])).status_code == 200
    assert cohort.eligible_stages == ["senior"]
    assert [(r.category, r.hours) for r in cohort.hours_requirements.all()] == [("", 60)]
    assert cohort.assessments.get().name == "专业能力考核"


def test_district_admin_cannot_set_up_cohorts(client, cohort):
    login_as(client, Role.DISTRICT_ADMIN, "370102")
    assert client.get(reverse("cohorts:add")).status_code in (302, 403)
    assert client.get(reverse("cohorts:edit", args=[cohort.pk])).status_code in (302, 403)


def test_roster_shows_progress_per_requirement_scoped_to_the_district(client, cohort, people):
    CohortMembershipFactory(cohort=cohort, teacher=people["lixia"], status=S.IN_TRAINING)
    CohortMembershipFactory(cohort=cohort, teacher=people["licheng"], status=S.IN_TRAINING)
    login_as(client, Role.DISTRICT_ADMIN, "370102")
    page = client.get(reverse("lms_cohorts:roster", args=[cohort.pk])).content.decode()
    assert "张小伟" in page and "王大明" not in page
    assert "40 hours (all categories)" in page and "0 / 40" in page
    assert "Assessment: 专业能力考核" in page and "no result" in page
    # No bulk actions for a district admin, and a POST is refused.
    assert "Bulk actions" not in page
    response = client.post(reverse("lms_cohorts:roster", args=[cohort.pk]), {"action": "certify_eligible"})
    assert response.status_code == 403


def test_hr_bulk_admits_and_moves_to_training_reporting_refusals(client, cohort, people):
    lixia = CohortMembershipFactory(cohort=cohort, teacher=people["lixia"], status=S.UNDER_REVIEW)
    licheng = CohortMembershipFactory(cohort=cohort, teacher=people["licheng"], status=S.NOMINATED)
    login_as(client, Role.HR)
    url = reverse("lms_cohorts:roster", args=[cohort.pk])
    response = client.post(url, {"action": "admit", "member": [lixia.pk, licheng.pk]}, follow=True)
    page = response.content.decode()
    assert "1 member(s) updated." in page
    assert "王大明: A membership that is Nominated cannot become Admitted." in page
    client.post(url, {"action": "train", "member": [lixia.pk]})
    lixia.refresh_from_db()
    assert lixia.status == S.IN_TRAINING
    response = client.post(url, {"action": "admit", "member": ["x"]}, follow=True)
    assert "Select at least one member." in response.content.decode()


def test_hr_certifies_all_who_meet_every_requirement(client, people, django_capture_on_commit_callbacks):
    CertificateTemplateFactory(kind=CertificateKind.COHORT_QUALIFICATION, is_default=True)
    cohort = CohortFactory()
    ready = CohortMembershipFactory(cohort=cohort, teacher=people["lixia"], status=S.ASSESSED)
    CohortHoursRequirementFactory(cohort=cohort, category="adjustment", hours=1)
    from lms.ledger.services import credit_adjust

    hr = login_as(client, Role.HR)
    credit_adjust(teacher=people["lixia"], hours="2", person_times=0, occurred_on=cohort.period_start,
                  reason="认定", adjusted_by=hr)
    short = CohortMembershipFactory(cohort=cohort, teacher=people["licheng"], status=S.ASSESSED)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lms_cohorts:roster", args=[cohort.pk]), {"action": "certify_eligible"},
                               follow=True)
    page = response.content.decode()
    assert "1 member(s) updated." in page
    assert "王大明 does not meet every requirement yet" in page
    ready.refresh_from_db(), short.refresh_from_db()
    assert (ready.status, short.status) == (S.CERTIFIED, S.ASSESSED)
    assert Certificate.objects.filter(holder=people["lixia"]).count() == 1


def test_membership_page_moves_certifies_with_override_and_refuses_bad_input(client, cohort, people,
                                                                           django_capture_on_commit_callbacks):
    CertificateTemplateFactory(kind=CertificateKind.COHORT_QUALIFICATION, is_default=True)
    membership = CohortMembershipFactory(cohort=cohort, teacher=people["lixia"], status=S.IN_TRAINING)
    login_as(client, Role.HR)
    url = reverse("lms_cohorts:membership", args=[membership.pk])
    page = client.get(url).content.decode()
    assert "0 / 40" in page and "Record an assessment result" in page
    # A score out of range is refused with the service's message.
    assessment = cohort.assessments.get()
    response = client.post(url, {"action": "result", "assessment": assessment.pk, "score": "150",
                                 "assessed_on": "2026-01-05", "assessor": "王教授"})
    assert response.status_code == 200
    assert "A score must be between 0 and 100." in response.content.decode()
    client.post(url, {"action": "result", "assessment": assessment.pk, "score": "80", "assessed_on": "2026-01-05",
                      "assessor": "王教授"})
    membership.refresh_from_db()
    assert membership.status == S.ASSESSED
    response = client.post(url, {"action": "certify", "override_reason": ""})
    assert "does not meet every requirement yet" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "certify", "override_reason": "省级学科带头人，学时另行认定"})
    membership.refresh_from_db()
    assert membership.status == S.CERTIFIED
    page = client.get(url).content.decode()
    assert "省级学科带头人，学时另行认定" in page
    # An illegal step is refused, not a 500.
    response = client.post(url, {"action": "transition", "to_status": "withdrawn", "reason": "x"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_district_admin_cannot_open_another_districts_membership(client, cohort, people):
    other = CohortMembershipFactory(cohort=cohort, teacher=people["licheng"])
    own = CohortMembershipFactory(cohort=cohort, teacher=people["lixia"])
    login_as(client, Role.DISTRICT_ADMIN, "370102")
    assert client.get(reverse("lms_cohorts:membership", args=[other.pk])).status_code == 404
    assert client.get(reverse("lms_cohorts:membership", args=[own.pk])).status_code == 200
    response = client.post(reverse("lms_cohorts:membership", args=[own.pk]),
                           {"action": "transition", "to_status": "under_review"})
    assert response.status_code == 403


def test_district_admin_nominates_own_teacher_with_attachment_but_not_others(client, cohort, people, media_roots):
    login_as(client, Role.DISTRICT_ADMIN, "370102")
    url = reverse("lms_cohorts:nominate")
    page = client.get(url).content.decode()
    assert "2026级学科带头人" in page and "Eligibility override reason" not in page
    response = client.post(url, {"cohort": cohort.pk, "staff_number": "LC0001", "statement": "推荐"})
    # Another district's teacher gets the answer a staff number nobody holds gets.
    assert "No teacher with this staff number in your scope." in response.content.decode()
    response = client.post(url, {
        "cohort": cohort.pk, "staff_number": "LX0001", "statement": "市级优质课一等奖",
        "attachments": [SimpleUploadedFile("获奖证书.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
                        SimpleUploadedFile("课堂实录.docx", b"PK test")],
    })
    membership = CohortMembership.objects.get()
    assert response.status_code == 302
    assert sorted(membership.attachments.values_list("original_filename", flat=True)) == ["获奖证书.pdf", "课堂实录.docx"]
    # Stored privately and linked through the checked view, never /media/.
    public, private = media_roots
    for attachment in membership.attachments.all():
        assert (private / attachment.file.name).exists()
        assert attachment.file.url == reverse("private_file", kwargs={"name": attachment.file.name})
    assert not public.exists() or not any(public.rglob("*.*"))
    page = client.get(reverse("lms_cohorts:membership", args=[membership.pk])).content.decode()
    assert membership.attachments.first().file.url in page
    response = client.post(url, {"cohort": cohort.pk, "staff_number": "LX0001", "statement": "再次推荐"})
    assert "is already in 2026级学科带头人" in response.content.decode()
    response = client.post(url, {"cohort": CohortFactory().pk, "staff_number": "LX0001", "statement": "推荐",
                                 "attachments": [SimpleUploadedFile("run.exe", b"MZ")]})
    assert "attach PDF, Word or image files" in response.content.decode()
    response = client.post(url, {"cohort": "999999", "staff_number": "", "statement": ""})
    assert response.status_code == 200


def test_nomination_shows_failed_eligibility_and_hr_overrides(client, people):
    cohort = CohortFactory(name="奥赛教练·物理", kind="olympiad_coach", olympiad_subject="physics",
                           eligible_stages=["senior"], min_years_of_service=5)
    login_as(client, Role.DISTRICT_ADMIN, "370102")
    page = client.get(reverse("lms_cohorts:nominate")).content.decode()
    assert "Stage: Senior secondary" in page
    response = client.post(reverse("lms_cohorts:nominate"),
                           {"cohort": cohort.pk, "staff_number": "LX0001", "statement": "推荐"})
    assert "does not meet the cohort&#x27;s eligibility rules" in response.content.decode()
    client.logout()
    login_as(client, Role.HR)
    response = client.post(reverse("lms_cohorts:nominate"), {
        "cohort": cohort.pk, "staff_number": "LX0001", "statement": "推荐", "override_reason": "竞赛成绩突出",
    })
    assert response.status_code == 302
    assert CohortMembership.objects.get().eligibility_override_reason == "竞赛成绩突出"


def test_assessment_import_dry_run_then_commit(client, cohort, people):
    membership = CohortMembershipFactory(cohort=cohort, teacher=people["lixia"], status=S.IN_TRAINING)
    login_as(client, Role.HR)
    url = reverse("lms_cohorts:import", args=[cohort.pk])
    bad = SimpleUploadedFile("成绩.csv", "工号,成绩,考核日期,考核人\nLX0001,101,2026-01-05,王教授\nXX,80,2026-01-05,王\n".encode())
    page = client.post(url, {"file": bad}).content.decode()
    assert "2 errors; nothing was imported" in page
    assert "A score must be between 0 and 100." in page and "No member of this cohort has this staff number." in page
    assert 'name="token"' not in page
    good = SimpleUploadedFile("成绩.csv", "工号,成绩,考核日期,考核人\nLX0001,88,2026-01-05,王教授\n".encode())
    response = client.post(url, {"file": good})
    page = response.content.decode()
    assert "1 result is ready to record." in page
    assert not AssessmentResult.objects.exists()
    token = response.context["token"]
    response = client.post(url, {"token": token}, follow=True)
    assert "1 assessment result(s) recorded." in response.content.decode()
    assert AssessmentResult.objects.get(membership=membership).score == 88
    # A token is for its user and cohort only, and is spent.
    response = client.post(url, {"token": token + "x"}, follow=True)
    assert "This check has expired" in response.content.decode()
    response = client.post(url, {"token": token}, follow=True)
    assert "This check has expired" in response.content.decode()


def test_assessment_import_is_hr_only(client, cohort):
    login_as(client, Role.DISTRICT_ADMIN, "370102")
    assert client.get(reverse("lms_cohorts:import", args=[cohort.pk])).status_code == 403


def test_talent_registry_filters_and_exports_scoped(client, cohort, people):
    CohortMembershipFactory(cohort=cohort, teacher=people["lixia"], status=S.CERTIFIED,
                            certified_at="2026-06-01T10:00:00+08:00")
    CohortMembershipFactory(cohort=cohort, teacher=people["licheng"], status=S.CERTIFIED,
                            certified_at="2026-06-01T10:00:00+08:00")
    CohortMembershipFactory(cohort=CohortFactory(), teacher=TeacherFactory(real_name="未认证"), status=S.IN_TRAINING)
    login_as(client, Role.DISTRICT_ADMIN, "370102")
    page = client.get(reverse("talent_registry:index")).content.decode()
    assert "张小伟" in page and "王大明" not in page and "未认证" not in page
    response = client.get(reverse("talent_registry:index") + "?export=csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert [row[1] for row in rows[1:]] == ["张小伟"]
    client.logout()

    login_as(client, Role.ACADEMY_ADMIN)
    response = client.get(reverse("talent_registry:index") + "?export=xlsx&year=2026&subject=science")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)) == ["张小伟", "王大明"]
    page = client.get(reverse("talent_registry:index") + f"?district={district('370112').pk}").content.decode()
    assert "王大明" in page and "张小伟" not in page
    page = client.get(reverse("talent_registry:index") + "?year=2025").content.decode()
    assert "王大明" not in page
    # The registry never edits: memberships change only through the services.
    membership = CohortMembership.objects.filter(status=S.CERTIFIED).first()
    assert client.get(f"/admin/talent-registry/edit/{membership.pk}/").status_code in (302, 403, 404)


def test_overview_lists_cohorts_with_counts(client, cohort, people):
    CohortMembershipFactory(cohort=cohort, teacher=people["lixia"], status=S.IN_TRAINING)
    login_as(client, Role.DISTRICT_ADMIN, "370102")
    page = client.get(reverse("lms_cohorts:overview")).content.decode()
    assert "2026级学科带头人" in page and "Nominate a teacher" in page
    login_as(client, Role.TEACHER)
    assert client.get(reverse("lms_cohorts:overview")).status_code in (302, 403)


# --- The member's own page and the menu entry ---------------------------------------


def test_member_sees_own_progress_per_requirement_and_the_menu_entry(client, cohort, people):
    from django.core.cache import cache

    cache.clear()
    teacher = people["lixia"]
    CohortMembershipFactory(cohort=cohort, teacher=teacher, status=S.IN_TRAINING)
    CohortMembershipFactory(cohort=cohort, teacher=people["licheng"], status=S.CERTIFIED)
    client.force_login(teacher.user)
    client.cookies["django_language"] = "en"
    page = client.get("/my/cohorts/").content.decode()
    assert "2026级学科带头人" in page and "In training" in page
    assert "40 hours (all categories)" in page and "0 / 40" in page
    assert "Assessment: 专业能力考核" in page and "no result" in page
    assert "0 of 2 requirements met" in page
    assert 'href="/my/cohorts/"' in page


def test_teacher_without_membership_has_no_menu_entry(client):
    from django.core.cache import cache

    cache.clear()
    teacher = TeacherFactory()
    client.force_login(teacher.user)
    client.cookies["django_language"] = "en"
    page = client.get("/my/cohorts/").content.decode()
    assert "You are not in any talent cohort." in page
    assert 'href="/my/cohorts/"' not in page
    assert client.get("/my/cohorts/", follow=False).status_code == 200
    client.logout()
    assert client.get("/my/cohorts/").status_code == 302


@pytest.mark.parametrize("row_id", [None, "x", "-1"])
def test_forged_inline_rows_are_a_form_error_and_write_nothing(client, row_id):
    login_as(client, Role.HR)
    data = {
        "name": "2026级学科带头人", "kind": "subject_leader", "intake_year": "2026", "capacity": "20",
        "period_start": "2026-01-01", "period_end": "2026-12-31",
        "hours_requirements-TOTAL_FORMS": "1", "hours_requirements-INITIAL_FORMS": "1",
        "hours_requirements-MIN_NUM_FORMS": "0", "hours_requirements-MAX_NUM_FORMS": "1000",
        "hours_requirements-0-category": "", "hours_requirements-0-hours": "60", "hours_requirements-0-ORDER": "1",
        "assessments-TOTAL_FORMS": "0", "assessments-INITIAL_FORMS": "0",
        "assessments-MIN_NUM_FORMS": "0", "assessments-MAX_NUM_FORMS": "1000",
    }
    if row_id is not None:
        data["hours_requirements-0-id"] = row_id
    response = client.post(reverse("cohorts:add"), data)
    assert response.status_code == 200
    assert str(ROWS_ALTERED) in response.content.decode()
    assert not Cohort.objects.exists()
