"""The courses app's public names: the only ones other apps import from
courses (docs/decisions/0090-app-apis-and-import-contracts.md)."""

from .constants import EnrolmentStatus
from .models import Attendance, CourseIndexPage, CoursePage, Enrolment, LessonProgress, OfflineSession, QuizAttempt
from .seeding import demo_catalogue_seed

__all__ = [
    # Pages of the catalogue (the home page features courses).
    "CourseIndexPage",
    "CoursePage",
    "OfflineSession",
    # A teacher's learning records (their personal data; cohort progress).
    "Attendance",
    "Enrolment",
    "EnrolmentStatus",
    "LessonProgress",
    "QuizAttempt",
    # The demo catalogue, seeded by lms.demo.
    "demo_catalogue_seed",
]
