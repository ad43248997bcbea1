from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CourseMode(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline")
    BLENDED = "blended", _("Blended")


class CourseCategory(models.TextChoices):
    GENERAL_LITERACY = "general_literacy", _("General science literacy")
    SUBJECT_TEACHING = "subject_teaching", _("Subject teaching")
    LAB_TEACHING = "lab_teaching", _("Lab and experiment teaching")
    CROSS_DISCIPLINARY = "cross_disciplinary", _("Cross-disciplinary")
    OLYMPIAD_COACHING = "olympiad_coaching", _("Olympiad coaching")
    RESEARCH_METHODS = "research_methods", _("Research methods")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", pgettext_lazy("enrolment status", "Enrolled")
    COMPLETED = "completed", pgettext_lazy("enrolment status", "Completed")
    WITHDRAWN = "withdrawn", pgettext_lazy("enrolment status", "Withdrawn")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")


class AttendanceVia(models.TextChoices):
    TRAINER = "trainer", _("Taken by the trainer")
    CHECKIN = "checkin", _("Check-in code")


# Enrolments that hold a place on the course.
ACTIVE_STATUSES = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)

# The object permission a trainer holds on each course they own or were given.
COURSE_MANAGE_PERMISSION = "courses.manage_course"

# The ledger's evidence key for a completed enrolment: one per enrolment, so
# the ledger's unique source_key makes a second credit impossible.
COMPLETION_SOURCE_KEY = "course-completion:{pk}"

# A check-in code is shown in the room and valid this many seconds.
CHECKIN_CODE_SECONDS = 5 * 60
CHECKIN_CODE_LENGTH = 6
# Wrong check-in codes allowed per window, per teacher and per running
# session (many accounts in one room), before further tries, right or
# wrong, are refused until the window ends. One in a million codes, five
# tries: guessing is hopeless; a room of teachers mistyping is not stopped.
CHECKIN_WRONG_CODES_PER_TEACHER = 5
CHECKIN_WRONG_CODES_PER_SESSION = 30
CHECKIN_WRONG_CODE_WINDOW_SECONDS = 5 * 60
# Time on a lesson page counted for one visit at most (a tab left open all
# night is not study).
MAX_SECONDS_PER_VISIT = 2 * 60 * 60
