"""Inviting mentors, and the projects they post for teachers to apply to."""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from lms.api import Role, user_role_add

from .. import tasks
from ..models import MentorProfile, MentorProject
from .common import _notify_after_commit

MENTOR_EMAIL_TAKEN = _("An account with this e-mail address already exists.")
PROJECT_NOT_YOURS = _("Only the mentor who posted this project can close it.")


@transaction.atomic
def mentor_invite(
    *,
    email: str,
    real_name: str,
    institution: str,
    institution_type: str,
    research_fields: str,
    invited_by,
    subjects=(),
    stages=(),
    title: str = "",
    department: str = "",
    contact_phone: str = "",
    capacity: int = 2,
    availability: str = "",
) -> MentorProfile:
    """Create a mentor's account (Mentor role, no usable password) and profile,
    and e-mail them a link to set their password once this commits."""
    email = email.strip().lower()
    User = get_user_model()
    if User.objects.filter(username__iexact=email).exists() or User.objects.filter(email__iexact=email).exists():
        raise ValidationError(MENTOR_EMAIL_TAKEN, code="email")
    user = User(username=email, email=email, first_name=real_name)
    user.set_unusable_password()
    user.save()
    user_role_add(user=user, role=Role.MENTOR)
    mentor = MentorProfile.objects.create(
        user=user,
        real_name=real_name,
        institution=institution,
        institution_type=institution_type,
        department=department,
        research_fields=research_fields,
        subjects=list(subjects),
        stages=list(stages),
        title=title,
        contact_email=email,
        contact_phone=contact_phone,
        capacity=capacity,
        availability=availability,
    )
    set_password_path = reverse(
        "password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    _notify_after_commit(tasks.mentor_invited_task, mentor.pk, set_password_path)
    return mentor


def mentor_project_post(*, mentor: MentorProfile, title: str, summary: str = "") -> MentorProject:
    """A mentor posts a project teachers can apply to."""
    return MentorProject.objects.create(mentor=mentor, title=title.strip(), summary=summary.strip())


def mentor_project_close(*, project: MentorProject, user) -> MentorProject:
    """No more applications to the project; pairings already made stay."""
    if project.mentor.user_id != user.pk:
        raise PermissionDenied(PROJECT_NOT_YOURS)
    project.is_open = False
    project.save(update_fields=["is_open"])
    return project
