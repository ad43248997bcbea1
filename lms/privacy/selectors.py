"""Reads: everything the academy holds about one teacher (the "my data" page
and its downloads), and the correction requests an admin may see.

``PERSONAL_DATA_COVERAGE`` names, for every relation from a model to the
user or the teacher profile (and from a teacher's own records onwards),
the section of the export that shows it, or why it is left out. A test walks
the app registry and fails when a relation is missing here, so a new model
holding a teacher's data cannot be forgotten.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import ModelLogEntry

from certificates.api import Certificate, IssueBatchItem
from courses.api import Attendance, Enrolment, LessonProgress, QuizAttempt
from lms.constants import POSITION_FIELDS, ImportKind
from lms.models import (
    AssessmentResult,
    CohortMembership,
    ImportBatch,
    MembershipTransition,
    NominationAttachment,
    TeacherProfile,
    TeacherYearTally,
    TrainingCredit,
)
from lms.people.selectors import AnyUser, teacher_list_for_user
from lms.privacy.constants import CorrectionStatus
from lms.privacy.models import CorrectionRequest, NoticeAcknowledgement
from mentors.api import ActivityEvidence, ResearchActivity, ResearchOutput, ResearchPairing


@dataclass(frozen=True)
class Excluded:
    """A relation the export leaves out, and why."""

    reason: str


_STAFF_WORK = Excluded("what a staff member did to others' records; not data about the person")
_PAGE_AUTHOR = Excluded("authorship and locks of CMS pages, staff only")
_STAFF_PERMISSION = Excluded("object permissions given to staff accounts; shown as roles under account")
_WAGTAIL_STAFF = Excluded("the Wagtail admin's own working data (drafts, comments, uploads) of staff accounts")

# "app_label.Model.field" → the key of the section that shows it, or Excluded.
PERSONAL_DATA_COVERAGE = {
    # The user and the teacher profile themselves.
    "lms.TeacherProfile.user": "profile",
    "wagtailusers.UserProfile.user": Excluded("admin interface preferences (language, theme), no personal data"),
    # The teacher's records.
    "lms.TrainingCredit.teacher": "ledger",
    "lms.TrainingCredit.reverses": "ledger",
    "lms.TeacherYearTally.teacher": "year_totals",
    "lms.CohortMembership.teacher": "cohort_memberships",
    "lms.MembershipTransition.membership": "cohort_steps",
    "lms.NominationAttachment.membership": "nomination_attachments",
    "lms.AssessmentResult.membership": "assessment_results",
    "courses.Enrolment.teacher": "enrolments",
    "courses.Enrolment.credit": "enrolments",
    "courses.LessonProgress.enrolment": "lesson_progress",
    "courses.QuizAttempt.enrolment": "quiz_attempts",
    "courses.Attendance.enrolment": "attendance",
    "certificates.Certificate.holder": "certificates",
    "certificates.Certificate.superseded_by": "certificates",
    "certificates.IssueBatchItem.holder": "certificate_batches",
    "certificates.IssueBatchItem.certificate": "certificate_batches",
    "mentors.ResearchPairing.teacher": "pairings",
    "mentors.ResearchPairingUserObjectPermission.content_object": _STAFF_PERMISSION,
    "mentors.ResearchPairingGroupObjectPermission.content_object": Excluded("permissions of groups, not people"),
    "mentors.ResearchActivity.pairing": "research_activities",
    "mentors.ResearchActivity.credit": "research_activities",
    "mentors.ActivityEvidence.activity": "evidence_files",
    "mentors.ResearchOutput.pairing": "research_outputs",
    "mentors.MentorProfile.user": Excluded("a mentor's profile; mentors are not teachers"),
    "privacy.CorrectionRequest.teacher": "correction_requests",
    "privacy.NoticeAcknowledgement.user": "consents",
    "wagtailcore.ModelLogEntry.user": "log_entries",
    "wagtailcore.PageLogEntry.user": Excluded("changes to CMS pages, made by staff"),
    "lms.ImportBatch.created_by": _STAFF_WORK,
    "lms.TrainingCredit.credited_by": _STAFF_WORK,
    "lms.Cohort.owner": _STAFF_WORK,
    "lms.CohortMembership.nominated_by": _STAFF_WORK,
    "lms.CohortMembership.eligibility_overridden_by": _STAFF_WORK,
    "lms.CohortMembership.certified_by": _STAFF_WORK,
    "lms.MembershipTransition.by": _STAFF_WORK,
    "lms.AssessmentResult.recorded_by": _STAFF_WORK,
    "courses.Attendance.recorded_by": _STAFF_WORK,
    "courses.CheckinCode.created_by": _STAFF_WORK,
    "certificates.IssueBatch.created_by": _STAFF_WORK,
    "certificates.Certificate.issued_by": _STAFF_WORK,
    "mentors.ResearchPairing.proposed_by": Excluded("who proposed the pairing; the pairing is shown"),
    "mentors.ResearchActivity.reviewed_by": _STAFF_WORK,
    "mentors.ResearchOutput.created_by": Excluded("who added the output; the output is shown"),
    "privacy.CorrectionRequest.resolved_by": _STAFF_WORK,
    "lms.DistrictUserObjectPermission.user": _STAFF_PERMISSION,
    "courses.CourseUserObjectPermission.user": _STAFF_PERMISSION,
    "mentors.ResearchPairingUserObjectPermission.user": _STAFF_PERMISSION,
    "guardian.UserObjectPermission.user": _STAFF_PERMISSION,
    "wagtailcore.APIToken.user": _WAGTAIL_STAFF,
    "wagtailcore.Revision.user": _WAGTAIL_STAFF,
    "wagtailcore.UploadedFile.uploaded_by_user": _WAGTAIL_STAFF,
    "wagtailcore.WorkflowState.requested_by": _WAGTAIL_STAFF,
    "wagtailcore.TaskState.finished_by": _WAGTAIL_STAFF,
    "wagtailcore.Comment.user": _WAGTAIL_STAFF,
    "wagtailcore.Comment.resolved_by": _WAGTAIL_STAFF,
    "wagtailcore.CommentReply.user": _WAGTAIL_STAFF,
    "wagtailcore.PageSubscription.user": _WAGTAIL_STAFF,
    "wagtailadmin.EditingSession.user": _WAGTAIL_STAFF,
    "wagtailadmin.FormState.user": _WAGTAIL_STAFF,
    "wagtaildocs.Document.uploaded_by_user": _WAGTAIL_STAFF,
    "wagtailimages.Image.uploaded_by_user": _WAGTAIL_STAFF,
}
# Every Wagtail page model has an owner and a lock holder.
PAGE_USER_FIELDS = ("owner", "locked_by")


@dataclass
class Section:
    key: str
    title: str
    # (key, label) pairs; labels are lazy translations.
    columns: list
    rows: list = field(default_factory=list)

    def labelled_rows(self):
        """Each row as (label, value) pairs: on a phone each cell names its column."""
        labels = [label for _key, label in self.columns]
        return [list(zip(labels, row)) for row in self.rows]

    def as_dicts(self):
        keys = [key for key, _label in self.columns]
        return [dict(zip(keys, row)) for row in self.rows]


@dataclass
class PersonalData:
    teacher: object
    user: object
    generated_at: object
    sections: list

    def section(self, key):
        return next(section for section in self.sections if section.key == key)


def _record(key, title, pairs):
    """A section of one record: a row per field."""
    return Section(key, title, [("field", pgettext_lazy("personal data", "Field")),
                                ("value", pgettext_lazy("personal data", "Value"))],
                   [(label, value) for label, value in pairs])


def _verbose(model, name):
    return model._meta.get_field(name).verbose_name


def _display(instance, name):
    return getattr(instance, f"get_{name}_display")()


def _local(value):
    return timezone.localtime(value) if value else None


def _file_url(fieldfile):
    # The file's own URL: the storage decides who may open it.
    return fieldfile.url if fieldfile else ""


def _account(user):
    groups = "、".join(str(_(group.name)) for group in user.groups.all())
    return _record("account", _("Account"), [
        (_("username"), user.username),
        (_("first name"), user.first_name),
        (_("last name"), user.last_name),
        (_("e-mail"), user.email),
        (_("roles"), groups),
        (_("active"), user.is_active),
        (_("joined"), _local(user.date_joined)),
        (_("last signed in"), _local(user.last_login)),
    ])


def _profile(teacher):
    from lms.models import TeacherProfile

    def label(name):
        return _verbose(TeacherProfile, name)

    school = teacher.school
    pairs = [
        (label("real_name"), teacher.real_name),
        (label("name_romanised"), teacher.name_romanised),
        (label("staff_number"), teacher.staff_number),
        (label("phone"), teacher.phone),
        (label("school"), school.name if school else ""),
        (_("district"), school.district.name if school else ""),
        (_("urban or rural"), school.get_locality_display() if school else ""),
        (label("subject"), _display(teacher, "subject")),
        (label("second_subject"), _display(teacher, "second_subject")),
        (label("stage"), _display(teacher, "stage")),
        (label("title"), _display(teacher, "title")),
        (label("degree"), _display(teacher, "degree")),
        (label("is_science_engineering_master"), teacher.is_science_engineering_master),
        (label("teaching_since"), teacher.teaching_since),
    ]
    pairs += [(label(name), getattr(teacher, name)) for name in POSITION_FIELDS.values()]
    pairs += [(label("created_at"), _local(teacher.created_at)), (label("updated_at"), _local(teacher.updated_at))]
    return _record("profile", _("Teacher profile"), pairs)


def _enrolments(teacher):
    enrolments = list(Enrolment.objects.filter(teacher=teacher).select_related("course").order_by("enrolled_at", "pk"))
    section = Section("enrolments", _("Courses"), [
        ("course", _("course")), ("status", _("status")), ("enrolled_at", _("enrolled")),
        ("completed_at", _("completed")), ("withdrawn_at", _("withdrawn")),
        ("minutes", _("minutes on lesson pages")),
    ])
    section.rows = [
        (e.course.title, e.get_status_display(), _local(e.enrolled_at), _local(e.completed_at),
         _local(e.withdrawn_at), e.minutes_on_lessons)
        for e in enrolments
    ]
    return section


def _lesson_progress(teacher):
    rows = LessonProgress.objects.filter(enrolment__teacher=teacher).select_related("enrolment__course", "lesson")
    return Section("lesson_progress", _("Lessons"), [
        ("course", _("course")), ("lesson", _("lesson")), ("completed_at", _("done")),
        ("seconds", _("seconds on the page")),
    ], [(p.enrolment.course.title, p.lesson.title, _local(p.completed_at), p.seconds_spent)
        for p in rows.order_by("pk")])


def _quiz_attempts(teacher):
    rows = QuizAttempt.objects.filter(enrolment__teacher=teacher).select_related("enrolment__course", "lesson")
    return Section("quiz_attempts", _("Quiz attempts"), [
        ("course", _("course")), ("lesson", _("lesson")), ("number", _("attempt")), ("score", _("score (%)")),
        ("passed", _("passed")), ("submitted_at", _("submitted")), ("answers", _("answers")),
    ], [(a.enrolment.course.title, a.lesson.title, a.number, a.score, a.passed, _local(a.submitted_at), a.answers)
        for a in rows.order_by("submitted_at", "pk")])


def _attendance(teacher):
    rows = Attendance.objects.filter(enrolment__teacher=teacher).select_related("session__course")
    return Section("attendance", _("Attendance at offline sessions"), [
        ("course", _("course")), ("session", _("offline session")), ("starts_at", _("starts")),
        ("place", _("place")), ("via", _("recorded via")), ("recorded_at", _("recorded")),
    ], [(a.session.course.title, a.session.title, _local(a.session.starts_at), a.session.place,
         a.get_via_display(), _local(a.recorded_at)) for a in rows.order_by("recorded_at", "pk")])


def _ledger(teacher):
    credits = TrainingCredit.objects.filter(teacher=teacher).select_related("district", "school", "reverses")
    return Section("ledger", _("Training hours ledger"), [
        ("occurred_on", _("date of the training")), ("year", _("year")), ("category", _("category")),
        ("hours", _("hours credited")), ("requested_hours", _("hours earned")),
        ("capped_hours", _("hours over the yearly cap")), ("person_times", _("person-times")),
        ("evidence", _("evidence")), ("reason", _("reason")), ("reverses", _("reverses")),
        ("district", _("district")), ("school", _("school")), ("locality", _("urban or rural")),
        ("subject", _("subject")), ("stage", _("stage")), ("credited_at", _("credited at")),
        ("evidence_file", _("evidence file")),
    ], [(c.occurred_on, c.year, c.get_category_display(), c.hours, c.requested_hours, c.capped_hours,
         c.person_times, c.evidence_label, c.reason, c.reverses.source_key if c.reverses_id else "",
         c.district.name, c.school.name, c.get_locality_display(), c.get_subject_display(), c.get_stage_display(),
         _local(c.created_at), _file_url(c.evidence_file))
        for c in credits.order_by("occurred_on", "pk")])


def _year_totals(teacher):
    rows = TeacherYearTally.objects.filter(teacher=teacher).order_by("year", "category")
    return Section("year_totals", _("Hours by year"), [
        ("year", _("year")), ("category", _("category")), ("hours", _("hours")), ("person_times", _("person-times")),
    ], [(t.year, t.get_category_display(), t.hours, t.person_times) for t in rows])


def _certificates(teacher):
    rows = Certificate.objects.filter(holder=teacher).order_by("issued_at", "pk")
    return Section("certificates", _("Certificates"), [
        ("serial", _("serial number")), ("kind", _("kind")), ("subject", _("what is certified")),
        ("holder_name", _("holder's name")), ("hours", _("hours")), ("issued_at", _("issued")),
        ("status", _("status")), ("revocation_reason", _("reason for revocation")), ("pdf", _("PDF")),
    ], [(c.serial, c.get_kind_display(), c.subject_label, c.holder_name, c.hours, _local(c.issued_at),
         c.get_status_display(), c.revocation_reason, _file_url(c.pdf)) for c in rows])


def _certificate_batches(teacher):
    rows = IssueBatchItem.objects.filter(holder=teacher).select_related("batch").order_by("pk")
    return Section("certificate_batches", _("Bulk certificate issues"), [
        ("batch", _("bulk issue")), ("subject", _("what is certified")), ("status", _("status")),
        ("error", _("error")),
    ], [(str(item.batch), item.subject_label, item.get_status_display(), item.error) for item in rows])


def _memberships(teacher):
    rows = CohortMembership.objects.filter(teacher=teacher).select_related("cohort").order_by("nominated_at", "pk")
    return Section("cohort_memberships", _("Cohorts"), [
        ("cohort", _("cohort")), ("status", _("status")), ("nominated_at", _("nominated")),
        ("statement", _("nomination statement")), ("eligibility_override_reason", _("eligibility override reason")),
        ("certified_at", _("certified")), ("certification_override_reason", _("certification override reason")),
    ], [(m.cohort.name, m.get_status_display(), _local(m.nominated_at), m.statement, m.eligibility_override_reason,
         _local(m.certified_at), m.certification_override_reason) for m in rows])


def _membership_steps(teacher):
    rows = MembershipTransition.objects.filter(membership__teacher=teacher).select_related("membership__cohort")
    return Section("cohort_steps", _("Cohort membership steps"), [
        ("cohort", _("cohort")), ("from_status", _("from")), ("to_status", _("to")), ("at", _("at")),
        ("reason", _("reason")),
    ], [(t.membership.cohort.name, t.get_from_status_display(), t.get_to_status_display(), _local(t.at), t.reason)
        for t in rows.order_by("at", "pk")])


def _nomination_attachments(teacher):
    rows = NominationAttachment.objects.filter(membership__teacher=teacher).select_related("membership__cohort")
    return Section("nomination_attachments", _("Nomination attachments"), [
        ("cohort", _("cohort")), ("file_name", _("file name")), ("uploaded_at", _("uploaded")), ("url", _("file")),
    ], [(a.membership.cohort.name, a.original_filename, _local(a.uploaded_at), _file_url(a.file))
        for a in rows.order_by("pk")])


def _assessment_results(teacher):
    rows = AssessmentResult.objects.filter(membership__teacher=teacher).select_related(
        "membership__cohort", "assessment")
    return Section("assessment_results", _("Assessment results"), [
        ("cohort", _("cohort")), ("assessment", _("assessment")), ("score", _("score")),
        ("assessed_on", _("assessed on")), ("assessor", _("assessor")),
    ], [(r.membership.cohort.name, r.assessment.name, r.score, r.assessed_on, r.assessor)
        for r in rows.order_by("assessed_on", "pk")])


def _pairings(teacher):
    rows = ResearchPairing.objects.filter(teacher=teacher).select_related("mentor").order_by("created_at", "pk")
    return Section("pairings", _("Research-along pairings"), [
        ("project", _("project title")), ("mentor", _("mentor")), ("status", _("status")),
        ("start_on", _("start")), ("planned_end_on", _("planned end")), ("goals", _("goals")),
        ("final_report", _("final report")), ("status_reason", _("reason")),
    ], [(p.project_title, p.mentor.real_name, p.get_status_display(), p.start_on, p.planned_end_on, p.goals,
         p.final_report, p.status_reason) for p in rows])


def _activities(teacher):
    rows = ResearchActivity.objects.filter(pairing__teacher=teacher).select_related("pairing")
    return Section("research_activities", _("Research-along activities"), [
        ("project", _("project title")), ("occurred_on", _("date")), ("kind", _("kind")),
        ("hours", _("duration (hours)")), ("description", _("description")), ("status", _("status")),
        ("mentor_comment", _("mentor's comment")),
    ], [(a.pairing.project_title, a.occurred_on, a.get_kind_display(), a.hours, a.description,
         a.get_status_display(), a.mentor_comment) for a in rows.order_by("occurred_on", "pk")])


def _evidence_files(teacher):
    rows = ActivityEvidence.objects.filter(activity__pairing__teacher=teacher).select_related("activity")
    return Section("evidence_files", _("Evidence files"), [
        ("activity", _("activity")), ("file_name", _("file name")), ("size", _("size in bytes")), ("url", _("file")),
    ], [(str(e.activity), e.original_filename, e.size, _file_url(e.file)) for e in rows.order_by("pk")])


def _outputs(teacher):
    rows = ResearchOutput.objects.filter(pairing__teacher=teacher).select_related("pairing")
    return Section("research_outputs", _("Research outputs"), [
        ("project", _("project title")), ("kind", _("kind")), ("title", _("title")),
        ("description", _("description")), ("link", _("link")),
    ], [(o.pairing.project_title, o.get_kind_display(), o.title, o.description, o.link) for o in rows.order_by("pk")])


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
    ], [(_local(batch.created_at), batch.original_filename, row.get("row"), row)
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
    ], [(_local(entry.timestamp), entry.action, entry.label, entry.data) for entry in teacher_log_entries(teacher)])


def _consents(teacher):
    rows = NoticeAcknowledgement.objects.filter(user_id=teacher.user_id)
    return Section("consents", _("Privacy notice acknowledgements"), [
        ("notice_version", _("notice version")), ("acknowledged_at", _("acknowledged")),
    ], [(a.notice_version, _local(a.acknowledged_at)) for a in rows])


def _corrections(teacher):
    return Section("correction_requests", _("Correction requests"), [
        ("sent", _("sent")), ("field", _("what is wrong")), ("text", _("what it should say")),
        ("status", _("status")), ("resolved_at", _("resolved")), ("note", _("note to the teacher")),
    ], [(_local(r.created_at), r.get_field_display(), r.text, r.get_status_display(),
         _local(r.resolved_at), r.resolution_note) for r in correction_request_list_for_teacher(teacher)])


SECTION_BUILDERS = (
    _profile, _enrolments, _lesson_progress, _quiz_attempts, _attendance, _ledger, _year_totals, _certificates,
    _certificate_batches, _memberships, _membership_steps, _nomination_attachments, _assessment_results,
    _pairings, _activities, _evidence_files, _outputs, _imports, _log_entries, _consents, _corrections,
)


def personal_data_get(teacher: TeacherProfile) -> PersonalData:
    """Everything held about ``teacher``, section by section (see
    ``PERSONAL_DATA_COVERAGE``)."""
    user = teacher.user
    sections = [_account(user), *(build(teacher) for build in SECTION_BUILDERS)]
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
