"""The trainers' and academy admins' screens in the Wagtail admin:
course reports (with CSV/XLSX export), offline sessions, attendance taking
and the check-in code with its QR code.

Every screen reads its courses through ``course_list_for_user`` (and
sessions through ``session_list_for_user``): a course or session outside
that scope is a 404, so a trainer never sees another trainer's results.
"""

from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import include, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from guardian.shortcuts import get_users_with_perms
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.api import ScopedModelViewSet, csv_response, xlsx_response

from . import services
from .models import CheckinCode, OfflineSession
from .selectors import (
    ALL_COURSES_PERMISSION,
    course_attendance,
    course_list_for_user,
    course_report,
    session_list_for_user,
)

ATTENDANCE_SAVED = _("%(count)s teachers newly marked present.")
NOBODY_SELECTED = _("Select the teachers who are present.")

REPORT_HEADER = [
    _("Staff number"), _("Name"), _("School"), _("Status"), _("Enrolled"), _("Lessons done"), _("Quizzes passed"),
    _("Quiz scores"), _("Sessions attended"), _("Minutes on lessons"), _("Completed"),
]


# Trainers and academy admins hold it (lms.people.roles); checking a model
# permission costs no query on admin pages, which load them anyway.
COURSE_STAFF_PERMISSION = "courses.view_offlinesession"


def reports_visible_to(user):
    return user.has_perm(COURSE_STAFF_PERMISSION)


def _course_or_404(user, pk):
    course = course_list_for_user(user).filter(pk=pk).first()
    if course is None:
        raise Http404
    return course


def _session_or_404(user, pk):
    session = session_list_for_user(user).filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


class CourseAdminView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "doc-full-inverse"
    _show_breadcrumbs = True

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse("course_reports:index"), "label": _("Course reports")},
                *self.extra_breadcrumbs(), {"url": "", "label": self.get_page_title()}]

    def extra_breadcrumbs(self):
        return []


class ReportIndexView(CourseAdminView):
    template_name = "courses/admin/report_index.html"
    page_title = _("Course reports")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        from django.db.models import Count, Q

        from .constants import ACTIVE_STATUSES, EnrolmentStatus

        courses = course_list_for_user(self.request.user).annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status__in=ACTIVE_STATUSES)),
            completed=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.COMPLETED)),
        ).order_by("title")
        return super().get_context_data(courses=courses, **kwargs)


class CourseReportView(CourseAdminView):
    template_name = "courses/admin/report.html"

    def dispatch(self, request, *args, **kwargs):
        self.course = _course_or_404(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.course.title

    def rows(self, enrolments):
        for enrolment in enrolments:
            teacher = enrolment.teacher
            yield [
                teacher.staff_number, teacher.real_name, str(teacher.school or ""), enrolment.status_label,
                timezone.localtime(enrolment.enrolled_at).strftime("%Y-%m-%d %H:%M"), enrolment.lessons_done,
                enrolment.quizzes_passed, enrolment.quiz_scores, enrolment.sessions_attended,
                enrolment.minutes_on_lessons,
                timezone.localtime(enrolment.completed_at).strftime("%Y-%m-%d %H:%M") if enrolment.completed_at else "",
            ]

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            enrolments = course_report(self.course)
            filename = f"course-{self.course.pk}-report.{export}"
            if export == "csv":
                return csv_response(filename, REPORT_HEADER, self.rows(enrolments))
            return xlsx_response(filename, REPORT_HEADER, self.rows(enrolments), sheet_title=self.course.title)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = {"course": self.course, "enrolments": course_report(self.course),
                   "sessions": self.course.sessions.all()}
        if self.request.user.has_perm(ALL_COURSES_PERMISSION):
            managers = get_users_with_perms(self.course, only_with_perms_in=["manage_course"], with_group_users=False)
            context.update(managers=managers.order_by("username"), trainers=_trainers().exclude(pk=self.course.owner_id))
        return super().get_context_data(**context, **kwargs)


MANAGER_GRANTED = _("%(user)s can now edit this course and see its reports.")
MANAGER_REVOKED = _("%(user)s can no longer manage this course.")
NOT_A_TRAINER = _("Choose a trainer.")


def _trainers():
    from django.contrib.auth import get_user_model

    from lms.api import Role

    return get_user_model().objects.filter(groups__name=Role.TRAINER.value, is_active=True).order_by("username")


class CourseManagersView(CourseAdminView):
    """Academy admins give a course to other trainers (the guardian object
    permission ``courses.manage_course``) or take it back."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(ALL_COURSES_PERMISSION):
            raise Http404
        self.course = _course_or_404(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        user = _trainers().filter(pk=request.POST.get("user") or 0).first()
        if user is None:
            messages.error(request, NOT_A_TRAINER)
        elif request.POST.get("action") == "revoke":
            services.course_manager_revoke(course=self.course, user=user)
            messages.success(request, MANAGER_REVOKED % {"user": user.get_full_name() or user.username})
        else:
            services.course_manager_grant(course=self.course, user=user)
            messages.success(request, MANAGER_GRANTED % {"user": user.get_full_name() or user.username})
        return redirect("course_reports:report", self.course.pk)


class AttendanceView(CourseAdminView):
    """The session's enrolled teachers with a tick box each: tick the
    present ones (or all) and save."""

    template_name = "courses/admin/attendance.html"

    def dispatch(self, request, *args, **kwargs):
        self.session = _session_or_404(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Attendance: %(session)s") % {"session": self.session}

    def extra_breadcrumbs(self):
        course = self.session.course
        return [{"url": reverse("course_reports:report", args=[course.pk]), "label": course.title}]

    def post(self, request, *args, **kwargs):
        ids = [value for value in request.POST.getlist("present") if value.isdigit()]
        if not ids:
            messages.error(request, NOBODY_SELECTED)
        else:
            count = services.attendance_record(session=self.session, enrolment_ids=ids, recorded_by=request.user)
            messages.success(request, ATTENDANCE_SAVED % {"count": count})
        return redirect("course_reports:attendance", self.session.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(session=self.session, enrolments=course_attendance(self.session), **kwargs)


def checkin_url(request, code):
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or request.build_absolute_uri("/")
    return f"{base.rstrip('/')}{reverse('courses:checkin')}?code={code}"


def qr_svg(data):
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return mark_safe(svg[svg.index("<svg"):])  # noqa: S308 - generated by qrcode, no user input but digits


class CheckinCodeView(CourseAdminView):
    """Shows the session's current check-in code and its QR code for the
    room's screen; POST makes a fresh one. The page reloads itself so the
    code on the screen is always the current one."""

    template_name = "courses/admin/checkin_code.html"

    def dispatch(self, request, *args, **kwargs):
        self.session = _session_or_404(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Check-in: %(session)s") % {"session": self.session}

    def extra_breadcrumbs(self):
        course = self.session.course
        return [{"url": reverse("course_reports:report", args=[course.pk]), "label": course.title}]

    def post(self, request, *args, **kwargs):
        try:
            services.checkin_code_create(session=self.session, created_by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("course_reports:checkin", self.session.pk)

    def get_context_data(self, **kwargs):
        now = timezone.now()
        code = CheckinCode.objects.filter(session=self.session, expires_at__gt=now).first()
        context = {"session": self.session, "code": code}
        if code is not None:
            url = checkin_url(self.request, code.code)
            context.update(checkin_link=url, qr=qr_svg(url), seconds_left=int((code.expires_at - now).total_seconds()))
        return super().get_context_data(**context, **kwargs)


urlpatterns = [
    path("", ReportIndexView.as_view(), name="index"),
    path("<int:pk>/", CourseReportView.as_view(), name="report"),
    path("<int:pk>/managers/", CourseManagersView.as_view(), name="managers"),
    path("sessions/<int:pk>/attendance/", AttendanceView.as_view(), name="attendance"),
    path("sessions/<int:pk>/checkin/", CheckinCodeView.as_view(), name="checkin"),
]


def admin_urls():
    return [path("course-reports/", include((urlpatterns, "course_reports"), namespace="course_reports"))]


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return reports_visible_to(request.user)


def menu_item():
    return ReportsMenuItem(
        _("Course reports"), reverse_lazy("course_reports:index"), name="course-reports", icon_name="table", order=250
    )


# Offline sessions ----------------------------------------------------------------------


class _SessionFormMixin:
    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["course"].queryset = course_list_for_user(self.request.user).order_by("title")
        return form


class SessionCreateView(_SessionFormMixin, generic.CreateView):
    pass


class OfflineSessionViewSet(ScopedModelViewSet):
    model = OfflineSession
    icon = "date"
    menu_label = _("Offline sessions")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["title", "course", "starts_at", "place", "hours"]
    form_fields = ["course", "title", "starts_at", "ends_at", "place", "capacity", "hours"]
    add_view_class = SessionCreateView
    scope = staticmethod(session_list_for_user)
    inspect_view_enabled = False


class _ScopedSessionEdit(_SessionFormMixin, OfflineSessionViewSet.edit_view_class):
    pass


OfflineSessionViewSet.edit_view_class = _ScopedSessionEdit
offline_session_viewset = OfflineSessionViewSet("offline_sessions")


def admin_viewsets():
    return offline_session_viewset


def log_entry_scopes():
    """Site history (lms/audit.py): an offline session's log entries for those
    who manage its course."""
    from .selectors import session_list_for_user

    return {OfflineSession: session_list_for_user}
