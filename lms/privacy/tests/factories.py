"""A teacher with something in every part of the academy: the data page,
the export and the anonymisation are tested against the whole record."""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from certificates.constants import CertificateKind
from certificates.services import certificate_issue
from certificates.tests.factories import CertificateTemplateFactory
from courses.models import LessonProgress, QuizAttempt
from courses.tests.factories import CoursePageFactory, EnrolmentFactory, LessonPageFactory
from lms.constants import CreditCategory, ImportKind, ImportStatus, Role
from lms.ledger.services import credit_record
from lms.models import ImportBatch, NominationAttachment
from lms.tests.factories import CohortFactory, CohortMembershipFactory, TeacherFactory, user_with_role
from mentors.models import ActivityEvidence
from mentors.services import pairing_activity_confirm, pairing_activity_log
from mentors.tests.factories import PDF_BYTES, active_pairing

# Unusual enough that finding them anywhere means they were not removed.
REAL_NAME = "欧阳晓岚"
STAFF_NUMBER = "JN20269876"
PHONE = "13912345678"
EMAIL = "ouyang.xiaolan@school.example.cn"


def full_teacher():
    teacher = TeacherFactory(real_name=REAL_NAME, staff_number=STAFF_NUMBER, phone=PHONE,
                             user__username=STAFF_NUMBER, user__email=EMAIL, user__first_name=REAL_NAME)
    from lms.people.services import user_role_add

    user_role_add(user=teacher.user, role=Role.TEACHER)
    today = timezone.localdate()

    course = CoursePageFactory(title="探究式科学教学")
    lesson = LessonPageFactory(parent=course, title="第一课")
    enrolment = EnrolmentFactory(course=course, teacher=teacher)
    LessonProgress.objects.create(enrolment=enrolment, lesson=lesson, completed_at=timezone.now(), seconds_spent=600)
    QuizAttempt.objects.create(enrolment=enrolment, lesson=lesson, quiz_id="q1", number=1,
                               answers={"1": ["b"]}, score=80, passed=True)
    credit_record(teacher=teacher, category=CreditCategory.ONLINE_COURSE, hours=Decimal("8"),
                  source_key=f"test:course:{teacher.pk}", occurred_on=today,
                  evidence_label=f"{REAL_NAME}的线上课程")

    CertificateTemplateFactory(is_default=True)
    certificate_issue(kind=CertificateKind.COURSE_COMPLETION, holder=teacher, subject_key=f"course:{course.pk}",
                      subject_label=course.title, hours=Decimal("8"), started_on=today, completed_on=today,
                      notify=False)

    cohort = CohortFactory()
    membership = CohortMembershipFactory(cohort=cohort, teacher=teacher,
                                         statement=f"{REAL_NAME}老师（工号{STAFF_NUMBER}）教学成绩突出")
    NominationAttachment.objects.create(membership=membership, original_filename=f"{REAL_NAME}推荐表.pdf",
                                        file=ContentFile(PDF_BYTES, name="nomination.pdf"))

    pairing = active_pairing(teacher_profile=teacher, goals=f"{REAL_NAME}与导师合作开发实验课")
    activity = pairing_activity_log(pairing=pairing, user=teacher.user, occurred_on=today, kind="meeting",
                                    hours=Decimal("2"), description=f"{REAL_NAME}参观实验室")
    ActivityEvidence.objects.create(activity=activity, original_filename="照片.pdf", size=len(PDF_BYTES),
                                    file=ContentFile(PDF_BYTES, name="evidence.pdf"))
    pairing_activity_confirm(activity=activity, user=pairing.mentor.user)

    ImportBatch.objects.create(
        kind=ImportKind.TEACHERS, status=ImportStatus.COMMITTED, original_filename="名单.xlsx",
        file=ContentFile(b"roster", name="roster.xlsx"),
        preview=[{"row": 2, "action": "create", "key": STAFF_NUMBER, "name": REAL_NAME, "place": "", "changes": {}},
                 {"row": 3, "action": "create", "key": "JN1", "name": "李四", "place": "", "changes": {}}],
    )
    return teacher


def district_admin_of(district):
    from lms.people.services import district_admin_assign
    from lms.tests.factories import UserFactory

    user = UserFactory()
    district_admin_assign(user=user, district=district)
    return user


def academy_admin():
    return user_with_role(Role.ACADEMY_ADMIN)
