"""The sections of "my data" built from a teacher's own records, one
builder per kind of record: the account, the profile, courses, the hours
ledger, certificates, cohorts and research-along. The sections that need the
privacy selectors' queries (import rows, the audit log, correction
requests) are built in ``lms.privacy.selectors``, which puts them all in
order (``personal_data_get``)."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certificates.api import Certificate, IssueBatchItem
from courses.api import Attendance, Enrolment, LessonProgress, QuizAttempt
from lms.constants import POSITION_FIELDS
from lms.models import (
    AssessmentResult,
    CohortMembership,
    MembershipTransition,
    NominationAttachment,
    TeacherYearTally,
    TrainingCredit,
)
from mentors.api import ActivityEvidence, ResearchActivity, ResearchOutput, ResearchPairing


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


def local_time(value):
    return timezone.localtime(value) if value else None


def _file_url(fieldfile):
    # The file's own URL: the storage decides who may open it.
    return fieldfile.url if fieldfile else ""


def account_section(user):
    groups = "、".join(str(_(group.name)) for group in user.groups.all())
    return _record("account", _("Account"), [
        (_("username"), user.username),
        (_("first name"), user.first_name),
        (_("last name"), user.last_name),
        (_("e-mail"), user.email),
        (_("roles"), groups),
        (_("active"), user.is_active),
        (_("joined"), local_time(user.date_joined)),
        (_("last signed in"), local_time(user.last_login)),
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
    pairs += [(label("created_at"), local_time(teacher.created_at)), (label("updated_at"), local_time(teacher.updated_at))]
    return _record("profile", _("Teacher profile"), pairs)


def _enrolments(teacher):
    enrolments = list(Enrolment.objects.filter(teacher=teacher).select_related("course").order_by("enrolled_at", "pk"))
    section = Section("enrolments", _("Courses"), [
        ("course", _("course")), ("status", _("status")), ("enrolled_at", _("enrolled")),
        ("completed_at", _("completed")), ("withdrawn_at", _("withdrawn")),
        ("minutes", _("minutes on lesson pages")),
    ])
    section.rows = [
        (e.course.title, e.get_status_display(), local_time(e.enrolled_at), local_time(e.completed_at),
         local_time(e.withdrawn_at), e.minutes_on_lessons)
        for e in enrolments
    ]
    return section


def _lesson_progress(teacher):
    rows = LessonProgress.objects.filter(enrolment__teacher=teacher).select_related("enrolment__course", "lesson")
    return Section("lesson_progress", _("Lessons"), [
        ("course", _("course")), ("lesson", _("lesson")), ("completed_at", _("done")),
        ("seconds", _("seconds on the page")),
    ], [(p.enrolment.course.title, p.lesson.title, local_time(p.completed_at), p.seconds_spent)
        for p in rows.order_by("pk")])


def _quiz_attempts(teacher):
    rows = QuizAttempt.objects.filter(enrolment__teacher=teacher).select_related("enrolment__course", "lesson")
    return Section("quiz_attempts", _("Quiz attempts"), [
        ("course", _("course")), ("lesson", _("lesson")), ("number", _("attempt")), ("score", _("score (%)")),
        ("passed", _("passed")), ("submitted_at", _("submitted")), ("answers", _("answers")),
    ], [(a.enrolment.course.title, a.lesson.title, a.number, a.score, a.passed, local_time(a.submitted_at), a.answers)
        for a in rows.order_by("submitted_at", "pk")])


def _attendance(teacher):
    rows = Attendance.objects.filter(enrolment__teacher=teacher).select_related("session__course")
    return Section("attendance", _("Attendance at offline sessions"), [
        ("course", _("course")), ("session", _("offline session")), ("starts_at", _("starts")),
        ("place", _("place")), ("via", _("recorded via")), ("recorded_at", _("recorded")),
    ], [(a.session.course.title, a.session.title, local_time(a.session.starts_at), a.session.place,
         a.get_via_display(), local_time(a.recorded_at)) for a in rows.order_by("recorded_at", "pk")])


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
         local_time(c.created_at), _file_url(c.evidence_file))
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
    ], [(c.serial, c.get_kind_display(), c.subject_label, c.holder_name, c.hours, local_time(c.issued_at),
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
    ], [(m.cohort.name, m.get_status_display(), local_time(m.nominated_at), m.statement, m.eligibility_override_reason,
         local_time(m.certified_at), m.certification_override_reason) for m in rows])


def _membership_steps(teacher):
    rows = MembershipTransition.objects.filter(membership__teacher=teacher).select_related("membership__cohort")
    return Section("cohort_steps", _("Cohort membership steps"), [
        ("cohort", _("cohort")), ("from_status", _("from")), ("to_status", _("to")), ("at", _("at")),
        ("reason", _("reason")),
    ], [(t.membership.cohort.name, t.get_from_status_display(), t.get_to_status_display(), local_time(t.at), t.reason)
        for t in rows.order_by("at", "pk")])


def _nomination_attachments(teacher):
    rows = NominationAttachment.objects.filter(membership__teacher=teacher).select_related("membership__cohort")
    return Section("nomination_attachments", _("Nomination attachments"), [
        ("cohort", _("cohort")), ("file_name", _("file name")), ("uploaded_at", _("uploaded")), ("url", _("file")),
    ], [(a.membership.cohort.name, a.original_filename, local_time(a.uploaded_at), _file_url(a.file))
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


# The record sections in the order "my data" shows them, after the account.
RECORD_SECTIONS = (
    _profile, _enrolments, _lesson_progress, _quiz_attempts, _attendance, _ledger, _year_totals, _certificates,
    _certificate_batches, _memberships, _membership_steps, _nomination_attachments, _assessment_results,
    _pairings, _activities, _evidence_files, _outputs,
)
