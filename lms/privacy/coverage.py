"""What "my data" shows of a teacher, relation by relation.

``PERSONAL_DATA_COVERAGE`` names, for every relation from a model to the
user or the teacher profile (and from a teacher's own records onwards),
the section of the export that shows it, or why it is left out. A test walks
the app registry and fails when a relation is missing here, so a new model
holding a teacher's data cannot be forgotten.
"""

from dataclasses import dataclass


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
