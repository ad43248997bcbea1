"""The research-along pages of the public site (/research-along/…), for
teachers and mentors. Each view parses input, finds the pairing through the
scoped selector (anything outside the user's scope is a 404) and calls one
service; a refused action comes back as a message on the form, never a 500.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lms.api import private_file_response, teacher_get_for_user

from . import services
from .constants import ActivityStatus, PairingStatus
from .forms import ActivityForm, ApplyForm, CompleteForm, OutputForm, ProjectForm, ReasonForm, ReturnForm
from .models import MentorProfile, MentorProject, ResearchActivity
from .selectors import (
    activity_queue_for_mentor,
    activity_waiting_count,
    evidence_get_for_user,
    mentor_directory,
    mentor_get_for_user,
    mentor_suggestions,
    pairing_get_for_user,
    pairing_list_for_user,
)

NOT_A_TEACHER = _("Only teachers can apply to a mentor.")
NOT_A_MENTOR = _("This page is for research mentors.")

# Which form field a service's error code belongs to.
ERROR_FIELDS = {
    "occurred_on": "occurred_on",
    "hours": "hours",
    "evidence_type": "evidence",
    "evidence_size": "evidence",
    "evidence_content": "evidence",
    "evidence_empty": "evidence",
    "planned_end_on": "planned_end_on",
    "final_report": "final_report",
    "reason": "reason",
    "comment": "comment",
}


def _text_of(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _add_service_error(form, error):
    """Attach a service's refusal to the form field it concerns."""
    field = ERROR_FIELDS.get(getattr(error, "code", None))
    form.add_error(field if field in form.fields else None, _text_of(error))


def _pairing_or_404(request, pk):
    pairing = pairing_get_for_user(request.user, pk)
    if pairing is None:
        raise Http404
    return pairing


@login_required
def my_pairings(request):
    pairings = (
        pairing_list_for_user(request.user)
        .annotate(
            waiting_count=Count("activities", filter=Q(activities__status=ActivityStatus.SUBMITTED)),
            confirmed_count=Count("activities", filter=Q(activities__status=ActivityStatus.CONFIRMED)),
        )
        .order_by("-created_at", "-pk")
    )
    mentor = mentor_get_for_user(request.user)
    teacher = teacher_get_for_user(request.user)
    # The header and the navigation read these from the user; hand them
    # the profiles already fetched.
    if mentor is not None:
        request.user.mentor_profile = mentor
    if teacher is not None:
        request.user.teacher_profile = teacher
    return render(
        request,
        "mentors/my_pairings.html",
        {
            "pairings": pairings,
            "mentor": mentor,
            "teacher": teacher,
            "waiting_count": activity_waiting_count(mentor) if mentor else 0,
            "projects": list(mentor.projects.all()) if mentor else [],
        },
    )


@login_required
def directory(request):
    teacher = teacher_get_for_user(request.user)
    return render(
        request,
        "mentors/directory.html",
        {
            "mentors": mentor_directory(),
            "teacher": teacher,
            "suggestions": mentor_suggestions(teacher) if teacher else [],
        },
    )


@login_required
def apply(request, mentor_pk):
    mentor = get_object_or_404(MentorProfile, pk=mentor_pk, is_accepting=True)
    teacher = teacher_get_for_user(request.user)
    if teacher is None:
        messages.error(request, NOT_A_TEACHER)
        return redirect("mentors:directory")
    project_pk = request.GET.get("project", "")
    project = (
        MentorProject.objects.filter(mentor=mentor, is_open=True, pk=int(project_pk)).first()
        if project_pk.isdigit()
        else None
    )
    initial = {"project_title": project.title, "goals": project.summary} if project else {}
    form = ApplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pairing = services.pairing_propose(teacher=teacher, mentor=mentor, proposed_by=request.user,
                                               project=project, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("Your application was sent to %(mentor)s.") % {"mentor": mentor.real_name})
            return redirect("mentors:pairing_detail", pairing.pk)
    return render(request, "mentors/apply.html", {"form": form, "mentor": mentor, "project": project})


def _detail_context(request, pairing, **forms):
    user = request.user
    activities = pairing.activities.prefetch_related("evidence_files").select_related("credit")
    is_mentor = pairing.mentor.user_id == user.pk
    is_teacher = pairing.teacher.user_id == user.pk
    return {
        "pairing": pairing,
        "activities": activities,
        "outputs": pairing.outputs.all(),
        "is_mentor": is_mentor,
        "is_teacher": is_teacher,
        "can_decide": pairing.status == PairingStatus.PROPOSED and (is_mentor or services.is_academy_admin(user)),
        "is_active": pairing.status == PairingStatus.ACTIVE,
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "output_form": forms.get("output_form") or OutputForm(),
        "return_form": ReturnForm(),
        "complete_form": forms.get("complete_form") or CompleteForm(initial={"final_report": pairing.final_report}),
        "waiting_me": (is_mentor and pairing.mentor_completed_at is None)
        or (is_teacher and pairing.teacher_completed_at is None),
    }


@login_required
def pairing_detail(request, pk):
    pairing = _pairing_or_404(request, pk)
    return render(request, "mentors/pairing_detail.html", _detail_context(request, pairing))


def _post_action(request, pk, action, form_class=None, form_key=None, success=""):
    pairing = _pairing_or_404(request, pk)
    form = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        try:
            action(pairing, form.cleaned_data if form else {})
        except (ValidationError, PermissionDenied) as error:
            if form is None:
                messages.error(request, _text_of(error))
                return redirect("mentors:pairing_detail", pairing.pk)
            _add_service_error(form, error)
        else:
            messages.success(request, success)
            return redirect("mentors:pairing_detail", pairing.pk)
    context = _detail_context(request, pairing, **{form_key: form})
    return render(request, "mentors/pairing_detail.html", context, status=400)


@login_required
@require_POST
def pairing_accept(request, pk):
    return _post_action(
        request, pk, lambda pairing, data: services.pairing_accept(pairing=pairing, user=request.user),
        success=_("The pairing is active."),
    )


@login_required
@require_POST
def pairing_decline(request, pk):
    return _post_action(
        request, pk,
        lambda pairing, data: services.pairing_decline(pairing=pairing, user=request.user, reason=data["reason"]),
        ReasonForm, "reason_form", _("The proposal was declined."),
    )


@login_required
@require_POST
def pairing_end(request, pk):
    return _post_action(
        request, pk,
        lambda pairing, data: services.pairing_end_early(pairing=pairing, user=request.user, reason=data["reason"]),
        ReasonForm, "reason_form", _("The pairing was ended early."),
    )


@login_required
@require_POST
def pairing_complete(request, pk):
    return _post_action(
        request, pk,
        lambda pairing, data: services.pairing_complete_confirm(
            pairing=pairing, user=request.user, final_report=data["final_report"]
        ),
        CompleteForm, "complete_form", _("Your confirmation of completion was recorded."),
    )


@login_required
@require_POST
def output_add(request, pk):
    return _post_action(
        request, pk,
        lambda pairing, data: services.pairing_output_add(pairing=pairing, user=request.user, **data),
        OutputForm, "output_form", _("The output was added."),
    )


@login_required
def activity_log(request, pk):
    pairing = _pairing_or_404(request, pk)
    if pairing.teacher.user_id != request.user.pk:
        raise Http404
    form = ActivityForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.pairing_activity_log(
                pairing=pairing, user=request.user, occurred_on=data["occurred_on"], kind=data["kind"],
                hours=data["hours"], description=data["description"], evidence_files=data["evidence"],
            )
        except (ValidationError, PermissionDenied) as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("Your activity was sent to your mentor to confirm."))
            return redirect("mentors:pairing_detail", pairing.pk)
    status = 400 if form.errors else 200
    return render(request, "mentors/activity_form.html", {"form": form, "pairing": pairing}, status=status)


@login_required
def queue(request):
    mentor = mentor_get_for_user(request.user)
    if mentor is None:
        return render(request, "mentors/queue.html", {"not_mentor": True, "message": NOT_A_MENTOR})
    activities = list(activity_queue_for_mentor(mentor))
    return render(request, "mentors/queue.html", {"mentor": mentor, "activities": activities,
                                                  "return_form": ReturnForm()})


def _activity_for_review(request, pk):
    """Activities of the pairings the user may see; whether they may confirm
    it is the service's decision (refused with a message otherwise)."""
    activity = ResearchActivity.objects.filter(pk=pk, pairing__in=pairing_list_for_user(request.user)).first()
    if activity is None:
        raise Http404
    return activity


@login_required
@require_POST
def activity_confirm(request, pk):
    activity = _activity_for_review(request, pk)
    try:
        services.pairing_activity_confirm(activity=activity, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _text_of(error))
    else:
        messages.success(request, _("Confirmed; the hours are credited to the teacher."))
    return redirect("mentors:queue")


@login_required
@require_POST
def activity_return(request, pk):
    activity = _activity_for_review(request, pk)
    form = ReturnForm(request.POST)
    try:
        services.pairing_activity_return(
            activity=activity, user=request.user, comment=form.data.get("comment", "")
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _text_of(error))
    else:
        messages.success(request, _("Returned to the teacher with your comment."))
    return redirect("mentors:queue")


def evidence_download(request, pk):
    """An evidence file by its id, for whoever may see its pairing; a 404,
    signed in or not, for everyone else."""
    evidence = evidence_get_for_user(request.user, pk)
    if evidence is None:
        raise Http404
    return private_file_response(evidence.file, evidence.original_filename)


@login_required
def project_new(request):
    mentor = mentor_get_for_user(request.user)
    if mentor is None:
        raise Http404
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.mentor_project_post(mentor=mentor, **form.cleaned_data)
        messages.success(request, _("Your project is posted; teachers can apply to it."))
        return redirect("mentors:my_pairings")
    return render(request, "mentors/project_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def project_close(request, pk):
    project = get_object_or_404(MentorProject, pk=pk)
    try:
        services.mentor_project_close(project=project, user=request.user)
    except PermissionDenied as error:
        messages.error(request, _text_of(error))
    else:
        messages.success(request, _("The project no longer takes applications."))
    return redirect("mentors:my_pairings")
