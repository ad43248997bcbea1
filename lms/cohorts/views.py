"""The member's own cohort page on the public site (/my/cohorts/): each
membership's status, history and progress against every requirement,
computed by ``lms.cohorts.progress`` from the ledger and completion records."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from lms.cohorts.selectors import my_membership_list
from lms.people.selectors import teacher_get_for_user

TEMPLATE = "lms/cohorts/my_cohorts.html"


@login_required
def my_cohorts(request):
    teacher = teacher_get_for_user(request.user)
    if teacher is None:
        return render(request, TEMPLATE, {"page_title": _("My cohorts"), "teacher": None, "memberships": []})
    request.user.teacher_profile = teacher
    return render(
        request,
        TEMPLATE,
        {"page_title": _("My cohorts"), "teacher": teacher, "memberships": my_membership_list(teacher=teacher)},
    )
