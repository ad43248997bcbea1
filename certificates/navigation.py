"""The certificates' entries in the public site's main navigation."""

from django.utils.translation import gettext_lazy as _

from lms.api import NavItem, has_teacher_profile


def nav_items():
    return [
        NavItem(_("My certificates"), "certificates:my_certificates", order=400, visible=has_teacher_profile),
        NavItem(_("Verify a certificate"), "certificates:verify", order=900),
    ]
