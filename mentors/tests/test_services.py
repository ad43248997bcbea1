from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lms.constants import CreditCategory, Role
from lms.events import CompletionKind
from lms.models import CreditCap, PendingTask, TrainingCredit
from lms.tests.completions import completions_announced, nobody_listening
from lms.tests.factories import UserFactory
from mentors import services
from mentors.constants import ActivityStatus, PairingStatus, ProposalSource, activity_source_key
from mentors.models import ResearchPairing

from .builders import activity_logged
from .factories import (
    PDF_BYTES,
    PNG_BYTES,
    MentorFactory,
    academy_admin,
    active_pairing,
    days_ago,
    office_bytes,
    proposed_pairing,
    teacher,
    upload,
)

pytestmark = pytest.mark.django_db


def message_of(error):
    return error.value.messages[0] if hasattr(error.value, "messages") else str(error.value)


# --- mentors ---------------------------------------------------------------


def test_mentor_invite_creates_account_with_role_and_emails_link(django_capture_on_commit_callbacks):
    admin = academy_admin()
    with django_capture_on_commit_callbacks(execute=True):
        mentor = services.mentor_invite(
            email="Zhou@SDU.example", real_name="周志强", institution="山东大学", institution_type="university",
            research_fields="凝聚态物理", subjects=["physics"], invited_by=admin, capacity=3,
        )
    assert mentor.user.username == "zhou@sdu.example"
    assert mentor.user.groups.filter(name=Role.MENTOR.value).exists()
    assert not mentor.user.has_usable_password()
    assert not hasattr(mentor.user, "teacher_profile") or mentor.user.teacher_profile is None
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def test_mentor_invite_refuses_a_taken_email():
    UserFactory(username="x", email="zhou@sdu.example")
    with pytest.raises(ValidationError) as error:
        services.mentor_invite(email="zhou@sdu.example", real_name="周", institution="山大",
                               institution_type="university", research_fields="物理", invited_by=academy_admin())
    assert message_of(error) == str(services.MENTOR_EMAIL_TAKEN)


# --- proposals and capacity -------------------------------------------------


def test_teacher_application_is_proposed_and_both_sides_get_object_permissions(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pairing = proposed_pairing()
    assert pairing.status == PairingStatus.PROPOSED
    assert pairing.proposed_via == ProposalSource.TEACHER
    for user in (pairing.teacher.user, pairing.mentor.user):
        assert user.has_perm("mentors.view_researchpairing", pairing)
        assert user.has_perm("mentors.change_researchpairing", pairing)
    assert [message.to for message in mail.outbox] == [[pairing.mentor.user.email]]


def test_district_admin_proposes_only_for_their_district():
    from lms.people.services import district_admin_assign
    from lms.tests.factories import SchoolFactory, district

    admin = UserFactory()
    district_admin_assign(user=admin, district=district("370102"))
    own = teacher(school=SchoolFactory(district=district("370102")))
    other = teacher(school=SchoolFactory(district=district("370112")))
    pairing = proposed_pairing(teacher_profile=own, proposed_by=admin)
    assert pairing.proposed_via == ProposalSource.DISTRICT
    with pytest.raises(PermissionDenied):
        proposed_pairing(teacher_profile=other, proposed_by=admin)


def test_a_stranger_cannot_propose_for_a_teacher():
    with pytest.raises(PermissionDenied):
        proposed_pairing(proposed_by=teacher().user)


def test_second_open_pairing_with_the_same_mentor_is_refused():
    pairing = proposed_pairing()
    with pytest.raises(ValidationError) as error:
        proposed_pairing(teacher_profile=pairing.teacher, mentor=pairing.mentor)
    assert message_of(error) == str(services.PAIRING_ALREADY_OPEN)


def test_mentor_accepts_up_to_capacity_and_refuses_beyond(django_capture_on_commit_callbacks):
    mentor = MentorFactory(capacity=2)
    pairings = [proposed_pairing(mentor=mentor) for _ in range(3)]
    for pairing in pairings[:2]:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.pairing_accept(pairing=pairing, user=mentor.user).status == PairingStatus.ACTIVE
    with pytest.raises(ValidationError) as error:
        services.pairing_accept(pairing=pairings[2], user=mentor.user)
    assert error.value.code == "capacity"
    assert ResearchPairing.objects.filter(mentor=mentor, status=PairingStatus.ACTIVE).count() == 2
    assert "started" in mail.outbox[-1].subject


def test_only_the_mentor_or_an_academy_admin_accepts():
    pairing = proposed_pairing()
    with pytest.raises(PermissionDenied):
        services.pairing_accept(pairing=pairing, user=pairing.teacher.user)
    with pytest.raises(PermissionDenied):
        services.pairing_accept(pairing=pairing, user=MentorFactory().user)
    assert services.pairing_accept(pairing=pairing, user=academy_admin()).status == PairingStatus.ACTIVE


def test_decline_needs_a_reason():
    pairing = proposed_pairing()
    with pytest.raises(ValidationError) as error:
        services.pairing_decline(pairing=pairing, user=pairing.mentor.user, reason="  ")
    assert message_of(error) == str(services.REASON_REQUIRED)
    declined = services.pairing_decline(pairing=pairing, user=pairing.mentor.user, reason="本学期课题组满员")
    assert declined.status == PairingStatus.DECLINED and declined.status_reason == "本学期课题组满员"


def test_end_early_keeps_the_reason():
    pairing = active_pairing()
    ended = services.pairing_end_early(pairing=pairing, user=pairing.teacher.user, reason="调往外地学校")
    assert ended.status == PairingStatus.ENDED_EARLY and ended.closed_at is not None


# --- activities and credit --------------------------------------------------


def test_confirmed_activity_credits_research_along_hours_once(django_capture_on_commit_callbacks):
    pairing = active_pairing()
    activity = activity_logged(pairing, hours="2.5")
    with django_capture_on_commit_callbacks(execute=True):
        services.pairing_activity_confirm(activity=activity, user=pairing.mentor.user)
    services.pairing_activity_confirm(activity=activity, user=pairing.mentor.user)
    credits = TrainingCredit.objects.filter(source_key=activity_source_key(activity.pk))
    assert credits.count() == 1
    credit = credits.get()
    assert credit.category == CreditCategory.RESEARCH_ALONG
    assert credit.hours == Decimal("2.50") and credit.teacher == pairing.teacher
    assert credit.evidence == activity
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CONFIRMED and activity.credit == credit
    assert mail.outbox[-1].to == [pairing.teacher.user.email] and "confirmed" in mail.outbox[-1].subject


def test_confirmation_respects_the_yearly_cap():
    CreditCap.objects.create(category=CreditCategory.RESEARCH_ALONG, yearly_hours=Decimal("3"))
    pairing = active_pairing(start_days_ago=3)
    # Both on one day, so both count towards the same year's cap whatever today is.
    first = activity_logged(pairing, hours="2", on=days_ago(1))
    second = activity_logged(pairing, hours="2", on=days_ago(1))
    for activity in (first, second):
        services.pairing_activity_confirm(activity=activity, user=pairing.mentor.user)
    credited = sorted(TrainingCredit.objects.filter(teacher=pairing.teacher).values_list("hours", flat=True))
    assert credited == [Decimal("1.00"), Decimal("2.00")]


def test_a_failed_credit_leaves_the_activity_waiting():
    pairing = active_pairing()
    activity = activity_logged(pairing)
    teacher_profile = pairing.teacher
    teacher_profile.school = None
    teacher_profile.save()
    with pytest.raises(ValidationError):
        services.pairing_activity_confirm(activity=activity, user=pairing.mentor.user)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED and activity.credit is None


def test_returned_activity_is_not_credited_and_teacher_is_told(django_capture_on_commit_callbacks):
    pairing = active_pairing()
    activity = activity_logged(pairing)
    with pytest.raises(ValidationError) as error:
        services.pairing_activity_return(activity=activity, user=pairing.mentor.user, comment="")
    assert message_of(error) == str(services.COMMENT_REQUIRED)
    with django_capture_on_commit_callbacks(execute=True):
        services.pairing_activity_return(activity=activity, user=pairing.mentor.user, comment="请补充实验记录照片")
    assert not TrainingCredit.objects.exists()
    assert "请补充实验记录照片" in mail.outbox[-1].body and mail.outbox[-1].to == [pairing.teacher.user.email]
    with pytest.raises(ValidationError) as error:
        services.pairing_activity_confirm(activity=activity, user=pairing.mentor.user)
    assert message_of(error) == str(services.ACTIVITY_NOT_CONFIRMED_YET)


def test_confirming_an_activity_of_a_pairing_one_does_not_mentor_is_refused():
    pairing = active_pairing()
    activity = activity_logged(pairing)
    for intruder in (MentorFactory().user, pairing.teacher.user, academy_admin()):
        with pytest.raises(PermissionDenied) as error:
            services.pairing_activity_confirm(activity=activity, user=intruder)
        assert str(error.value) == str(services.PAIRING_NOT_YOUR_MENTEE)
    assert not TrainingCredit.objects.exists()


def test_mentor_is_emailed_when_an_activity_waits(django_capture_on_commit_callbacks):
    pairing = active_pairing()
    with django_capture_on_commit_callbacks(execute=True):
        activity_logged(pairing)
    assert mail.outbox[-1].to == [pairing.mentor.user.email]
    assert "1" in mail.outbox[-1].subject


@pytest.mark.parametrize(
    ("on_days_ago", "expected"),
    [(-1, services.ACTIVITY_IN_FUTURE), (31, services.ACTIVITY_BEFORE_START)],
)
def test_activity_dates_outside_the_pairing_are_refused(on_days_ago, expected):
    pairing = active_pairing(start_days_ago=30)
    with pytest.raises(ValidationError) as error:
        activity_logged(pairing, on=days_ago(on_days_ago))
    assert error.value.message == expected


@pytest.mark.parametrize("hours", ["0", "-1", "abc", "1.555", "NaN", "25"])
def test_bad_durations_are_refused(hours):
    pairing = active_pairing()
    with pytest.raises(ValidationError):
        activity_logged(pairing, hours=hours)


def test_a_day_holds_at_most_24_hours_across_pairings():
    first = active_pairing()
    second = active_pairing(teacher_profile=first.teacher)
    activity_logged(first, hours="16", on=days_ago(2))
    with pytest.raises(ValidationError) as error:
        activity_logged(second, hours="9", on=days_ago(2))
    assert error.value.message == services.ACTIVITY_HOURS_OVER_DAY
    assert activity_logged(second, hours="8", on=days_ago(2)).hours == Decimal("8.00")


def test_only_the_pairing_teacher_logs_and_only_while_active():
    pairing = proposed_pairing()
    with pytest.raises(ValidationError) as error:
        activity_logged(pairing)
    assert message_of(error) == str(services.PAIRING_NOT_ACTIVE)
    pairing = services.pairing_accept(pairing=pairing, user=pairing.mentor.user)
    with pytest.raises(PermissionDenied):
        activity_logged(pairing, user=pairing.mentor.user)


def test_evidence_files_of_allowed_types_are_stored():
    pairing = active_pairing()
    files = [
        upload("记录.pdf", PDF_BYTES),
        upload("photo.PNG", PNG_BYTES),
        upload("教案.docx", office_bytes("word/")),
        upload("数据.xlsx", office_bytes("xl/")),
        upload("汇报.pptx", office_bytes("ppt/")),
    ]
    activity = activity_logged(pairing, files=files)
    stored = list(activity.evidence_files.all())
    assert [item.original_filename for item in stored] == ["记录.pdf", "photo.PNG", "教案.docx", "数据.xlsx", "汇报.pptx"]
    assert stored[0].file.read() == PDF_BYTES and stored[0].size == len(PDF_BYTES)
    assert "记录" not in stored[0].file.name


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ\x90\x00", "evidence_type"),
        ("notes.txt", b"hello", "evidence_type"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "evidence_content"),
        ("fake.png", PDF_BYTES, "evidence_content"),
        ("fake.docx", office_bytes("xl/"), "evidence_content"),
        ("zip.docx", b"PK\x03\x04garbage", "evidence_content"),
        ("empty.pdf", b"", "evidence_empty"),
    ],
)
def test_evidence_of_a_wrong_type_is_refused(name, content, code):
    pairing = active_pairing()
    with pytest.raises(ValidationError) as error:
        activity_logged(pairing, files=[upload(name, content)])
    assert error.value.code == code
    assert not pairing.activities.exists()


def test_evidence_over_the_size_limit_is_refused(settings):
    settings.MENTORS_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    pairing = active_pairing()
    big = upload("scan.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as error:
        activity_logged(pairing, files=[big])
    assert error.value.code == "evidence_size" and "10.0" in error.value.messages[0]


# --- completion -------------------------------------------------------------

def test_completion_needs_both_sides_and_a_report_then_is_announced_once(django_capture_on_commit_callbacks):
    pairing = active_pairing()
    with pytest.raises(ValidationError) as error:
        services.pairing_complete_confirm(pairing=pairing, user=pairing.teacher.user)
    assert message_of(error) == str(services.FINAL_REPORT_REQUIRED)
    activity = activity_logged(pairing)
    with pytest.raises(ValidationError) as error:
        services.pairing_complete_confirm(pairing=pairing, user=pairing.teacher.user, final_report="完成了两节课")
    assert error.value.code == "waiting"
    services.pairing_activity_confirm(activity=activity, user=pairing.mentor.user)

    with completions_announced() as announced:
        with django_capture_on_commit_callbacks(execute=True):
            half = services.pairing_complete_confirm(
                pairing=pairing, user=pairing.teacher.user, final_report="完成了两节课")
        assert half.status == PairingStatus.ACTIVE and announced == []
        with pytest.raises(PermissionDenied):
            services.pairing_complete_confirm(pairing=pairing, user=academy_admin(), final_report="x")
        with django_capture_on_commit_callbacks(execute=True):
            done = services.pairing_complete_confirm(pairing=pairing, user=pairing.mentor.user)
    assert done.status == PairingStatus.COMPLETED and done.final_report == "完成了两节课"
    assert [(completion.kind, completion.evidence.pk, completion.subject.pk) for completion in announced] == [
        (CompletionKind.RESEARCH_ALONG, pairing.pk, pairing.pk)]
    completion = announced[0]
    assert (completion.teacher_pk, completion.title, completion.hours) == (
        pairing.teacher_id, pairing.project_title, activity.hours)
    assert completion.started_on == pairing.start_on
    assert completion.occurred_on == timezone.localdate(done.closed_at)
    assert completion.source_key == f"research-along-completion:{pairing.pk}"


def test_completion_with_nobody_listening_is_fine():
    """A site without the certificates app: the completion stands."""
    pairing = active_pairing()
    with nobody_listening():
        services.pairing_complete_confirm(pairing=pairing, user=pairing.teacher.user, final_report="报告")
        assert services.pairing_complete_confirm(pairing=pairing, user=pairing.mentor.user).status == "completed"
    assert not PendingTask.objects.filter(task_name__startswith="certificates.").exists()


def test_outputs_are_listed_on_the_pairing():
    pairing = active_pairing()
    services.pairing_output_add(pairing=pairing, user=pairing.teacher.user, kind="lesson_design", title="水质检测探究课")
    with pytest.raises(PermissionDenied):
        services.pairing_output_add(pairing=pairing, user=teacher().user, kind="paper", title="x")
    assert [output.title for output in pairing.outputs.all()] == ["水质检测探究课"]


def test_a_broker_that_refuses_the_email_does_not_undo_or_fail_the_confirmation(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from mentors import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    from lms.models import PendingTask

    pairing = active_pairing()
    activity = activity_logged(pairing)
    monkeypatch.setattr(tasks.activity_reviewed_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.pairing_activity_confirm(activity=activity, user=pairing.mentor.user)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CONFIRMED and activity.credit is not None
    assert "Could not send mentors.tasks.activity_reviewed_task" in caplog.text
    # The e-mail is still promised, for the sweep to send once the broker is back.
    assert PendingTask.objects.get(task_name=tasks.activity_reviewed_task.name).args == [activity.pk]
