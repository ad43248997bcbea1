"""A small academy with one object of each kind and a user for each role,
shared by the security matrix and the hostile-input test.

"Another X" is a second user of the same role who owns nothing and is
paired with no one: it shows that a role's access is scoped to its own
objects. The teacher works in 历下区; the district admins manage 历下区
(theirs) and 历城区 (another district)."""

import datetime
import io
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from certificates.constants import CertificateKind
from certificates.models import IssueBatch
from certificates.services import certificate_issue
from certificates.tests.factories import CertificateTemplateFactory, TranscriptTemplateFactory
from courses.models import Enrolment
from courses.tests.factories import CheckinCodeFactory, CoursePageFactory, OfflineSessionFactory, lesson_with_quiz
from lms.cohorts.services import membership_nominate
from lms.constants import CreditCategory, ImportKind, Role
from lms.imports.services import import_batch_create
from lms.ledger.services import credit_record
from lms.models import CreditCap, Target
from lms.people.services import district_admin_assign
from lms.privacy.constants import CorrectionField
from lms.privacy.services import correction_request_create
from lms.tests.factories import (
    CohortAssessmentFactory,
    CohortFactory,
    SchoolFactory,
    TeacherFactory,
    district,
    user_with_role,
)
from mentors.constants import ActivityKind
from mentors.services import mentor_project_post, pairing_activity_log
from mentors.tests.factories import PDF_BYTES, MentorFactory, active_pairing, days_ago
from themes.models import BrandingSettings

# The roles, in the order the matrix shows them.
ROLES = (
    "anonymous",
    "teacher",
    "another teacher",
    "trainer",
    "another trainer",
    "mentor",
    "another mentor",
    "district admin",
    "another district's admin",
    "HR",
    "academy admin",
)

YEAR = 2026
CSV_TEMPLATE_ROW = "姓名,工号,学校代码,学科,学段\n张伟,T0000001,S00001,科学,小学\n".encode()


@dataclass
class Academy:
    users: dict
    objects: dict = field(default_factory=dict)

    def user(self, role):
        return self.users[role]


def _teacher(school, **kwargs):
    profile = TeacherFactory(school=school, **kwargs)
    Group.objects.get(name=Role.TEACHER.value).user_set.add(profile.user)
    return profile


def _png():
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _wagtail_objects(objects, owner):
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Collection, Site, Task, Workflow

    objects["document"] = get_document_model().objects.create(
        title="实验室安全手册", file=ContentFile(PDF_BYTES, name="manual.pdf"), uploaded_by_user=owner
    )
    objects["image"] = get_image_model().objects.create(
        title="实验装置", file=ContentFile(_png(), name="apparatus.png"), uploaded_by_user=owner
    )
    objects["redirect"] = Redirect.objects.create(old_path="/old-course", redirect_link="/")
    objects["collection"] = Collection.get_first_root_node()
    objects["site"] = Site.objects.get(is_default_site=True)
    # Created on the first page view otherwise, which would read as a write.
    BrandingSettings.for_site(objects["site"])
    objects["workflow"] = Workflow.objects.order_by("pk").first()
    objects["task"] = Task.objects.order_by("pk").first()


def academy_build() -> Academy:
    lixia, licheng = district("370102"), district("370112")
    school = SchoolFactory(district=lixia)
    other_school = SchoolFactory(district=licheng)

    teacher = _teacher(school, real_name="张伟", user__username="teacher")
    other_teacher = _teacher(other_school, real_name="王芳", user__username="another-teacher")
    trainer = user_with_role(Role.TRAINER, username="trainer")
    other_trainer = user_with_role(Role.TRAINER, username="another-trainer")
    mentor = MentorFactory(user__username="mentor@sdu.example", real_name="周志强")
    other_mentor = MentorFactory(user__username="another-mentor@sdu.example", real_name="孙海燕")
    district_admin = user_with_role(Role.DISTRICT_ADMIN, username="district-admin")
    district_admin_assign(user=district_admin, district=lixia)
    other_district_admin = user_with_role(Role.DISTRICT_ADMIN, username="another-district-admin")
    district_admin_assign(user=other_district_admin, district=licheng)
    hr = user_with_role(Role.HR, username="hr")
    academy_admin = user_with_role(Role.ACADEMY_ADMIN, username="academy-admin")

    users = {
        "anonymous": AnonymousUser(),
        "teacher": teacher.user,
        "another teacher": other_teacher.user,
        "trainer": trainer,
        "another trainer": other_trainer,
        "mentor": mentor.user,
        "another mentor": other_mentor.user,
        "district admin": district_admin,
        "another district's admin": other_district_admin,
        "HR": hr,
        "academy admin": academy_admin,
    }
    objects = {"teacher": teacher, "school": school, "district": lixia, "mentor": mentor}

    course = CoursePageFactory(owner=trainer, title="小学科学实验教学")
    lesson, quiz_id = lesson_with_quiz(course)
    course.save_revision(user=trainer)
    session = OfflineSessionFactory(course=course)
    objects.update(
        course=course,
        lesson=lesson,
        quiz_id=quiz_id,
        revision=course.latest_revision,
        session=session,
        checkin_code=CheckinCodeFactory(session=session),
        enrolment=Enrolment.objects.create(course=course, teacher=teacher),
    )

    template = CertificateTemplateFactory(kind=CertificateKind.COURSE_COMPLETION, is_default=True)
    objects["template"] = template
    TranscriptTemplateFactory(is_default=True)
    objects["certificate"] = certificate_issue(
        kind=CertificateKind.COURSE_COMPLETION, holder=teacher, subject_object=course, template=template,
        hours="8", notify=False,
    ).certificate
    objects["issue_batch"] = IssueBatch.objects.create(
        template=template, kind=CertificateKind.COURSE_COMPLETION, description="暑期集中培训", created_by=hr
    )

    objects["credit"] = credit_record(
        teacher=teacher, category=CreditCategory.OFFLINE_WORKSHOP, hours="24", source_key="summer:1",
        occurred_on=datetime.date(YEAR, 7, 20), evidence_label="暑期科学教师集中培训",
        evidence_file=SimpleUploadedFile("attendance.pdf", PDF_BYTES),
    ).credit
    objects["credit_cap"] = CreditCap.objects.create(category=CreditCategory.OFFLINE_WORKSHOP, yearly_hours=72)
    objects["target"] = Target.objects.order_by("pk").first()
    objects["import_batch"] = import_batch_create(
        kind=ImportKind.TEACHERS, uploaded_file=SimpleUploadedFile("teachers.csv", CSV_TEMPLATE_ROW), user=hr
    )

    cohort = CohortFactory(period_start=datetime.date(YEAR, 1, 1), period_end=datetime.date(YEAR, 12, 31))
    CohortAssessmentFactory(cohort=cohort)
    objects["cohort"] = cohort
    objects["membership"] = membership_nominate(
        cohort=cohort, teacher=teacher, by=district_admin, statement="教学业绩突出，长期承担区级公开课。",
        override_reason="",
    )

    objects["correction_request"] = correction_request_create(
        teacher=teacher, field=CorrectionField.PHONE, text="手机号已更换，请更新为新号码。"
    )

    pairing = active_pairing(teacher_profile=teacher, mentor=mentor, start_days_ago=30)
    objects["pairing"] = pairing
    objects["project"] = mentor_project_post(mentor=mentor, title="黄河水质微生物监测")
    activity = pairing_activity_log(
        pairing=pairing, user=teacher.user, occurred_on=days_ago(1), kind=ActivityKind.MEETING, hours="2",
        description="课题组组会，讨论水样采集方案",
        evidence_files=[SimpleUploadedFile("minutes.pdf", PDF_BYTES)],
    )
    objects["activity"] = activity
    objects["evidence"] = activity.evidence_files.get()

    _wagtail_objects(objects, academy_admin)
    return Academy(users=users, objects=objects)
