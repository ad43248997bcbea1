"""HR's work on the ledger in the admin: manual adjustments, reversals, the
yearly caps and the targets."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lms.constants import CreditCategory, Role, TargetMetric
from lms.ledger.admin_views import (
    EVIDENCE_MAX_BYTES,
    EVIDENCE_TOO_LARGE,
    EVIDENCE_WRONG_TYPE,
    FORM_EXPIRED,
    MESSAGE_ALREADY_ADJUSTED,
    TEACHER_NOT_IN_SCOPE,
)
from lms.ledger.services import ADJUSTMENT_ZERO, ALREADY_REVERSED, CANNOT_REVERSE_REVERSAL, FUTURE_DATE, credit_record
from lms.models import CreditCap, Target, TeacherYearTally, TrainingCredit
from lms.people.services import district_admin_assign, user_role_add
from lms.tests.factories import SchoolFactory, TeacherFactory, UserFactory, district

pytestmark = pytest.mark.django_db

ADJUST_URL = "/admin/ledger/adjust/"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
TRAINING_DAY = datetime.date(2025, 6, 20)


@pytest.fixture(autouse=True)
def media_root(media_roots):
    """Where evidence files go: the private media folder, never MEDIA_ROOT."""
    public, private = media_roots
    return private


@pytest.fixture
def teacher():
    return TeacherFactory(real_name="张小伟", staff_number="LX0001",
                          school=SchoolFactory(district=district("370102")))


@pytest.fixture
def licheng_teacher():
    return TeacherFactory(real_name="王大明", staff_number="LC0001",
                          school=SchoolFactory(district=district("370112")))


def login_as(client, role, district_code=None, username=None):
    user = UserFactory(username=username or f"{role.name.lower()}-user")
    if role == Role.DISTRICT_ADMIN:
        district_admin_assign(user=user, district=district(district_code))
    else:
        user_role_add(user=user, role=role)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


def adjustment(who, **overrides):
    data = {
        "teacher": who.staff_number,
        "hours": "3.5",
        "person_times": "1",
        "occurred_on": TRAINING_DAY.isoformat(),
        "reason": "补录：暑期集中培训签到表漏登",
        "request_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def errors_of(response):
    assert response.status_code == 200, "an invalid form is shown again, not a redirect or a 500"
    return response.context["form"].errors


def messages_of(response):
    """The messages' texts, without the buttons Wagtail renders into them."""
    return [str(message).split("<span", 1)[0].strip() for message in response.context["messages"]]


def test_hr_adjusts_a_teachers_hours_with_a_reason_and_an_evidence_file(client, teacher, media_root, settings):
    hr = login_as(client, Role.HR)
    form_page = client.get(ADJUST_URL)
    assert form_page.status_code == 200
    token = form_page.context["form"].initial["request_token"]
    assert 'name="request_token"' in form_page.content.decode()

    evidence = SimpleUploadedFile("签到表-张小伟.pdf", PDF, content_type="application/pdf")
    response = client.post(ADJUST_URL, adjustment(teacher, request_token=str(token), evidence_file=evidence),
                           follow=True)

    entry = TrainingCredit.objects.get()
    assert (entry.teacher, entry.category, entry.hours, entry.person_times) == (
        teacher, CreditCategory.ADJUSTMENT, Decimal("3.50"), 1
    )
    assert entry.reason == "补录：暑期集中培训签到表漏登"
    assert entry.credited_by == hr and entry.occurred_on == TRAINING_DAY
    assert entry.source_key == f"adjustment:{uuid.UUID(str(token)).hex}"
    # Stored, under a name that says nothing about the teacher.
    assert entry.evidence_file.name.startswith("ledger/") and entry.evidence_file.name.endswith(".pdf")
    assert "张小伟" not in entry.evidence_file.name
    with entry.evidence_file.open("rb") as stored:
        assert stored.read() == PDF
    assert (media_root / entry.evidence_file.name).exists()
    assert not (settings.MEDIA_ROOT / "ledger").exists()
    tally = TeacherYearTally.objects.get(teacher=teacher, year=2025, category=CreditCategory.ADJUSTMENT)
    assert tally.hours == Decimal("3.50")
    assert any("Adjusted the hours of 张小伟" in message for message in messages_of(response))


def test_a_form_sent_twice_adjusts_once(client, teacher):
    login_as(client, Role.HR)
    data = adjustment(teacher)

    first = client.post(ADJUST_URL, data)
    second = client.post(ADJUST_URL, data, follow=True)

    assert first.status_code == 302
    assert TrainingCredit.objects.count() == 1
    assert str(MESSAGE_ALREADY_ADJUSTED) in messages_of(second)
    # Another form (another token) is another adjustment.
    client.post(ADJUST_URL, adjustment(teacher))
    assert TrainingCredit.objects.count() == 2


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"evidence_file": SimpleUploadedFile("签到表.exe", b"MZ\x90\x00")}, "evidence_file", EVIDENCE_WRONG_TYPE),
        ({"evidence_file": SimpleUploadedFile("签到表.txt", b"hello")}, "evidence_file", EVIDENCE_WRONG_TYPE),
        # A renamed file is not what it claims to be.
        ({"evidence_file": SimpleUploadedFile("签到表.pdf", b"<html><script>")}, "evidence_file", EVIDENCE_WRONG_TYPE),
        ({"reason": ""}, "reason", None),
        ({"reason": "   "}, "reason", None),
        ({"teacher": "NOBODY"}, "teacher", TEACHER_NOT_IN_SCOPE),
        ({"request_token": None}, "request_token", FORM_EXPIRED),
        # The service's own checks come back as form errors, never a 500.
        ({"hours": "0", "person_times": "0"}, "hours", ADJUSTMENT_ZERO),
        ({"occurred_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()}, "occurred_on", FUTURE_DATE),
        ({"hours": "500"}, "hours", None),
        ({"person_times": "2"}, "person_times", None),
    ],
)
def test_a_bad_adjustment_is_a_form_error_and_writes_nothing(client, teacher, overrides, field, message, media_root):
    login_as(client, Role.HR)
    response = client.post(ADJUST_URL, adjustment(teacher, **overrides))

    errors = errors_of(response)
    assert field in errors
    if message is not None:
        assert str(message) in errors[field]
    assert not TrainingCredit.objects.exists()
    assert not (media_root / "ledger").exists()


def test_an_evidence_file_over_10_mb_is_refused(client, teacher, media_root):
    login_as(client, Role.HR)
    too_large = SimpleUploadedFile("证明.pdf", PDF + b"0" * (EVIDENCE_MAX_BYTES + 1 - len(PDF)))
    response = client.post(ADJUST_URL, adjustment(teacher, evidence_file=too_large))

    [error] = errors_of(response)["evidence_file"]
    assert error == str(EVIDENCE_TOO_LARGE) % {"size": "10.0\xa0MB", "limit": "10.0\xa0MB"}
    assert not TrainingCredit.objects.exists()
    assert not (media_root / "ledger").exists()

    just_right = SimpleUploadedFile("证明.pdf", PDF + b"0" * (EVIDENCE_MAX_BYTES - len(PDF)))
    assert client.post(ADJUST_URL, adjustment(teacher, evidence_file=just_right)).status_code == 302
    assert TrainingCredit.objects.count() == 1


def test_negative_hours_take_hours_away(client, teacher):
    login_as(client, Role.HR)
    credit_record(teacher=teacher, category=CreditCategory.ONLINE_COURSE, hours="4", source_key="course:1",
                  occurred_on=TRAINING_DAY)
    client.post(ADJUST_URL, adjustment(teacher, hours="-2", person_times="-1"))

    entry = TrainingCredit.objects.get(category=CreditCategory.ADJUSTMENT)
    assert (entry.hours, entry.person_times) == (Decimal("-2.00"), -1)


def test_only_teachers_in_the_users_districts_can_be_adjusted(client, teacher, licheng_teacher):
    # A district admin given the permission by hand still works only in
    # their district.
    admin = login_as(client, Role.DISTRICT_ADMIN, "370102")
    admin.user_permissions.add(Permission.objects.get(codename="add_trainingcredit"))

    refused = client.post(ADJUST_URL, adjustment(licheng_teacher))
    assert str(TEACHER_NOT_IN_SCOPE) in errors_of(refused)["teacher"]
    assert client.post(ADJUST_URL, adjustment(teacher)).status_code == 302
    assert list(TrainingCredit.objects.values_list("teacher__staff_number", flat=True)) == ["LX0001"]


@pytest.fixture
def entry(teacher):
    return credit_record(
        teacher=teacher, category=CreditCategory.OFFLINE_WORKSHOP, hours="8", source_key="workshop:1",
        occurred_on=TRAINING_DAY, evidence_label="小学科学实验教学能力提升工作坊",
    ).credit


def test_a_district_admin_and_a_teacher_cannot_correct_the_ledger(client, teacher, entry):
    reverse_url = f"/admin/ledger/reverse/{entry.pk}/"
    login_as(client, Role.DISTRICT_ADMIN, "370102")
    for url in (ADJUST_URL, reverse_url):
        assert client.get(url).status_code == 403
    assert client.post(ADJUST_URL, adjustment(teacher)).status_code == 403
    assert client.post(reverse_url, {"reason": "不该生效"}).status_code == 403

    client.force_login(teacher.user)
    for url in (ADJUST_URL, reverse_url):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))
    client.post(reverse_url, {"reason": "不该生效"})
    client.post(ADJUST_URL, adjustment(teacher))

    assert list(TrainingCredit.objects.all()) == [entry]


def test_hr_reverses_an_entry_once(client, entry):
    hr = login_as(client, Role.HR)
    url = reverse("credit_corrections:reverse", args=[entry.pk])
    assert url == f"/admin/ledger/reverse/{entry.pk}/"

    page = client.get(url).content.decode()
    assert "小学科学实验教学能力提升工作坊" in page and "张小伟" in page and "Reverse the entry" in page

    first = client.post(url, {"reason": "重复录入，已与签到表核对"}, follow=True)
    reversal = TrainingCredit.objects.get(reverses=entry)
    assert (reversal.hours, reversal.person_times, reversal.credited_by) == (Decimal("-8.00"), -1, hr)
    assert reversal.reason == "重复录入，已与签到表核对"
    assert "The entry was reversed." in messages_of(first)
    assert "Reverse the entry" not in first.content.decode(), "a reversed entry offers no second reversal"

    # The same form sent again, from a tab left open.
    second = client.post(url, {"reason": "再次撤销"}, follow=True)
    assert str(ALREADY_REVERSED) in messages_of(second)
    assert TrainingCredit.objects.filter(reverses=entry).count() == 1
    assert TeacherYearTally.objects.get(teacher=entry.teacher, year=2025,
                                        category=CreditCategory.OFFLINE_WORKSHOP).hours == 0

    # A reversal cannot be reversed in turn.
    again = client.post(reverse("credit_corrections:reverse", args=[reversal.pk]), {"reason": "撤销撤销"}, follow=True)
    assert str(CANNOT_REVERSE_REVERSAL) in messages_of(again)
    assert TrainingCredit.objects.count() == 2


def test_a_reversal_needs_a_reason(client, entry):
    login_as(client, Role.HR)
    response = client.post(reverse("credit_corrections:reverse", args=[entry.pk]), {"reason": ""})

    assert "reason" in errors_of(response)
    assert TrainingCredit.objects.count() == 1


def test_an_entry_outside_the_users_districts_is_not_found(client, licheng_teacher):
    other = credit_record(teacher=licheng_teacher, category=CreditCategory.ONLINE_COURSE, hours="2",
                          source_key="course:9", occurred_on=TRAINING_DAY).credit
    admin = login_as(client, Role.DISTRICT_ADMIN, "370102")
    admin.user_permissions.add(Permission.objects.get(codename="add_trainingcredit"))

    assert client.get(reverse("credit_corrections:reverse", args=[other.pk])).status_code == 404
    assert client.post(reverse("credit_corrections:reverse", args=[other.pk]), {"reason": "x"}).status_code == 404
    assert not TrainingCredit.objects.filter(reverses=other).exists()


def test_academy_admins_edit_caps_and_targets_and_hr_does_not(client):
    login_as(client, Role.ACADEMY_ADMIN)
    response = client.post(reverse("credit_caps:add"), {
        "category": CreditCategory.RESEARCH_ALONG, "yearly_hours": "40", "note": "科研跟学每年最多认定40学时",
    })
    assert response.status_code == 302
    assert CreditCap.objects.get().yearly_hours == Decimal("40")
    assert "Research-along" in client.get(reverse("credit_caps:index")).content.decode()

    response = client.post(reverse("targets:add"), {
        "name": "历下区骨干教师研修", "metric": TargetMetric.PERSON_TIMES, "cohort_kind": "", "district":
        str(district("370102").pk), "value": "3000", "start": "2024-01-01", "deadline": "2026-12-31", "sort_order": "9",
    })
    assert response.status_code == 302
    target = Target.objects.get(name="历下区骨干教师研修")
    assert (target.value, target.district.code) == (Decimal("3000"), "370102")
    assert "历下区骨干教师研修" in client.get(reverse("targets:index")).content.decode()

    login_as(client, Role.HR, username="hr-2")
    for url in (reverse("credit_caps:index"), reverse("targets:index")):
        assert client.get(url).status_code in (302, 403)


def test_the_training_hours_menu_shows_each_role_what_it_may_use(client):
    login_as(client, Role.HR)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert ADJUST_URL in home
    assert reverse("credit_caps:index") not in home

    login_as(client, Role.ACADEMY_ADMIN)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert ADJUST_URL in home and reverse("credit_caps:index") in home and reverse("targets:index") in home

    login_as(client, Role.DISTRICT_ADMIN, "370102")
    assert ADJUST_URL not in client.get(reverse("wagtailadmin_home")).content.decode()
