"""Statuses and kinds of the research-along (科研跟学) app."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionType(models.TextChoices):
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")
    COMPANY = "company", _("High-tech company")
    EDUCATION_RESEARCH = "education_research", _("Education research")


class PairingStatus(models.TextChoices):
    """proposed → active → completed, or declined (never started) or
    ended early (started, stopped before completion), each with a reason."""

    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    ENDED_EARLY = "ended_early", _("Ended early")


# Statuses in which a teacher and mentor are (or may become) working together:
# at most one such pairing of the same teacher with the same mentor.
OPEN_PAIRING_STATUSES = (PairingStatus.PROPOSED, PairingStatus.ACTIVE)


class ProposalSource(models.TextChoices):
    TEACHER = "teacher", _("Teacher's application")
    DISTRICT = "district", _("District admin")
    ACADEMY = "academy", _("Academy admin")


class ActivityKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    LAB_SESSION = "lab_session", _("Lab session")
    FIELD_WORK = "field_work", _("Field work")
    JOINT_EXPERIMENT = "joint_experiment", _("Joint experiment")
    CO_AUTHORED_OUTPUT = "co_authored_output", _("Co-authored output")
    LESSON_DESIGN = "lesson_design", _("Lesson or course design from the research")


class ActivityStatus(models.TextChoices):
    """submitted → confirmed (and credited in the same transaction) or returned."""

    SUBMITTED = "submitted", _("Waiting for the mentor")
    CONFIRMED = "confirmed", _("Confirmed")
    RETURNED = "returned", _("Returned")


class OutputKind(models.TextChoices):
    PAPER = "paper", _("Paper")
    LESSON_DESIGN = "lesson_design", _("Lesson design")
    STUDENT_PROJECT = "student_project", _("Student project")
    OTHER = "other", _("Other")


# Hours in one day; a teacher's logged activities of one date never exceed it.
HOURS_PER_DAY = Decimal("24")

# Object permissions on a pairing given to its mentor's and teacher's users.
PAIRING_VIEW_PERMISSION = "mentors.view_researchpairing"
PAIRING_CHANGE_PERMISSION = "mentors.change_researchpairing"

CREDITED_VIA = "research-along"


def activity_source_key(activity_pk) -> str:
    """The ledger's evidence key of a confirmed activity."""
    return f"research-activity:{activity_pk}"


def pairing_completion_key(pairing_pk) -> str:
    """The key of a pairing's completion (lms.events): one per pairing."""
    return f"research-along-completion:{pairing_pk}"
