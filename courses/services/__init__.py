"""Writes to enrolments, progress, quiz attempts and attendance, one module
per flow (enrolment, trainers, learning, attendance, completion); this
package gathers their public names, so callers keep using ``courses.services``.

Every service that can change whether a teacher has completed a course
locks that teacher's enrolment row first (``select_for_update``), so two
requests for the same enrolment (a double click, two tabs, a retried task)
run one after the other. Completion then credits the ledger in the same
transaction, under a source key unique to the enrolment: the enrolment's
status and the ledger's unique key each make a second credit impossible.
See docs/decisions/0011-course-completion-idempotency.md.
"""

from .attendance import (
    ALREADY_CHECKED_IN,
    CHECKIN_CODE_EXPIRED,
    CHECKIN_CODE_UNKNOWN,
    CHECKIN_OUTSIDE_SESSION,
    CHECKIN_SESSION_TOO_MANY_WRONG_CODES,
    CHECKIN_TOO_MANY_WRONG_CODES,
    SESSION_FULL,
    SESSION_OVER,
    attendance_record,
    checkin,
    checkin_code_create,
)
from .common import (
    NOT_A_TEACHER,
    NOT_ENROLLED,
    ProgressResult,
    enrolment_lock,
)
from .completion import (
    COMPLETION_NOT_CREDITED,
    CREDITED_VIA,
    enrolment_completion_check,
    enrolment_completion_reannounce,
)
from .enrolment import (
    ALREADY_ENROLLED,
    CANNOT_WITHDRAW_COMPLETED,
    COURSE_FULL,
    COURSE_NOT_AVAILABLE,
    ENROLMENT_CLOSED,
    ENROLMENT_NOT_OPEN,
    NOT_IN_AUDIENCE,
    PREREQUISITES_MISSING,
    enrolment_create,
    enrolment_withdraw,
)
from .learning import (
    LESSON_NOT_IN_COURSE,
    NO_ATTEMPTS_LEFT,
    PROGRESS_UPSERT_SQL,
    QUIZ_ALREADY_PASSED,
    QUIZ_NOT_FOUND,
    VISIT_SALT,
    QuizResult,
    lesson_complete,
    lesson_visit_token,
    quiz_submit,
)
from .trainers import (
    course_manager_grant,
    course_manager_revoke,
)

__all__ = [
    "ALREADY_CHECKED_IN",
    "ALREADY_ENROLLED",
    "CANNOT_WITHDRAW_COMPLETED",
    "CHECKIN_CODE_EXPIRED",
    "CHECKIN_CODE_UNKNOWN",
    "CHECKIN_OUTSIDE_SESSION",
    "CHECKIN_SESSION_TOO_MANY_WRONG_CODES",
    "CHECKIN_TOO_MANY_WRONG_CODES",
    "COMPLETION_NOT_CREDITED",
    "COURSE_FULL",
    "COURSE_NOT_AVAILABLE",
    "CREDITED_VIA",
    "ENROLMENT_CLOSED",
    "ENROLMENT_NOT_OPEN",
    "LESSON_NOT_IN_COURSE",
    "NOT_A_TEACHER",
    "NOT_ENROLLED",
    "NOT_IN_AUDIENCE",
    "NO_ATTEMPTS_LEFT",
    "PREREQUISITES_MISSING",
    "PROGRESS_UPSERT_SQL",
    "ProgressResult",
    "QUIZ_ALREADY_PASSED",
    "QUIZ_NOT_FOUND",
    "QuizResult",
    "SESSION_FULL",
    "SESSION_OVER",
    "VISIT_SALT",
    "attendance_record",
    "checkin",
    "checkin_code_create",
    "course_manager_grant",
    "course_manager_revoke",
    "enrolment_completion_check",
    "enrolment_completion_reannounce",
    "enrolment_create",
    "enrolment_lock",
    "enrolment_withdraw",
    "lesson_complete",
    "lesson_visit_token",
    "quiz_submit",
]
