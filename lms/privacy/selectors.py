"""Reads: everything the academy holds about one teacher (the "my data" page
and its downloads), and the correction requests an admin may see.

The sections built from the teacher's own records are in
``lms.privacy.sections``; what every relation to a person maps to is in
``lms.privacy.coverage``.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import ModelLogEntry

from certificates.api import Certificate
from courses.api import Enrolment
from lms.constants import ImportKind
from lms.models import CohortMembership, ImportBatch, TeacherProfile, TrainingCredit
from lms.people.selectors import AnyUser, teacher_list_for_user
from lms.privacy.constants import CorrectionStatus
from lms.privacy.models import CorrectionRequest, NoticeAcknowledgement
from lms.privacy.sections import RECORD_SECTIONS, PersonalData, Section, account_section, local_time
from mentors.api import ResearchActivity, ResearchPairing


def teacher_import_rows(teacher: TeacherProfile) -> list[tuple[ImportBatch, dict]]:
    """The rows of people imports that named this teacher (by staff number),
    as the dry run kept them."""
    batches = (
        ImportBatch.objects.filter(kind=ImportKind.TEACHERS)
        .annotate(preview_text=Cast("preview", TextField()), errors_text=Cast("errors", TextField()))
        .filter(Q(preview_text__contains=teacher.staff_number) | Q(errors_text__contains=teacher.staff_number))
        .order_by("created_at", "pk")
    )
    return [
        (batch, row) for batch in batches for row in [*batch.preview, *batch.errors]
        if import_row_is_about(row, teacher.staff_number)
    ]


def import_row_is_about(row: object, staff_number: str) -> bool:
    return isinstance(row, dict) and any(str(value) == staff_number for value in row.values())


def _imports(teacher):
    return Section("import_rows", _("Rows of people imports"), [
        ("uploaded", _("uploaded")), ("file_name", _("file name")), ("row", _("row")), ("content", _("content")),
    ], [(local_time(batch.created_at), batch.original_filename, row.get("row"), row)
        for batch, row in teacher_import_rows(teacher)])


def teacher_log_entries(teacher: TeacherProfile) -> QuerySet[ModelLogEntry]:
    """The audit log's entries about the teacher or their records, and those
    the teacher's own account wrote."""
    about = [
        (type(teacher), [teacher.pk]),
        (get_user_model(), [teacher.user_id]),
        (TrainingCredit, TrainingCredit.objects.filter(teacher=teacher).values_list("pk", flat=True)),
        (CohortMembership, CohortMembership.objects.filter(teacher=teacher).values_list("pk", flat=True)),
        (Enrolment, Enrolment.objects.filter(teacher=teacher).values_list("pk", flat=True)),
        (Certificate, Certificate.objects.filter(holder=teacher).values_list("pk", flat=True)),
        (ResearchPairing, ResearchPairing.objects.filter(teacher=teacher).values_list("pk", flat=True)),
        (ResearchActivity, ResearchActivity.objects.filter(pairing__teacher=teacher).values_list("pk", flat=True)),
    ]
    condition = Q(user_id=teacher.user_id)
    for model, pks in about:
        ids = [str(pk) for pk in pks]
        if ids:
            content_type = ContentType.objects.get_for_model(model)
            condition |= Q(content_type=content_type, object_id__in=ids)
    return ModelLogEntry.objects.filter(condition).order_by("timestamp", "pk")


def _log_entries(teacher):
    return Section("log_entries", _("Audit log entries"), [
        ("timestamp", _("when")), ("action", _("action")), ("object", _("about")), ("data", _("details")),
    ], [(local_time(entry.timestamp), entry.action, entry.label, entry.data) for entry in teacher_log_entries(teacher)])


def _consents(teacher):
    rows = NoticeAcknowledgement.objects.filter(user_id=teacher.user_id)
    return Section("consents", _("Privacy notice acknowledgements"), [
        ("notice_version", _("notice version")), ("acknowledged_at", _("acknowledged")),
    ], [(a.notice_version, local_time(a.acknowledged_at)) for a in rows])


def _corrections(teacher):
    return Section("correction_requests", _("Correction requests"), [
        ("sent", _("sent")), ("field", _("what is wrong")), ("text", _("what it should say")),
        ("status", _("status")), ("resolved_at", _("resolved")), ("note", _("note to the teacher")),
    ], [(local_time(r.created_at), r.get_field_display(), r.text, r.get_status_display(),
         local_time(r.resolved_at), r.resolution_note) for r in correction_request_list_for_teacher(teacher)])


SECTION_BUILDERS = (*RECORD_SECTIONS, _imports, _log_entries, _consents, _corrections)


def personal_data_get(teacher: TeacherProfile) -> PersonalData:
    """Everything held about ``teacher``, section by section (see
    ``PERSONAL_DATA_COVERAGE``)."""
    user = teacher.user
    sections = [account_section(user), *(build(teacher) for build in SECTION_BUILDERS)]
    return PersonalData(teacher=teacher, user=user, generated_at=timezone.localtime(), sections=sections)


def correction_request_list_for_teacher(teacher: TeacherProfile) -> QuerySet[CorrectionRequest]:
    return CorrectionRequest.objects.filter(teacher=teacher).order_by("-created_at", "-pk")


def correction_request_list_for_user(user: AnyUser) -> QuerySet[CorrectionRequest]:
    """The requests an admin may see: those of the teachers in their scope
    (their district's, or every teacher for the academy's admins)."""
    return CorrectionRequest.objects.filter(teacher__in=teacher_list_for_user(user)).select_related(
        "teacher__school__district", "resolved_by"
    )


def open_correction_count_for_user(user: AnyUser) -> int:
    return correction_request_list_for_user(user).filter(status=CorrectionStatus.OPEN).count()


def notice_acknowledged(user: AnyUser, version: str) -> bool:
    return NoticeAcknowledgement.objects.filter(user=user, notice_version=version).exists()
