"""Courses: the catalogue, course and lesson pages (content, in the page
tree) and the learning records (plain models: enrolments, progress, quiz
attempts, offline sessions, attendance, check-in codes).

Writes go through ``courses.services``; reads of the records through
``courses.selectors``.
"""

from django import forms
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from lms.api import Position, Stage, Subject

from .blocks import LessonStreamBlock
from .constants import AttendanceVia, CourseCategory, CourseMode, EnrolmentStatus


class PositionsField(models.JSONField):
    """A list of ``Position`` values, edited as checkboxes. Empty means the
    course is for every teacher."""

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=Position.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            label=self.verbose_name,
            help_text=self.help_text,
            coerce=str,
        )


class CourseIndexPage(Page):
    """The course catalogue (课程中心). Its listing, filters and search are in
    ``get_context``; see ``courses.selectors.course_catalogue``."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["themes.HomePage"]
    subpage_types = ["courses.CoursePage"]
    template = "courses/course_index_page.html"

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from .views import catalogue_context

        context = super().get_context(request, *args, **kwargs)
        context.update(catalogue_context(self, request))
        return context


class CoursePage(Page):
    summary = models.TextField(_("summary"), max_length=500, blank=True)
    description = RichTextField(_("description"), blank=True)
    subject = models.CharField(_("subject"), max_length=16, choices=Subject.choices)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    credit_hours = models.DecimalField(_("credit hours"), max_digits=5, decimal_places=2)
    mode = models.CharField(_("mode"), max_length=8, choices=CourseMode.choices, default=CourseMode.ONLINE)
    category = models.CharField(_("category"), max_length=24, choices=CourseCategory.choices)
    audience = PositionsField(
        _("intended audience"), default=list, blank=True,
        help_text=_("Leave all unticked for a course open to every teacher."),
    )
    enrol_opens_at = models.DateTimeField(_("enrolment opens"), null=True, blank=True)
    enrol_closes_at = models.DateTimeField(_("enrolment closes"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, help_text=_("Empty for no limit."))
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage", verbose_name=_("prerequisites"), blank=True, symmetrical=False,
        related_name="required_by",
    )
    # The completion rule: every condition that is switched on must hold.
    requires_lessons = models.BooleanField(_("all required lessons done"), default=True)
    requires_quizzes = models.BooleanField(_("every quiz passed"), default=True)
    required_sessions = models.PositiveSmallIntegerField(_("offline sessions to attend"), default=0)
    min_minutes = models.PositiveIntegerField(_("minimum minutes on lesson pages"), default=0)
    issues_certificate = models.BooleanField(_("issues a completion certificate"), default=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("subject"), FieldPanel("stage")]),
                FieldRowPanel([FieldPanel("mode"), FieldPanel("category")]),
                FieldPanel("credit_hours"),
                FieldPanel("audience"),
            ],
            heading=_("Who and what"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("enrol_opens_at"), FieldPanel("enrol_closes_at")]),
                FieldPanel("capacity"),
                FieldPanel("prerequisites", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("Enrolment"),
        ),
        MultiFieldPanel(
            [
                HelpPanel(content=_("A teacher completes the course when every condition below holds.")),
                FieldPanel("requires_lessons"),
                FieldPanel("requires_quizzes"),
                FieldRowPanel([FieldPanel("required_sessions"), FieldPanel("min_minutes")]),
                FieldPanel("issues_certificate"),
            ],
            heading=_("Completion rule"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("description"),
        index.FilterField("subject"),
        index.FilterField("stage"),
        index.FilterField("mode"),
        index.FilterField("category"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]
    template = "courses/course_page.html"

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        permissions = [("manage_course", _("Can manage this course: lessons, sessions, attendance and reports"))]

    def permissions_for_user(self, user):
        from .permissions import CoursePagePermissionTester

        return CoursePagePermissionTester(user, self)

    def get_context(self, request, *args, **kwargs):
        from .views import course_context

        context = super().get_context(request, *args, **kwargs)
        context.update(course_context(self, request))
        return context

    def is_open_for_enrolment(self, now=None):
        now = now or timezone.now()
        return (self.enrol_opens_at is None or self.enrol_opens_at <= now) and (
            self.enrol_closes_at is None or now < self.enrol_closes_at
        )

    def get_audience_display(self):
        labels = dict(Position.choices)
        return "、".join(str(labels.get(value, value)) for value in self.audience or [])


class CourseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(CoursePage, on_delete=models.CASCADE)


class CourseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(CoursePage, on_delete=models.CASCADE)


class LessonPage(Page):
    body = StreamField(LessonStreamBlock(), verbose_name=_("content"), blank=True)
    is_required = models.BooleanField(
        _("required for completion"), default=True,
        help_text=_("Optional lessons count towards progress but not towards completion."),
    )
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=20)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("is_required"), FieldPanel("estimated_minutes")]),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []
    template = "courses/lesson_page.html"

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def permissions_for_user(self, user):
        from .permissions import CoursePagePermissionTester

        return CoursePagePermissionTester(user, self)

    @property
    def course_path(self):
        return self.path[: -self.steplen]

    def get_url_parts(self, request=None):
        """Lessons are served by ``courses.views.lesson`` at /learn/<id>/: a
        fixed handful of queries, where routing through the page tree
        costs several per level (see docs/decisions/0010)."""
        parts = super().get_url_parts(request)
        if not parts or parts[1] is None:
            return parts
        site_id, root_url, _page_path = parts
        return site_id, root_url, reverse("courses:lesson", args=[self.pk])

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        return redirect("courses:lesson", self.pk)

    def serve_preview(self, request, mode_name):
        from .views import lesson_preview

        return lesson_preview(request, self)

    def quizzes(self):
        return [block for block in self.body if block.block_type == "quiz"]

    def quiz(self, quiz_id):
        return next((block for block in self.quizzes() if block.id == quiz_id), None)


class Enrolment(models.Model):
    course = models.ForeignKey(CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="enrolments")
    teacher = models.ForeignKey(
        "lms.TeacherProfile", verbose_name=_("teacher"), on_delete=models.CASCADE, related_name="enrolments"
    )
    status = models.CharField(_("status"), max_length=12, choices=EnrolmentStatus.choices,
                              default=EnrolmentStatus.ENROLLED)
    enrolled_at = models.DateTimeField(_("enrolled"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    seconds_on_lessons = models.PositiveIntegerField(_("seconds on lesson pages"), default=0)
    # Until when the teacher's time on lesson pages has been counted (a Unix
    # time): visits open at once in several tabs share their wall time, so
    # the time before this is never counted again.
    seconds_counted_until = models.BigIntegerField(default=0)
    credit = models.ForeignKey(
        "lms.TrainingCredit", verbose_name=_("ledger entry"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-enrolled_at"]
        constraints = [models.UniqueConstraint(fields=["course", "teacher"], name="one_enrolment_per_course")]
        indexes = [models.Index(fields=["course", "status"]), models.Index(fields=["teacher", "status"])]

    def __str__(self):
        return f"{self.teacher} · {self.course.title}"

    @property
    def is_completed(self):
        return self.status == EnrolmentStatus.COMPLETED

    @property
    def minutes_on_lessons(self):
        return self.seconds_on_lessons // 60


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(_("done"), null=True, blank=True)
    seconds_spent = models.PositiveIntegerField(_("seconds on the page"), default=0)
    # When the last counted visit began (a Unix time): a visit's time is
    # counted once however many forms it submits.
    last_visit_started = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="one_progress_per_lesson")]

    def __str__(self):
        return f"{self.enrolment} · {self.lesson.title}"


class QuizAttempt(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="quiz_attempts")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="+")
    # The StreamField block id of the quiz within the lesson.
    quiz_id = models.CharField(_("quiz"), max_length=64)
    number = models.PositiveSmallIntegerField(_("attempt"))
    answers = models.JSONField(_("answers"), default=dict)
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson", "quiz_id", "number"], name="one_attempt_number")
        ]

    def __str__(self):
        return f"{self.enrolment} · {self.lesson.title} #{self.number}: {self.score}%"


class OfflineSession(models.Model):
    course = models.ForeignKey(CoursePage, verbose_name=_("course"), on_delete=models.CASCADE,
                               related_name="sessions")
    title = models.CharField(_("title"), max_length=255)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=255)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("offline session")
        verbose_name_plural = _("offline sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start")
        ]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%Y-%m-%d %H:%M})"

    def is_running(self, now=None):
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at


class Attendance(models.Model):
    session = models.ForeignKey(OfflineSession, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    via = models.CharField(_("recorded via"), max_length=8, choices=AttendanceVia.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="one_attendance_per_session")]

    def __str__(self):
        return f"{self.enrolment.teacher} · {self.session}"


class CheckinCode(models.Model):
    """A short code shown (and as a QR code) in the room; valid until
    ``expires_at``. Earlier codes stay, so an old code is told apart from a
    mistyped one."""

    session = models.ForeignKey(OfflineSession, on_delete=models.CASCADE, related_name="checkin_codes")
    code = models.CharField(_("code"), max_length=16, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.code
