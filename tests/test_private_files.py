"""Personal files are private: every kind is served only through the checked
view, to the teacher it belongs to and the staff whose scope covers them;
everyone else, anonymous visitors included, gets a 404. Nothing personal is
stored under MEDIA_ROOT."""

import datetime
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from certificates.services import certificate_issue, certificate_pdf_ensure
from certificates.tests.factories import CertificateTemplateFactory
from conftest import files_under
from lms.constants import Role
from lms.ledger.services import credit_adjust
from lms.models import ImportBatch, NominationAttachment
from lms.people.services import district_admin_assign, user_role_add
from lms.tests.factories import CohortMembershipFactory, SchoolFactory, UserFactory, district
from mentors import services as mentor_services
from mentors.constants import ActivityKind
from mentors.models import ActivityEvidence
from mentors.tests.factories import PDF_BYTES, active_pairing, days_ago, teacher

pytestmark = pytest.mark.django_db

CSV = "工号,姓名\nT0001,张小伟\n".encode()
OTHER_DISTRICT = "370112"


def user(role, district_code=None):
    account = UserFactory()
    if role == Role.DISTRICT_ADMIN:
        district_admin_assign(user=account, district=district(district_code))
    else:
        user_role_add(user=account, role=role)
    return account


@pytest.fixture
def people():
    """The teacher the files belong to (a 历下区 school) and everyone else."""
    pairing = active_pairing(teacher_profile=teacher(real_name="张小伟", school=SchoolFactory()))
    return {
        "pairing": pairing,
        "teacher": pairing.teacher,
        "mentor": pairing.mentor.user,
        "other_teacher": teacher(school=SchoolFactory(district=district(OTHER_DISTRICT))).user,
        "district_admin": user(Role.DISTRICT_ADMIN, "370102"),
        "other_district_admin": user(Role.DISTRICT_ADMIN, OTHER_DISTRICT),
        "hr": user(Role.HR),
        "academy_admin": user(Role.ACADEMY_ADMIN),
        "trainer": user(Role.TRAINER),
    }


def ledger_evidence(people):
    entry = credit_adjust(
        teacher=people["teacher"], hours="2", person_times=0, occurred_on=datetime.date(2025, 6, 20),
        reason="补录签到表", adjusted_by=people["hr"],
        evidence_file=SimpleUploadedFile("3f2a.pdf", PDF_BYTES),
    ).credit
    return entry.evidence_file, "3f2a.pdf"


def nomination_attachment(people):
    membership = CohortMembershipFactory(teacher=people["teacher"])
    attachment = NominationAttachment.objects.create(
        membership=membership, file=SimpleUploadedFile("推荐表.pdf", PDF_BYTES), original_filename="推荐表.pdf"
    )
    return attachment.file, "推荐表.pdf"


def research_evidence(people):
    activity = mentor_services.pairing_activity_log(
        pairing=people["pairing"], user=people["teacher"].user, occurred_on=days_ago(1),
        kind=ActivityKind.MEETING, hours="1", description="组会",
        evidence_files=[SimpleUploadedFile("实验记录.pdf", PDF_BYTES)],
    )
    return activity.evidence_files.get().file, "实验记录.pdf"


def certificate_pdf(people):
    certificate = certificate_issue(
        kind="course", holder=people["teacher"], subject_key="course:1", subject_label="科学探究",
        template=CertificateTemplateFactory(),
    ).certificate
    return certificate_pdf_ensure(certificate=certificate), f"{certificate.serial}.pdf"


def import_upload(people):
    batch = ImportBatch.objects.create(
        kind="teachers", file=SimpleUploadedFile("教师名单.csv", CSV), original_filename="教师名单.csv",
        created_by=people["hr"],
    )
    return batch.file, "教师名单.csv"


# kind: (make the file, who may have it, who may not)
KINDS = {
    "ledger evidence": (
        ledger_evidence, ["teacher", "district_admin", "hr", "academy_admin"],
        ["other_teacher", "other_district_admin", "trainer", "mentor"],
    ),
    "nomination attachment": (
        nomination_attachment, ["teacher", "district_admin", "hr", "academy_admin"],
        ["other_teacher", "other_district_admin", "trainer", "mentor"],
    ),
    "research-along evidence": (
        research_evidence, ["teacher", "mentor", "district_admin", "academy_admin"],
        ["other_teacher", "other_district_admin", "trainer", "hr"],
    ),
    "certificate PDF": (
        certificate_pdf, ["teacher", "hr", "academy_admin"],
        ["other_teacher", "district_admin", "other_district_admin", "trainer", "mentor"],
    ),
    "import spreadsheet": (
        import_upload, ["hr", "academy_admin"],
        ["teacher", "other_teacher", "district_admin", "other_district_admin", "trainer", "mentor"],
    ),
}


def as_user(account):
    client = Client()
    if account is not None:
        client.force_login(account)
    return client


def account(people, who):
    return people["teacher"].user if who == "teacher" else people[who]


@pytest.mark.parametrize("kind", KINDS)
def test_a_personal_file_is_served_only_to_whoever_may_have_it(kind, people, media_roots):
    make, allowed, denied = KINDS[kind]
    public, private = media_roots
    file, filename = make(people)
    url = file.url
    assert url == reverse("private_file", kwargs={"name": file.name})
    assert not url.startswith("/media/")
    content = file.storage.open(file.name).read()
    # Stored privately, and nothing personal in the public media folder.
    assert (private / file.name).read_bytes() == content
    assert not [name for name in files_under(public) if not name.startswith("certificates/templates/")]

    assert as_user(None).get(url).status_code == 404
    for who in denied:
        assert as_user(account(people, who)).get(url).status_code == 404, who
    for who in allowed:
        response = as_user(account(people, who)).get(url)
        assert response.status_code == 200, who
        assert b"".join(response.streaming_content) == content, who
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"]
        assert response["Content-Disposition"] in (
            f'attachment; filename="{filename}"', f"attachment; filename*=utf-8''{quote(filename)}"
        )


def test_unknown_and_malformed_names_are_404_even_to_academy_admins(people, media_roots):
    client = as_user(people["academy_admin"])
    file, _name = research_evidence(people)
    for name in ("research-along/2026/01/nothere.pdf", "other/" + file.name, "../" + file.name,
                 file.name.replace("research-along/", "ledger/")):
        assert client.get(reverse("private_file", kwargs={"name": name})).status_code == 404, name


def test_the_web_server_sends_the_file_when_told_to(people, media_roots, settings):
    file, filename = nomination_attachment(people)
    client = as_user(people["hr"])
    settings.PRIVATE_MEDIA_SERVE = "x-accel-redirect"
    settings.PRIVATE_MEDIA_ACCEL_PREFIX = "/private-media/"
    response = client.get(file.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/private-media/" + quote(file.name)
    assert response.content == b""
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(filename)}"
    assert response["X-Content-Type-Options"] == "nosniff" and "private" in response["Cache-Control"]
    settings.PRIVATE_MEDIA_SERVE = "x-sendfile"
    response = client.get(file.url)
    assert response["X-Sendfile"] == str(media_roots[1] / file.name)
    assert response.content == b""
    # The check still comes first.
    assert as_user(people["other_district_admin"]).get(file.url).status_code == 404


def test_files_stored_before_are_moved_out_of_the_public_media_root(people, media_roots):
    public, private = media_roots
    file, _filename = ledger_evidence(people)
    # As an earlier version stored it: under MEDIA_ROOT.
    storages["default"].save(file.name, file.storage.open(file.name))
    file.storage.delete(file.name)
    out = StringIO()
    call_command("move_private_files", stdout=out)
    assert "Moved 1 file(s)" in out.getvalue()
    assert files_under(public) == []
    assert (private / file.name).read_bytes() == PDF_BYTES
    call_command("move_private_files", stdout=out)
    assert "Moved 0 file(s); 1 already private" in out.getvalue()


def test_anonymous_visitors_are_not_sent_to_sign_in_for_a_file(people, media_roots):
    file, _name = research_evidence(people)
    for url in (file.url, reverse("mentors:evidence", args=[ActivityEvidence.objects.get().pk])):
        response = as_user(None).get(url)
        assert response.status_code == 404 and "Location" not in response
