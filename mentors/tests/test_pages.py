"""The public research-along pages, driven through the test client."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from lms.constants import Stage, Subject
from lms.models import TrainingCredit
from mentors import services
from mentors.constants import ActivityKind, ActivityStatus, PairingStatus
from mentors.models import ResearchActivity, ResearchPairing

from .factories import (
    PDF_BYTES,
    MentorFactory,
    academy_admin,
    active_pairing,
    days_ago,
    proposed_pairing,
    teacher,
)

pytestmark = pytest.mark.django_db


def log_activity(pairing, hours="2"):
    return services.pairing_activity_log(
        pairing=pairing, user=pairing.teacher.user, occurred_on=days_ago(1), kind=ActivityKind.MEETING,
        hours=hours, description="课题组组会，讨论水样采集方案",
    )


def test_directory_suggests_mentors_with_reasons(client):
    me = teacher(subject=Subject.BIOLOGY, stage=Stage.JUNIOR)
    fit = MentorFactory(real_name="孙海燕", subjects=[Subject.BIOLOGY], stages=[Stage.JUNIOR], capacity=2)
    MentorFactory(real_name="郭建军", subjects=[Subject.PHYSICS], stages=[Stage.SENIOR], capacity=2)
    full = MentorFactory(real_name="满员导师", subjects=[Subject.BIOLOGY], capacity=1)
    active_pairing(mentor=full)
    client.force_login(me.user)
    response = client.get(reverse("mentors:directory"))
    suggestions = response.context["suggestions"]
    assert [suggestion.mentor for suggestion in suggestions][0] == fit
    assert full not in [suggestion.mentor for suggestion in suggestions]
    content = response.content.decode()
    assert "孙海燕" in content and "2 free places" in content and "works in your subject" in content


def test_teacher_applies_to_a_mentor(client, django_capture_on_commit_callbacks):
    me = teacher()
    mentor = MentorFactory()
    client.force_login(me.user)
    url = reverse("mentors:apply", args=[mentor.pk])
    assert 'for="id_project_title"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {
            "project_title": "土壤微生物与植物生长", "goals": "设计小学科学探究课",
            "start_on": days_ago(0).isoformat(), "planned_end_on": days_ago(-90).isoformat(),
        })
    pairing = ResearchPairing.objects.get()
    assert response.status_code == 302 and response.url == reverse("mentors:pairing_detail", args=[pairing.pk])
    assert pairing.teacher == me and pairing.status == PairingStatus.PROPOSED
    assert mail.outbox[-1].to == [mentor.user.email]


def test_apply_with_end_before_start_shows_the_message(client):
    me = teacher()
    client.force_login(me.user)
    response = client.post(reverse("mentors:apply", args=[MentorFactory().pk]), {
        "project_title": "x", "goals": "y", "start_on": "2026-03-01", "planned_end_on": "2026-01-01",
    })
    assert response.status_code == 200
    assert str(services.PAIRING_END_BEFORE_START) in response.content.decode()
    assert not ResearchPairing.objects.exists()


def test_mentor_accepts_from_the_pairing_page(client):
    pairing = proposed_pairing()
    client.force_login(pairing.mentor.user)
    page = client.get(reverse("mentors:pairing_detail", args=[pairing.pk])).content.decode()
    assert reverse("mentors:pairing_accept", args=[pairing.pk]) in page
    client.post(reverse("mentors:pairing_accept", args=[pairing.pk]))
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ACTIVE


def test_mentor_at_capacity_gets_a_message_not_an_error(client):
    mentor = MentorFactory(capacity=1)
    active_pairing(mentor=mentor)
    pairing = proposed_pairing(mentor=mentor)
    client.force_login(mentor.user)
    response = client.post(reverse("mentors:pairing_accept", args=[pairing.pk]), follow=True)
    assert "as many as they can take at once" in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.PROPOSED


def test_other_peoples_pairings_are_not_found(client):
    pairing = active_pairing()
    for stranger in (MentorFactory().user, teacher().user):
        client.force_login(stranger)
        assert client.get(reverse("mentors:pairing_detail", args=[pairing.pk])).status_code == 404
        assert client.get(reverse("mentors:activity_log", args=[pairing.pk])).status_code == 404


def test_teacher_logs_an_activity_with_evidence(client, django_capture_on_commit_callbacks):
    pairing = active_pairing()
    client.force_login(pairing.teacher.user)
    url = reverse("mentors:activity_log", args=[pairing.pk])
    form_page = client.get(url).content.decode()
    for field in ("occurred_on", "kind", "hours", "description", "evidence"):
        assert f'for="id_{field}"' in form_page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {
            "occurred_on": days_ago(2).isoformat(), "kind": ActivityKind.JOINT_EXPERIMENT, "hours": "1.5",
            "description": "与课题组共同完成水样PCR实验",
            "evidence": [SimpleUploadedFile("实验记录.pdf", PDF_BYTES, content_type="application/pdf")],
        })
    assert response.status_code == 302
    activity = ResearchActivity.objects.get()
    assert str(activity.hours) == "1.50" and activity.evidence_files.get().original_filename == "实验记录.pdf"
    assert mail.outbox[-1].to == [pairing.mentor.user.email]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"occurred_on": days_ago(-3).isoformat()}, services.ACTIVITY_IN_FUTURE),
        ({"occurred_on": days_ago(400).isoformat()}, "before the pairing started"),
        ({"hours": "30"}, "a day has 24 hours at most"),
        ({"hours": "一个半"}, services.ACTIVITY_HOURS_INVALID),
        ({"evidence": [SimpleUploadedFile("run.exe", b"MZ\x90\x00")]}, "is not an allowed kind of file"),
        ({"evidence": [SimpleUploadedFile("fake.pdf", b"<html>")]}, "is not really a PDF file"),
    ],
)
def test_bad_activities_are_refused_with_a_message(client, data, message):
    pairing = active_pairing()
    client.force_login(pairing.teacher.user)
    post = {"occurred_on": days_ago(1).isoformat(), "kind": ActivityKind.MEETING, "hours": "2",
            "description": "组会", **data}
    response = client.post(reverse("mentors:activity_log", args=[pairing.pk]), post)
    assert response.status_code == 400
    assert escape(str(message)) in response.content.decode()
    assert not ResearchActivity.objects.exists()


def test_mentor_queue_shows_the_count_and_confirms(client, django_capture_on_commit_callbacks):
    pairing = active_pairing()
    first, second = log_activity(pairing), log_activity(pairing, hours="1")
    client.force_login(pairing.mentor.user)
    home = client.get(reverse("mentors:my_pairings")).content.decode()
    assert "2 activities are waiting for you to confirm." in home
    queue = client.get(reverse("mentors:queue")).content.decode()
    assert "课题组组会" in queue and reverse("mentors:activity_confirm", args=[first.pk]) in queue
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mentors:activity_confirm", args=[first.pk]))
    client.post(reverse("mentors:activity_confirm", args=[first.pk]))
    client.post(reverse("mentors:activity_return", args=[second.pk]), {"comment": "请注明时长依据"})
    assert TrainingCredit.objects.filter(teacher=pairing.teacher).count() == 1
    second.refresh_from_db()
    assert second.status == ActivityStatus.RETURNED and second.mentor_comment == "请注明时长依据"
    assert "1 activity is waiting" not in client.get(reverse("mentors:my_pairings")).content.decode()


def test_an_academy_admin_cannot_confirm_for_the_mentor(client):
    pairing = active_pairing()
    activity = log_activity(pairing)
    client.force_login(academy_admin())
    response = client.post(reverse("mentors:activity_confirm", args=[activity.pk]), follow=True)
    assert escape(str(services.PAIRING_NOT_YOUR_MENTEE)) in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED


def test_another_mentor_cannot_reach_the_activity(client):
    activity = log_activity(active_pairing())
    client.force_login(MentorFactory().user)
    assert client.post(reverse("mentors:activity_confirm", args=[activity.pk])).status_code == 404
    assert not TrainingCredit.objects.exists()


def test_evidence_is_downloadable_only_within_scope(client):
    pairing = active_pairing()
    activity = services.pairing_activity_log(
        pairing=pairing, user=pairing.teacher.user, occurred_on=days_ago(1), kind=ActivityKind.MEETING,
        hours="1", description="组会", evidence_files=[SimpleUploadedFile("纪要.pdf", PDF_BYTES)],
    )
    url = reverse("mentors:evidence", args=[activity.evidence_files.get().pk])
    client.force_login(pairing.mentor.user)
    response = client.get(url)
    assert b"".join(response.streaming_content) == PDF_BYTES
    client.force_login(teacher().user)
    assert client.get(url).status_code == 404


def test_complete_from_the_pairing_page(client):
    pairing = active_pairing()
    client.force_login(pairing.teacher.user)
    url = reverse("mentors:pairing_complete", args=[pairing.pk])
    response = client.post(url, {"final_report": ""})
    assert response.status_code == 400 and str(services.FINAL_REPORT_REQUIRED) in response.content.decode()
    client.post(url, {"final_report": "完成两节探究课并在区里展示"})
    client.force_login(pairing.mentor.user)
    client.post(url, {"final_report": ""})
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.COMPLETED
    assert "完成两节探究课" in client.get(reverse("mentors:pairing_detail", args=[pairing.pk])).content.decode()


def test_outputs_added_on_the_page_are_listed(client):
    pairing = active_pairing()
    client.force_login(pairing.teacher.user)
    client.post(reverse("mentors:output_add", args=[pairing.pk]),
                {"kind": "student_project", "title": "校园池塘水质调查", "link": "", "description": ""})
    assert "校园池塘水质调查" in client.get(reverse("mentors:pairing_detail", args=[pairing.pk])).content.decode()


def test_non_teacher_cannot_apply(client):
    client.force_login(MentorFactory().user)
    response = client.get(reverse("mentors:apply", args=[MentorFactory().pk]), follow=True)
    assert "Only teachers can apply to a mentor." in response.content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_my_pairings_page_query_count_is_flat(client, size, django_assert_max_num_queries):
    mentor = MentorFactory(capacity=size)
    for _ in range(size):
        log_activity(active_pairing(mentor=mentor))
    client.force_login(mentor.user)
    client.get(reverse("mentors:my_pairings"))  # warm the site-wide caches (the navigation's catalogue link)
    # Session, user, permissions, the header's profile and branding, and
    # the page's own four queries, whatever the number of pairings.
    with django_assert_max_num_queries(15):
        response = client.get(reverse("mentors:my_pairings"))
    assert response.content.decode().count(reverse("mentors:pairing_detail", args=[1])[:-2]) >= size


def test_pages_need_a_login(client):
    response = client.get(reverse("mentors:my_pairings"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_mentor_posts_a_project_teachers_apply_to_it_and_the_mentor_closes_it(client):
    mentor = MentorFactory()
    client.force_login(mentor.user)
    assert client.post(reverse("mentors:project_new"), {"title": "", "summary": ""}).status_code == 400
    client.post(reverse("mentors:project_new"), {"title": "泉水水质长期监测", "summary": "每月采样一次"})
    project = mentor.projects.get()

    me = teacher()
    client.force_login(me.user)
    directory = client.get(reverse("mentors:directory")).content.decode()
    apply_url = f"{reverse('mentors:apply', args=[mentor.pk])}?project={project.pk}"
    assert "泉水水质长期监测" in directory and apply_url in directory
    assert 'value="泉水水质长期监测"' in client.get(apply_url).content.decode()
    client.post(apply_url, {"project_title": "泉水水质长期监测", "goals": "带学生参与采样",
                            "start_on": days_ago(0).isoformat(), "planned_end_on": days_ago(-60).isoformat()})
    assert ResearchPairing.objects.get().project == project

    client.post(reverse("mentors:project_close", args=[project.pk]))
    project.refresh_from_db()
    assert project.is_open
    client.force_login(mentor.user)
    client.post(reverse("mentors:project_close", args=[project.pk]))
    project.refresh_from_db()
    assert not project.is_open
    assert "泉水水质长期监测" not in client.get(reverse("mentors:directory")).content.decode()


def test_only_mentors_post_projects(client):
    client.force_login(teacher().user)
    assert client.get(reverse("mentors:project_new")).status_code == 404


@pytest.mark.parametrize("project", ["abc", "-1", "99999", "1e3", ""])
def test_apply_with_a_bad_project_parameter_is_a_plain_application(client, project):
    client.force_login(teacher().user)
    response = client.get(reverse("mentors:apply", args=[MentorFactory().pk]), {"project": project})
    assert response.status_code == 200 and response.context["project"] is None


def test_unknown_pages_are_not_found_not_errors(client):
    pairing = active_pairing()
    client.force_login(pairing.mentor.user)
    for url in ("/research-along/pairings/99999/", "/research-along/evidence/99999/",
                reverse("mentors:apply", args=[99999])):
        assert client.get(url).status_code == 404
    assert client.post("/research-along/activities/99999/confirm/").status_code == 404
    assert client.get(reverse("mentors:pairing_accept", args=[pairing.pk])).status_code == 405


def test_my_hours_links_a_credited_activity_to_its_pairing(client):
    pairing = active_pairing()
    services.pairing_activity_confirm(activity=log_activity(pairing), user=pairing.mentor.user)
    client.force_login(pairing.teacher.user)
    content = client.get(reverse("themes:my_hours")).content.decode()
    assert f'href="{reverse("mentors:pairing_detail", args=[pairing.pk])}"' in content
