"""Password-change forms, public and admin: the current password is the one
password check that does not go through ``authenticate()``, so django-axes
does not see it; it is limited here with the same numbers."""

from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext_lazy
from wagtail.admin.forms.auth import PasswordChangeForm as WagtailPasswordChangeForm

from lms.api import ratelimit

OLD_PASSWORD_TOO_MANY_TRIES = ngettext_lazy(
    "Too many wrong current passwords. Wait %(minutes)d minute, then try again.",
    "Too many wrong current passwords. Wait %(minutes)d minutes, then try again.",
    "minutes",
)


def _old_password_limit():
    return ratelimit.Limit(
        "accounts:old-password", settings.AXES_FAILURE_LIMIT, int(settings.AXES_COOLOFF_TIME.total_seconds())
    )


class OldPasswordLimitMixin:
    """After AXES_FAILURE_LIMIT wrong current passwords, every try (the
    right one too) is refused until the window ends: someone holding a
    signed-in session cannot guess the password behind it."""

    def clean_old_password(self):
        limit, key = _old_password_limit(), self.user.pk
        usage = ratelimit.hit(limit, key)
        if usage.exceeded:
            raise ValidationError(OLD_PASSWORD_TOO_MANY_TRIES, params={"minutes": usage.minutes_left},
                                  code="throttled")
        old_password = super().clean_old_password()
        ratelimit.refund(limit, key)
        return old_password


class ThrottledPasswordChangeForm(OldPasswordLimitMixin, PasswordChangeForm):
    """The public site's /accounts/password_change/."""


class ThrottledAdminPasswordChangeForm(OldPasswordLimitMixin, WagtailPasswordChangeForm):
    """The password panel of the admin's account settings."""
