"""The yearly hours transcript (学时证明): a certificate stating every credit
of a teacher's year and the totals by category, as the ledger had them on
the day it was issued."""

import datetime

from django.utils import timezone, translation

from .constants import CertificateKind
from .issuing import certificate_issue, hours_text


def transcript_data(teacher, year):
    """The year's hours and the transcript's rows and totals."""
    from lms.api import teacher_credit_list, teacher_hours_summary

    summary = teacher_hours_summary(teacher, year, current_year=max(year, timezone.localdate().year))
    entries = teacher_credit_list(teacher, year).order_by("occurred_on", "pk")
    rows = [
        [
            entry.occurred_on.strftime("%Y-%m-%d"),
            entry.evidence_label or str(entry.get_category_display()),
            str(entry.get_category_display()),
            hours_text(entry.hours),
        ]
        for entry in entries
    ]
    totals = [[str(category.label), hours_text(category.hours)] for category in summary.year.categories]
    return summary.year.hours, {"rows": rows, "totals": totals, "total": hours_text(summary.year.hours)}


def transcript_subject_key(year):
    return f"transcript:{year}"


def certificate_transcript_issue(*, teacher, year, issued_by=None, template=None, batch=None, notify=True):
    """Issue the teacher's hours transcript (学时证明) of ``year``: every credit
    of the year and the totals by category, as the ledger has them now."""
    with translation.override("zh-hans"):
        hours, transcript = transcript_data(teacher, year)
    return certificate_issue(
        kind=CertificateKind.HOURS_TRANSCRIPT,
        holder=teacher,
        subject_key=transcript_subject_key(year),
        subject_label=f"{year}年度培训学时",
        hours=hours,
        started_on=datetime.date(year, 1, 1),
        completed_on=min(datetime.date(year, 12, 31), timezone.localdate()),
        template=template,
        issued_by=issued_by,
        batch=batch,
        extra_snapshot={"transcript": transcript},
        notify=notify,
    )
