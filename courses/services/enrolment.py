"""Enrolling in a course and withdrawing from it."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from lms.api import POSITION_FIELDS

from ..constants import ACTIVE_STATUSES, EnrolmentStatus
from ..models import CoursePage, Enrolment
from .common import NOT_A_TEACHER, NOT_ENROLLED, _now, enrolment_lock

COURSE_NOT_AVAILABLE = _("This course is not available.")
ENROLMENT_NOT_OPEN = _("Enrolment for this course has not opened yet.")
ENROLMENT_CLOSED = _("Enrolment for this course has closed.")
COURSE_FULL = _("This course is full.")
ALREADY_ENROLLED = _("You are already enrolled in this course.")
NOT_IN_AUDIENCE = _("This course is for %(audience)s only.")
PREREQUISITES_MISSING = _("Complete these courses first: %(courses)s.")
CANNOT_WITHDRAW_COMPLETED = _("You have completed this course, so you cannot leave it.")


def _check_audience(course, teacher):
    if not course.audience:
        return
    if not any(getattr(teacher, POSITION_FIELDS[value], False) for value in course.audience if value in POSITION_FIELDS):
        raise ValidationError(NOT_IN_AUDIENCE, params={"audience": course.get_audience_display()}, code="audience")


def _check_prerequisites(course, teacher):
    required = list(course.prerequisites.values_list("pk", "title"))
    if not required:
        return
    done = set(
        Enrolment.objects.filter(
            teacher=teacher, status=EnrolmentStatus.COMPLETED, course_id__in=[pk for pk, _title in required]
        ).values_list("course_id", flat=True)
    )
    missing = [title for pk, title in required if pk not in done]
    if missing:
        raise ValidationError(PREREQUISITES_MISSING, params={"courses": "、".join(missing)}, code="prerequisites")


def enrolment_create(*, course: CoursePage, teacher, now=None) -> Enrolment:
    """Enrol ``teacher`` (or re-enrol after withdrawing), respecting the
    enrolment window, audience, prerequisites and capacity."""
    now = _now(now)
    if teacher is None:
        raise ValidationError(NOT_A_TEACHER, code="not_teacher")
    if not course.live:
        raise ValidationError(COURSE_NOT_AVAILABLE, code="not_live")
    if course.enrol_opens_at and now < course.enrol_opens_at:
        raise ValidationError(ENROLMENT_NOT_OPEN, code="not_open")
    if course.enrol_closes_at and now >= course.enrol_closes_at:
        raise ValidationError(ENROLMENT_CLOSED, code="closed")
    _check_audience(course, teacher)
    _check_prerequisites(course, teacher)
    with transaction.atomic():
        # The course row is the lock that keeps concurrent enrolments from
        # overfilling it.
        CoursePage.objects.select_for_update(of=("self",)).filter(pk=course.pk).values_list("pk").first()
        existing = Enrolment.objects.filter(course=course, teacher=teacher).first()
        if existing is not None and existing.status in ACTIVE_STATUSES:
            raise ValidationError(ALREADY_ENROLLED, code="already")
        if course.capacity is not None:
            taken = Enrolment.objects.filter(course=course, status__in=ACTIVE_STATUSES).count()
            if taken >= course.capacity:
                raise ValidationError(COURSE_FULL, code="full")
        if existing is not None:
            existing.status = EnrolmentStatus.ENROLLED
            existing.withdrawn_at = None
            existing.enrolled_at = now
            existing.save(update_fields=["status", "withdrawn_at", "enrolled_at"])
            return existing
        try:
            with transaction.atomic():
                return Enrolment.objects.create(course=course, teacher=teacher, enrolled_at=now)
        except IntegrityError:
            raise ValidationError(ALREADY_ENROLLED, code="already")


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, now=None) -> Enrolment:
    enrolment = enrolment_lock(enrolment)
    if enrolment.status == EnrolmentStatus.COMPLETED:
        raise ValidationError(CANNOT_WITHDRAW_COMPLETED, code="completed")
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ValidationError(NOT_ENROLLED, code="not_enrolled")
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_at = _now(now)
    enrolment.save(update_fields=["status", "withdrawn_at"])
    return enrolment
