"""Writes: acknowledging the privacy notice, correction requests, and the
anonymisation of a teacher who has left (docs/privacy.md says what is kept)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from certificates.api import Certificate, IssueBatchItem
from lms.constants import ImportStatus
from lms.models import (
    CohortMembership,
    ImportBatch,
    MembershipTransition,
    NominationAttachment,
    TeacherProfile,
    TrainingCredit,
    mask_chinese_name,
)
from lms.privacy.constants import IMPORT_FILE_RETENTION_DAYS, PSEUDONYM_PREFIX, CorrectionField, CorrectionStatus
from lms.privacy.models import CorrectionRequest, NoticeAcknowledgement
from lms.privacy.selectors import (
    correction_request_list_for_user,
    import_row_is_about,
    teacher_import_rows,
    teacher_log_entries,
)
from mentors.api import ActivityEvidence, ResearchActivity, ResearchOutput, ResearchPairing

LOG_CORRECTION_REQUEST = "privacy.correction_request"
LOG_CORRECTION_RESOLVE = "privacy.correction_resolve"
LOG_ANONYMISE = "privacy.anonymise"

CORRECTION_TEXT_MAX = 2000

CORRECTION_TEXT_REQUIRED = _("Write what is wrong and what it should say.")
CORRECTION_TEXT_TOO_LONG = _("Please keep it under %(max)d characters.")
CORRECTION_FIELD_UNKNOWN = _("Choose which part of your record is wrong.")
CORRECTION_NOTE_REQUIRED = _("Write a note to the teacher saying what was done.")
CORRECTION_ALREADY_RESOLVED = _("This request has already been resolved.")
CORRECTION_NOT_IN_SCOPE = _("This request is about a teacher outside the districts you look after.")
ALREADY_ANONYMISED = _("This teacher has already been anonymised.")

# Imports that are over: nobody will read their file again. (A dry run
# still waiting to be committed keeps its file, however old.)
FINISHED_IMPORT_STATUSES = (ImportStatus.COMMITTED, ImportStatus.INVALID, ImportStatus.FAILED)


def notice_acknowledge(*, user, version: str) -> NoticeAcknowledgement:
    """Record that ``user`` read ``version`` of the notice; again is a no-op."""
    acknowledgement, _created = NoticeAcknowledgement.objects.get_or_create(user=user, notice_version=version)
    return acknowledgement


def correction_request_create(*, teacher: TeacherProfile, field: str, text: str) -> CorrectionRequest:
    text = (text or "").strip()
    if field not in CorrectionField.values:
        raise ValidationError(CORRECTION_FIELD_UNKNOWN, code="field")
    if not text:
        raise ValidationError(CORRECTION_TEXT_REQUIRED, code="text")
    if len(text) > CORRECTION_TEXT_MAX:
        raise ValidationError(CORRECTION_TEXT_TOO_LONG, code="text", params={"max": CORRECTION_TEXT_MAX})
    with transaction.atomic():
        request = CorrectionRequest.objects.create(teacher=teacher, field=field, text=text)
        log(instance=request, action=LOG_CORRECTION_REQUEST, user=teacher.user, data={"field": field})
    return request


def correction_request_resolve(*, request: CorrectionRequest, by, note: str) -> CorrectionRequest:
    """Mark a request resolved with a note the teacher reads on their page.
    The correction itself is made where the data lives (the teacher's
    profile, the ledger's reversal, …); this records that it was handled."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(CORRECTION_NOTE_REQUIRED, code="note")
    with transaction.atomic():
        locked = correction_request_list_for_user(by).select_for_update(of=("self",)).filter(pk=request.pk).first()
        if locked is None:
            raise PermissionDenied(CORRECTION_NOT_IN_SCOPE)
        if not locked.is_open:
            raise ValidationError(CORRECTION_ALREADY_RESOLVED, code="resolved")
        locked.status = CorrectionStatus.RESOLVED
        locked.resolved_at = timezone.now()
        locked.resolved_by = by
        locked.resolution_note = note
        locked.save(update_fields=["status", "resolved_at", "resolved_by", "resolution_note"])
        log(instance=locked, action=LOG_CORRECTION_RESOLVE, user=by, data={})
    return locked


# --- Anonymisation -----------------------------------------------------------


@dataclass(frozen=True)
class AnonymisationResult:
    teacher_id: int
    pseudonym: str
    files_deleted: int


def pseudonym_for(teacher) -> str:
    """Stable: the same teacher always gets the same pseudonym."""
    return f"{PSEUDONYM_PREFIX}-{teacher.pk:06d}"


def is_anonymised(teacher) -> bool:
    return teacher.staff_number == pseudonym_for(teacher)


def _replacements(teacher, pseudonym, pseudonym_name):
    user = teacher.user
    pairs = {
        teacher.real_name: pseudonym_name,
        teacher.name_romanised: pseudonym,
        teacher.staff_number: pseudonym,
        teacher.phone: pseudonym,
        user.username: pseudonym,
        user.email: pseudonym,
        user.first_name: pseudonym_name,
        user.last_name: pseudonym_name,
        user.get_full_name(): pseudonym_name,
    }
    # Longest first, so "张伟明" is replaced before a "张伟" inside it; one
    # character is too little to be an identifier and too common to replace.
    return sorted(((old.strip(), new) for old, new in pairs.items() if len((old or "").strip()) > 1),
                  key=lambda pair: -len(pair[0]))


def _scrub(value, replacements):
    """``value`` (a string, or JSON) with every identifier replaced."""
    if isinstance(value, str):
        for old, new in replacements:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_scrub(item, replacements) for item in value]
    if isinstance(value, dict):
        return {_scrub(key, replacements): _scrub(item, replacements) for key, item in value.items()}
    return value


def _scrub_columns(queryset, names, replacements):
    """Replace the identifiers in text columns in the database, one UPDATE a
    column. ``queryset`` may be the ledger's: its rows are never rewritten
    otherwise, and the anonymisation changes no amount, only words."""
    plain = models.QuerySet(model=queryset.model, using=queryset.db).filter(pk__in=queryset.values("pk"))
    for name in names:
        for old, new in replacements:
            plain.filter(**{f"{name}__contains": old}).update(**{name: Replace(name, models.Value(old),
                                                                                 models.Value(new))})


def _delete_files(instances, name):
    deleted = 0
    for instance in instances:
        fieldfile = getattr(instance, name)
        if fieldfile:
            fieldfile.delete(save=False)
            deleted += 1
    return deleted


def teacher_anonymise(*, teacher: TeacherProfile, by=None) -> AnonymisationResult:
    """Anonymise a teacher who has left, keeping every figure the same.

    The ledger, the tallies, enrolments, attendance, quiz scores, cohort
    steps and certificates stay (they are training records and the city's
    statistics); what identifies the person is replaced by a stable
    pseudonym, the account is closed, and personal free text and files are
    deleted. Certificates stay verifiable with the holder's name masked, as
    the public verification page always showed it."""
    with transaction.atomic():
        teacher = TeacherProfile.objects.select_for_update().select_related("user").get(pk=teacher.pk)
        if is_anonymised(teacher):
            raise ValidationError(ALREADY_ANONYMISED, code="anonymised")
        pseudonym = pseudonym_for(teacher)
        pseudonym_name = str(_("Anonymised teacher %(number)s") % {"number": f"{teacher.pk:06d}"})
        replacements = _replacements(teacher, pseudonym, pseudonym_name)

        # Read before the profile changes: these find rows by staff number.
        import_rows = teacher_import_rows(teacher)
        log_entries = list(teacher_log_entries(teacher))

        files_deleted = _ledger_anonymise(teacher, replacements)
        files_deleted += _certificates_anonymise(teacher, replacements)
        files_deleted += _cohorts_anonymise(teacher)
        files_deleted += _research_anonymise(teacher, replacements)
        CorrectionRequest.objects.filter(teacher=teacher).delete()
        files_deleted += _imports_anonymise(import_rows, teacher, replacements)
        _log_entries_scrub(log_entries, replacements)
        _identity_replace(teacher, pseudonym, pseudonym_name)
        log(instance=teacher, action=LOG_ANONYMISE, user=by, data={"files_deleted": files_deleted})
    return AnonymisationResult(teacher_id=teacher.pk, pseudonym=pseudonym, files_deleted=files_deleted)


def _ledger_anonymise(teacher, replacements):
    """The credits stay; their evidence files go and their words are
    scrubbed. Returns the number of files deleted."""
    credits = TrainingCredit.objects.filter(teacher=teacher)
    with_files = list(credits.exclude(evidence_file=""))
    files_deleted = _delete_files(with_files, "evidence_file")
    plain_credits = models.QuerySet(model=TrainingCredit).filter(teacher=teacher)
    plain_credits.exclude(evidence_file="").update(evidence_file="")
    _scrub_columns(credits, ["evidence_label", "reason"], replacements)
    return files_deleted


def _certificates_anonymise(teacher, replacements):
    """Certificates stay verifiable, with the holder's name masked; their
    PDFs are deleted. Returns the number of files deleted."""
    masked_name = mask_chinese_name(teacher.real_name)
    certificates = list(Certificate.objects.filter(holder=teacher))
    files_deleted = _delete_files(certificates, "pdf")
    certificate_replacements = [(teacher.real_name, masked_name), *replacements]
    for certificate in certificates:
        Certificate.objects.filter(pk=certificate.pk).update(
            holder_name=masked_name, pdf="", rendered=_scrub(certificate.rendered, certificate_replacements),
            revocation_reason=_scrub(certificate.revocation_reason, replacements),
        )
    _scrub_columns(IssueBatchItem.objects.filter(holder=teacher), ["error", "subject_label"], replacements)
    return files_deleted


def _cohorts_anonymise(teacher):
    """Nomination statements and override reasons are others' judgements
    of the person: personal free text, deleted (docs/privacy.md), with the
    nomination attachments. Returns the number of files deleted."""
    memberships = CohortMembership.objects.filter(teacher=teacher)
    memberships.update(statement="", eligibility_override_reason="", certification_override_reason="")
    MembershipTransition.objects.filter(membership__teacher=teacher).update(reason="")
    attachments = list(NominationAttachment.objects.filter(membership__teacher=teacher))
    files_deleted = _delete_files(attachments, "file")
    NominationAttachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    return files_deleted


def _research_anonymise(teacher, replacements):
    """Evidence files are deleted; the research itself is kept as the
    evidence behind credited hours, with the person's identifiers replaced.
    Returns the number of files deleted."""
    evidence = list(ActivityEvidence.objects.filter(activity__pairing__teacher=teacher))
    files_deleted = _delete_files(evidence, "file")
    ActivityEvidence.objects.filter(pk__in=[e.pk for e in evidence]).delete()
    pairings = ResearchPairing.objects.filter(teacher=teacher)
    _scrub_columns(pairings, ["project_title", "goals", "final_report", "status_reason"], replacements)
    _scrub_columns(ResearchActivity.objects.filter(pairing__teacher=teacher), ["description", "mentor_comment"],
                   replacements)
    _scrub_columns(ResearchOutput.objects.filter(pairing__teacher=teacher), ["title", "description"],
                   replacements)
    return files_deleted


def _imports_anonymise(import_rows, teacher, replacements):
    """The roster files of the imports that named the teacher are deleted
    and their rows about the teacher scrubbed. Returns the number of files
    deleted."""
    files_deleted = 0
    for batch in {batch.pk: batch for batch, _row in import_rows}.values():
        if batch.file:
            batch.file.delete(save=False)
            files_deleted += 1
        ImportBatch.objects.filter(pk=batch.pk).update(
            file="", preview=_scrub_rows(batch.preview, teacher, replacements),
            errors=_scrub_rows(batch.errors, teacher, replacements),
        )
    return files_deleted


def _log_entries_scrub(log_entries, replacements):
    for entry in log_entries:
        type(entry).objects.filter(pk=entry.pk).update(
            label=_scrub(entry.label, replacements), data=_scrub(entry.data, replacements)
        )


def _identity_replace(teacher, pseudonym, pseudonym_name):
    """The profile takes the pseudonym and the account is closed."""
    TeacherProfile.objects.filter(pk=teacher.pk).update(
        real_name=pseudonym_name, name_romanised="", staff_number=pseudonym, phone=""
    )
    user = teacher.user
    user.username = pseudonym
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["username", "first_name", "last_name", "email", "is_active", "password"])
    teacher.refresh_from_db()


def _scrub_rows(rows, teacher, replacements):
    """Only the import rows about this teacher: another row may hold someone
    else with the same name."""
    return [
        _scrub(row, replacements) if import_row_is_about(row, teacher.staff_number) else row
        for row in rows
    ]


def import_files_purge(*, older_than_days: int = IMPORT_FILE_RETENTION_DAYS, now=None) -> int:
    """Delete the uploaded roster files of imports older than the retention
    period (docs/privacy.md). The batch, its counts and its report stay: they
    say what an import did; the file held everyone's personal data."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=older_than_days)
    deleted = 0
    old = ImportBatch.objects.filter(created_at__lt=cutoff, status__in=FINISHED_IMPORT_STATUSES).exclude(file="")
    for batch in old:
        batch.file.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).update(file="")
        deleted += 1
    return deleted
