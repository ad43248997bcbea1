"""The research-along report: pairings by district, institution and field,
active against completed, hours credited, mentors at capacity and teachers
waiting for a match. Every table reads the pairings the user may see
(``pairing_list_for_user``), so a district admin's report is their
district's; each is a handful of grouped queries, whatever the size."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from lms.api import Subject

from .constants import ActivityStatus, InstitutionType, PairingStatus
from .models import MentorProfile, ResearchActivity
from .selectors import pairing_list_for_user

STATUS_COLUMNS = (PairingStatus.PROPOSED, PairingStatus.ACTIVE, PairingStatus.COMPLETED,
                  PairingStatus.DECLINED, PairingStatus.ENDED_EARLY)


@dataclass
class Table:
    key: str
    title: str
    header: list
    rows: list


def _status_counts():
    return {status.value: Count("pk", filter=Q(status=status)) for status in STATUS_COLUMNS}


def _grouped_table(key, title, label_header, pairings, group_field, hours_by_group, label=lambda value: value):
    rows = []
    grouped = pairings.order_by().values(group_field).annotate(total=Count("pk"), **_status_counts())
    for row in sorted(grouped, key=lambda row: str(row[group_field] or "")):
        group = row[group_field]
        rows.append([
            label(group) if group is not None else "—",
            row["total"],
            *(row[status.value] for status in STATUS_COLUMNS),
            hours_by_group.get(group, Decimal("0")),
        ])
    header = [label_header, _("Pairings"), *(status.label for status in STATUS_COLUMNS), _("Hours credited")]
    return Table(key, title, header, rows)


def _hours_by(pairings, group_field):
    confirmed = ResearchActivity.objects.filter(pairing__in=pairings.values("pk"), status=ActivityStatus.CONFIRMED)
    return {
        row["group"]: row["hours"] or Decimal("0")
        for row in confirmed.order_by().values(group=F(f"pairing__{group_field}")).annotate(hours=Sum("credit__hours"))
    }


def research_along_report(user) -> list[Table]:
    pairings = pairing_list_for_user(user)
    institution_types = dict(InstitutionType.choices)
    subjects = dict(Subject.choices)
    tables = [
        _grouped_table("districts", _("Pairings by district"), _("District"), pairings,
                       "teacher__school__district__name", _hours_by(pairings, "teacher__school__district__name")),
        _grouped_table("institutions", _("Pairings by institution"), _("Institution"), pairings,
                       "mentor__institution", _hours_by(pairings, "mentor__institution")),
        _grouped_table("institution_types", _("Pairings by type of institution"), _("Type of institution"),
                       pairings, "mentor__institution_type", _hours_by(pairings, "mentor__institution_type"),
                       label=lambda value: institution_types.get(value, value)),
        _fields_table(pairings, subjects),
        _mentors_at_capacity_table(),
        _waiting_teachers_table(pairings),
    ]
    return tables


def _fields_table(pairings, subjects):
    """By the fields (school subjects) the mentor's research serves; a
    pairing whose mentor serves two subjects counts under both."""
    counts = defaultdict(lambda: defaultdict(int))
    for mentor_subjects, status in pairings.order_by().values_list("mentor__subjects", "status"):
        for subject in mentor_subjects or ["—"]:
            counts[subject]["total"] += 1
            counts[subject][status] += 1
    hours = defaultdict(lambda: Decimal("0"))
    confirmed = ResearchActivity.objects.filter(pairing__in=pairings.values("pk"), status=ActivityStatus.CONFIRMED)
    for mentor_subjects, credited in confirmed.order_by().values_list("pairing__mentor__subjects").annotate(
        hours=Sum("credit__hours")
    ):
        for subject in mentor_subjects or ["—"]:
            hours[subject] += credited or Decimal("0")
    rows = [
        [str(subjects.get(subject, subject)), row["total"], *(row[status.value] for status in STATUS_COLUMNS),
         hours[subject]]
        for subject, row in sorted(counts.items())
    ]
    header = [_("Field"), _("Pairings"), *(status.label for status in STATUS_COLUMNS), _("Hours credited")]
    return Table("fields", _("Pairings by field"), header, rows)


def _mentors_at_capacity_table():
    mentors = (
        MentorProfile.objects.annotate(active=Count("pairings", filter=Q(pairings__status=PairingStatus.ACTIVE)))
        .filter(active__gte=F("capacity"))
        .order_by("institution", "real_name")
    )
    rows = [[mentor.real_name, mentor.institution, mentor.capacity, mentor.active] for mentor in mentors]
    return Table("mentors_at_capacity", _("Mentors at capacity"),
                 [_("Mentor"), _("Institution"), _("Capacity"), _("Active pairings")], rows)


def _waiting_teachers_table(pairings):
    """Teachers with a proposal waiting and no active pairing yet."""
    waiting = (
        pairings.filter(status=PairingStatus.PROPOSED)
        .exclude(teacher__research_pairings__status=PairingStatus.ACTIVE)
        .order_by("created_at", "pk")
    )
    rows = [
        [
            pairing.teacher.real_name,
            pairing.teacher.school.name if pairing.teacher.school_id else "",
            pairing.teacher.school.district.name if pairing.teacher.school_id else "",
            pairing.mentor.real_name,
            pairing.created_at.date(),
        ]
        for pairing in waiting
    ]
    return Table("waiting_teachers", _("Teachers waiting for a match"),
                 [_("Teacher"), _("School"), _("District"), _("Proposed mentor"), _("Waiting since")], rows)


def report_summary(user, *, district=None) -> dict:
    """Headline figures for the report's top and the dashboard, for one
    district (of those the user sees) or all the user sees."""
    pairings = pairing_list_for_user(user)
    if district is not None:
        pairings = pairings.filter(teacher__school__district=district)
    counts = pairings.order_by().aggregate(total=Count("pk"), **_status_counts())
    hours = ResearchActivity.objects.filter(
        pairing__in=pairings.values("pk"), status=ActivityStatus.CONFIRMED
    ).aggregate(hours=Sum("credit__hours"))["hours"] or Decimal("0")
    return {**counts, "hours": hours}
