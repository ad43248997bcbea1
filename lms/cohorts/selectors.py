"""Scoped reads of talent cohorts: which cohorts and memberships a user may
see (HR and academy admins all, a district admin their district's teachers'),
the roster, the talent registry, a teacher's own memberships, the counts of
the overview and the dashboards."""

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from lms.cohorts.models import Cohort, CohortMembership, NominationAttachment
from lms.cohorts.progress import MemberProgress, membership_progress_map
from lms.cohorts.rules import NOMINATE_PERMISSION, VIEW_PERMISSION, S
from lms.constants import DISTRICT_MANAGE_PERMISSION
from lms.people.models import District, TeacherProfile
from lms.people.selectors import district_list_for_user, teacher_list_for_user
from lms.private_files import PrivateFile

AnyUser = AbstractBaseUser | AnonymousUser

NAV_CACHE_KEY = "lms:cohort-member:{pk}"
NAV_CACHE_SECONDS = 300


def cohort_list_for_user(user: AnyUser) -> QuerySet[Cohort]:
    """Every cohort, for anyone who may nominate or manage (cohorts are not
    secret); nothing for anyone else."""
    if not (user.is_authenticated and user.is_active):
        return Cohort.objects.none()
    if user.has_perm(VIEW_PERMISSION) or user.has_perm(NOMINATE_PERMISSION):
        return Cohort.objects.all()
    return Cohort.objects.none()


def membership_list_for_user(user: AnyUser) -> QuerySet[CohortMembership]:
    """Memberships of the teachers the user may see: HR and academy admins
    all, a district admin their district's."""
    if not (user.is_authenticated and user.is_active):
        return CohortMembership.objects.none()
    memberships = CohortMembership.objects.all()
    if user.has_perm(DISTRICT_MANAGE_PERMISSION):
        return memberships
    return memberships.filter(teacher__school__district__in=district_list_for_user(user))


def nomination_attachment_file_get_for_user(user: AnyUser, name: str) -> PrivateFile | None:
    """A nomination attachment, for the nominated teacher and for staff
    whose scope covers the teacher (HR and academy admins, the district's
    admins)."""
    if not (user.is_authenticated and user.is_active):
        return None
    attachment = (
        NominationAttachment.objects.filter(file=name)
        .filter(Q(membership__teacher__user=user) | Q(membership__in=membership_list_for_user(user)))
        .first()
    )
    if attachment is None:
        return None
    return PrivateFile(attachment.file, attachment.original_filename)


def nominee_get_for_user(user: AnyUser, *, staff_number: str) -> TeacherProfile | None:
    """The teacher with ``staff_number`` if ``user`` may nominate them (their
    scope covers the teacher), else None: a teacher of another district is
    not told apart from a staff number nobody holds."""
    return teacher_list_for_user(user).filter(staff_number=staff_number).first()


def roster_list(*, cohort: Cohort, user: AnyUser) -> QuerySet[CohortMembership]:
    """The cohort's members the user may see, with their teacher, school
    and district: one query."""
    return (
        membership_list_for_user(user)
        .filter(cohort=cohort)
        .select_related("teacher__school__district")
        .order_by("teacher__staff_number")
    )


def talent_registry_list(*, user: AnyUser) -> QuerySet[CohortMembership]:
    """Certified members the user may see, for the talent registry."""
    return (
        membership_list_for_user(user)
        .filter(status=S.CERTIFIED)
        .select_related("teacher__school__district", "cohort")
        .order_by("-certified_at", "pk")
    )


def my_membership_list(*, teacher: TeacherProfile) -> list[tuple[CohortMembership, MemberProgress]]:
    """A teacher's memberships with their progress: one progress
    computation per cohort (a teacher is in few)."""
    memberships = list(
        CohortMembership.objects.filter(teacher=teacher).select_related("cohort").order_by("-nominated_at")
    )
    return [
        (membership, membership_progress_map(cohort=membership.cohort, memberships=[membership])[membership.pk])
        for membership in memberships
    ]


def teacher_has_membership(user: AnyUser) -> bool:
    """Whether the public site's menu shows "My cohorts" to ``user``.

    Asked on every page, so the answer is cached for a few minutes (and
    dropped when the user is nominated): the pages' pinned query counts
    stay as they are."""
    if not user.is_authenticated:
        return False
    key = NAV_CACHE_KEY.format(pk=user.pk)
    answer = cache.get(key)
    if answer is None:
        answer = CohortMembership.objects.filter(teacher__user=user).exclude(status=S.NOT_ADMITTED).exists()
        cache.set(key, answer, NAV_CACHE_SECONDS)
    return answer


def cohort_certified_counts(*, district: District | None = None) -> dict:
    """Certified members by cohort kind (``{kind: count}``), city-wide or
    of one district's teachers: one query."""
    memberships = CohortMembership.objects.filter(status=S.CERTIFIED)
    if district is not None:
        memberships = memberships.filter(teacher__school__district=district)
    return dict(memberships.order_by().values_list("cohort__kind").annotate(n=Count("pk")))


def cohort_status_counts(cohorts: Iterable[Cohort]) -> dict:
    """``{cohort pk: {status: count}}``: one query."""
    counts = defaultdict(dict)
    for cohort_id, status, n in (
        CohortMembership.objects.filter(cohort__in=cohorts).order_by().values_list("cohort_id", "status")
        .annotate(n=Count("pk"))
    ):
        counts[cohort_id][status] = n
    return counts
