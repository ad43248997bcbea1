import datetime
import io
import zipfile

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lms.constants import Role, Stage, Subject
from lms.tests.factories import TeacherFactory, UserFactory, user_with_role
from mentors.constants import InstitutionType
from mentors.models import MentorProfile
from mentors.services import pairing_accept, pairing_propose


class MentorUserFactory(UserFactory):
    class Meta:
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"mentor{n}@sdu.example")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if create:
            from lms.people.services import user_role_add

            user_role_add(user=user, role=Role.MENTOR)


class MentorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorProfile

    user = factory.SubFactory(MentorUserFactory)
    real_name = factory.Iterator(["周志强", "孙海燕", "郭建军"])
    institution = "山东大学"
    institution_type = InstitutionType.UNIVERSITY
    research_fields = "凝聚态物理"
    subjects = factory.LazyFunction(lambda: [Subject.PHYSICS, Subject.SCIENCE])
    stages = factory.LazyFunction(lambda: [Stage.PRIMARY, Stage.JUNIOR])
    capacity = 2


def teacher(**kwargs):
    teacher = TeacherFactory(**kwargs)
    from lms.people.services import user_role_add

    user_role_add(user=teacher.user, role=Role.TEACHER)
    return teacher


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def proposed_pairing(*, teacher_profile=None, mentor=None, start_days_ago=30, **kwargs):
    teacher_profile = teacher_profile or teacher()
    mentor = mentor or MentorFactory()
    return pairing_propose(
        teacher=teacher_profile,
        mentor=mentor,
        project_title=kwargs.pop("project_title", "黄河水质微生物监测"),
        goals=kwargs.pop("goals", "把课题组的水质检测方法改编成初中生物探究课"),
        start_on=days_ago(start_days_ago),
        planned_end_on=days_ago(start_days_ago) + datetime.timedelta(days=180),
        proposed_by=kwargs.pop("proposed_by", teacher_profile.user),
        **kwargs,
    )


def active_pairing(**kwargs):
    pairing = proposed_pairing(**kwargs)
    return pairing_accept(pairing=pairing, user=pairing.mentor.user)


def academy_admin(**kwargs):
    return user_with_role(Role.ACADEMY_ADMIN, **kwargs)


# --- real evidence files -----------------------------------------------------

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office_bytes(folder="word/"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)
