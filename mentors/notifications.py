"""E-mails of the research-along app. Called by ``mentors.tasks`` once the
service's transaction has committed; each re-reads what it reports on."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from .constants import ActivityStatus, PairingStatus
from .models import MentorProfile, ResearchActivity, ResearchPairing


def _absolute(path):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _send(subject, body, recipient):
    if recipient:
        send_mail(subject, body, None, [recipient])


def mentor_invited(*, mentor_pk, set_password_path):
    mentor = MentorProfile.objects.select_related("user").filter(pk=mentor_pk).first()
    if mentor is None:
        return
    _send(
        _("You are invited to mentor science teachers"),
        _(
            "Dear %(name)s,\n\nThe academy invites you to mentor science teachers in research-along.\n"
            "Set your password here: %(link)s\nYour user name is %(username)s.\n"
        )
        % {"name": mentor.real_name, "link": _absolute(set_password_path), "username": mentor.user.username},
        mentor.user.email,
    )


def pairing_proposed(*, pairing_pk):
    pairing = ResearchPairing.objects.select_related("mentor__user", "teacher").filter(pk=pairing_pk).first()
    if pairing is None:
        return
    _send(
        _("A teacher's research-along pairing is proposed to you"),
        _("%(teacher)s: “%(project)s”. Accept or decline it here: %(link)s\n")
        % {
            "teacher": pairing.teacher.real_name,
            "project": pairing.project_title,
            "link": _absolute(reverse("mentors:pairing_detail", args=[pairing.pk])),
        },
        pairing.mentor.user.email,
    )


def pairing_decided(*, pairing_pk):
    pairing = ResearchPairing.objects.select_related("mentor", "teacher__user").filter(pk=pairing_pk).first()
    if pairing is None:
        return
    if pairing.status == PairingStatus.ACTIVE:
        subject = _("Your research-along pairing with %(mentor)s has started") % {"mentor": pairing.mentor.real_name}
    else:
        subject = _("Your research-along pairing with %(mentor)s was declined") % {"mentor": pairing.mentor.real_name}
    body = "%s\n%s\n%s\n" % (
        pairing.project_title,
        pairing.status_reason,
        _absolute(reverse("mentors:pairing_detail", args=[pairing.pk])),
    )
    _send(subject, body, pairing.teacher.user.email)


def activity_submitted(*, activity_pk):
    """Tell the mentor an activity waits for them, with how many do."""
    activity = (
        ResearchActivity.objects.select_related("pairing__mentor__user", "pairing__teacher")
        .filter(pk=activity_pk, status=ActivityStatus.SUBMITTED)
        .first()
    )
    if activity is None:
        return
    mentor = activity.pairing.mentor
    waiting = ResearchActivity.objects.filter(pairing__mentor=mentor, status=ActivityStatus.SUBMITTED).count()
    _send(
        _("%(count)s research-along activities are waiting for you") % {"count": waiting},
        _("%(teacher)s logged %(hours)s hours (%(kind)s, %(date)s). Confirm or return it here: %(link)s\n")
        % {
            "teacher": activity.pairing.teacher.real_name,
            "hours": activity.hours,
            "kind": activity.get_kind_display(),
            "date": activity.occurred_on,
            "link": _absolute(reverse("mentors:queue")),
        },
        mentor.user.email,
    )


def activity_reviewed(*, activity_pk):
    """Tell the teacher their activity was confirmed (and credited) or returned."""
    activity = (
        ResearchActivity.objects.select_related("pairing__mentor", "pairing__teacher__user")
        .filter(pk=activity_pk)
        .first()
    )
    if activity is None or activity.status == ActivityStatus.SUBMITTED:
        return
    params = {"date": activity.occurred_on, "hours": activity.hours, "mentor": activity.pairing.mentor.real_name}
    if activity.status == ActivityStatus.CONFIRMED:
        subject = _("Your research-along activity of %(date)s was confirmed") % params
        body = _("%(mentor)s confirmed %(hours)s hours; they are credited to your training hours.\n") % params
    else:
        subject = _("Your research-along activity of %(date)s was returned") % params
        body = _("%(mentor)s returned it with this comment:\n\n%(comment)s\n") % {
            **params,
            "comment": activity.mentor_comment,
        }
    body += _absolute(reverse("mentors:pairing_detail", args=[activity.pairing_id]))
    _send(subject, body, activity.pairing.teacher.user.email)
