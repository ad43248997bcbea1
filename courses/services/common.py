"""What every learning action shares: its result, and the enrolment re-read
under a row lock with what the action needs of the course and teacher."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from lms.api import RowShape, School, TeacherProfile, read_row

from ..constants import ACTIVE_STATUSES
from ..models import CoursePage, Enrolment

NOT_A_TEACHER = _("Only teachers with a teacher profile can take courses.")
NOT_ENROLLED = _("You are not enrolled in this course. Enrol first.")


@dataclass
class ProgressResult:
    """What a learning action did: whether it completed the course, and a
    message for the teacher if completion was blocked."""

    completed: bool = False
    problems: list = field(default_factory=list)


def _now(now):
    return now or timezone.now()


# What a learning action reads with the enrolment it locks: the course's
# completion rule and ledger figures, the teacher and their school (the
# ledger's snapshot). Other fields of the course are deferred.
_LOCKED_SHAPES = (
    RowShape(Enrolment, "e"),
    RowShape(CoursePage, {Page: "p", CoursePage: "c"}, fields=[
        "id", "content_type", "title", "draft_title", "slug", "path", "depth", "url_path", "live", "locale",
        "page_ptr", "subject", "stage", "credit_hours", "mode", "category", "audience", "enrol_opens_at",
        "enrol_closes_at", "capacity", "requires_lessons", "requires_quizzes", "required_sessions", "min_minutes",
        "issues_certificate",
    ]),
    RowShape(TeacherProfile, "t"),
    RowShape(School, "s"),
)
_LOCKED_SQL = """
SELECT {columns}
FROM courses_enrolment e
JOIN wagtailcore_page p ON p.id = e.course_id
JOIN courses_coursepage c ON c.page_ptr_id = e.course_id
JOIN lms_teacherprofile t ON t.id = e.teacher_id
LEFT JOIN lms_school s ON s.id = t.school_id
WHERE e.id = %s
"""
_locked_sql = {}


def enrolment_lock(enrolment: Enrolment) -> Enrolment:
    """The enrolment, re-read under a row lock for the rest of the
    transaction, with its course, teacher and school, in one statement.
    Every learning action calls it first; public so that tests can hold the
    lock and count its one query.

    Only the enrolment's row is locked (``OF e``): locking the joined course
    and page rows too would make every teacher's learning action on a course
    wait for every other teacher's, and hold up an editor publishing it.
    SQLite has no row locks; its transactions take the database's write lock
    when they begin (``transaction_mode`` IMMEDIATE)."""
    sql = _locked_sql.get(connection.vendor)
    if sql is None:
        sql = _LOCKED_SQL.format(columns=", ".join(shape.columns(connection) for shape in _LOCKED_SHAPES))
        if connection.features.has_select_for_update_of:
            sql += "FOR UPDATE OF e"
        _locked_sql[connection.vendor] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [enrolment.pk])
        row = cursor.fetchone()
    if row is None:
        raise Enrolment.DoesNotExist
    locked, course, teacher, school = read_row(row, _LOCKED_SHAPES, connection)
    teacher.school = school
    locked.course, locked.teacher = course, teacher
    return locked


def _require_active(enrolment):
    if enrolment is None or enrolment.status not in ACTIVE_STATUSES:
        raise ValidationError(NOT_ENROLLED, code="not_enrolled")
