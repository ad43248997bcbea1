"""Reads of certificates, each scoped to who may see them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from lms.api import PrivateFile

from .constants import TOKEN_PATTERN, BatchItemStatus
from .models import Certificate, IssueBatch

if TYPE_CHECKING:
    from lms.api import AnyUser, Cohort, District

TOKEN_RE = re.compile(TOKEN_PATTERN)
SERIAL_RE = re.compile(r"^[A-Z0-9]{1,12}-\d{4}-\d{6}$")
CHECK_CODE_RE = re.compile(r"^[A-Z0-9]{6}$")

# What the public page and the Open Badges assertion show, in one query.
_PUBLIC = Certificate.objects.select_related("superseded_by", "template")


def certificate_get_by_token(token: object) -> Certificate | None:
    """The certificate with this verification token, or None (malformed
    tokens never reach the database)."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    return _PUBLIC.filter(token=token).first()


def certificate_get_by_serial_and_code(serial: str | None, check_code: str | None) -> Certificate | None:
    """Both must match: a serial alone reveals nothing."""
    serial = (serial or "").strip().upper()
    check_code = (check_code or "").strip().upper().replace(" ", "")
    if not SERIAL_RE.match(serial) or not CHECK_CODE_RE.match(check_code):
        return None
    return _PUBLIC.filter(serial=serial, check_code=check_code).first()


def certificate_list_for_holder(user: AnyUser) -> QuerySet[Certificate]:
    """The signed-in user's own certificates, newest first; none for anyone
    who is not a teacher."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    return Certificate.objects.filter(holder__user=user).select_related("superseded_by").order_by("-issued_at", "-pk")


def certificate_get_for_holder(user: AnyUser, pk: int) -> Certificate | None:
    return certificate_list_for_holder(user).filter(pk=pk).first()


def certificate_list_for_admin(user: AnyUser) -> QuerySet[Certificate]:
    """Every certificate for HR and academy admins; none for anyone else."""
    if not user.is_authenticated or not user.has_perm("certificates.view_certificate"):
        return Certificate.objects.none()
    return Certificate.objects.select_related("holder", "superseded_by", "template")


def certificate_pdf_get_for_user(user: AnyUser, name: str) -> PrivateFile | None:
    """A certificate's PDF by its stored name: for its holder and for HR and
    academy admins, as the holder's and HR's download pages already serve
    it. The public verification page shows the certificate's facts with a
    masked name, never the PDF, which carries the full name."""
    if not user.is_authenticated:
        return None
    certificate = (
        certificate_list_for_holder(user).filter(pdf=name).first()
        or certificate_list_for_admin(user).filter(pdf=name).first()
    )
    if certificate is None:
        return None
    return PrivateFile(certificate.pdf, f"{certificate.serial}.pdf")


def issue_batch_progress(batch: IssueBatch) -> dict[str, Any]:
    """Done, failed and total of a batch, in one query."""
    from django.db.models import Count, Q

    counts = batch.items.aggregate(
        done=Count("pk", filter=Q(status=BatchItemStatus.DONE)),
        failed=Count("pk", filter=Q(status=BatchItemStatus.FAILED)),
        total=Count("pk"),
    )
    return {**counts, "status": batch.status}


# --- Who a bulk issue covers -------------------------------------------------


def _training_subject_key(evidence_type_id, evidence_id, label):
    import hashlib

    from django.contrib.contenttypes.models import ContentType

    if evidence_type_id and evidence_id:
        content_type = ContentType.objects.get_for_id(evidence_type_id)
        return f"{content_type.app_label}.{content_type.model}:{evidence_id}"
    return "training:" + hashlib.sha1(label.encode()).hexdigest()[:20]


def batch_items_for_transcripts(*, year: int, district: District | None = None) -> list[dict[str, Any]]:
    """One transcript of ``year`` for every teacher credited in it (in
    ``district`` if given, as the credits were recorded)."""
    from lms.api import TrainingCredit

    credits = TrainingCredit.objects.filter(year=year)
    if district is not None:
        credits = credits.filter(district=district)
    holder_ids = credits.values_list("teacher_id", flat=True).distinct().order_by("teacher_id")
    return [
        {"holder_id": holder_id, "subject_key": f"transcript:{year}", "subject_label": f"{year}年度培训学时"}
        for holder_id in holder_ids
    ]


def batch_items_for_training(
    *, year: int, training: str, district: District | None = None
) -> list[dict[str, Any]]:
    """One certificate per teacher credited in ``year`` for the training the
    ledger names ``training`` (its evidence label: a course, a workshop, a
    cohort), with their hours for it and its first and last dates. When the
    ledger entry points at an object (a course page, a cohort), the
    certificate is keyed on that object, as an automatic issue would be."""
    from django.db.models import Max, Min, Sum

    from lms.api import TrainingCredit

    credits = TrainingCredit.objects.filter(year=year, evidence_label=training)
    if district is not None:
        credits = credits.filter(district=district)
    rows = (
        credits.values("teacher_id", "evidence_type_id", "evidence_id")
        .annotate(hours=Sum("hours"), first=Min("occurred_on"), last=Max("occurred_on"))
        .filter(hours__gt=0)
        .order_by("teacher_id")
    )
    items = []
    for row in rows:
        item = {
            "holder_id": row["teacher_id"],
            "subject_key": _training_subject_key(row["evidence_type_id"], row["evidence_id"], training),
            "subject_label": training,
            "hours": row["hours"],
            "started_on": row["first"],
            "completed_on": row["last"],
        }
        if row["evidence_type_id"] and row["evidence_id"]:
            item.update(subject_type_id=row["evidence_type_id"], subject_id=row["evidence_id"])
        items.append(item)
    return items


def batch_items_for_cohort(*, cohort: Cohort, district: District | None = None) -> list[dict[str, Any]]:
    """One qualification certificate per certified member of ``cohort`` (in
    ``district`` if given, by the member's school), keyed on the cohort as
    certification itself issues it, so a member certified earlier is not
    issued a second one."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from lms.api import CohortMembership, MembershipStatus

    from .services import subject_key_for

    members = CohortMembership.objects.filter(cohort=cohort, status=MembershipStatus.CERTIFIED)
    if district is not None:
        members = members.filter(teacher__school__district=district)
    content_type = ContentType.objects.get_for_model(cohort)
    key = subject_key_for(cohort)
    return [
        {
            "holder_id": teacher_id,
            "subject_key": key,
            "subject_label": cohort.name,
            "subject_type_id": content_type.pk,
            "subject_id": str(cohort.pk),
            "started_on": cohort.period_start,
            "completed_on": timezone.localdate(certified_at),
        }
        for teacher_id, certified_at in members.order_by("teacher_id").values_list("teacher_id", "status_changed_at")
    ]
