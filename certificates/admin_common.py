"""What the certificate screens share: their permissions, the permission
check and page frame every screen uses, and the messages of the issue forms."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.api import forbidden

from .fonts import font_warning
from .selectors import certificate_list_for_admin

ISSUE_PERMISSION = "certificates.add_certificate"
CHANGE_PERMISSION = "certificates.change_certificate"
BATCH_PERMISSION = "certificates.add_issuebatch"

TRAINING_REQUIRED = _("Name the training or course the certificate is for.")
YEAR_REQUIRED = _("A transcript is for a year: give the year.")


class PermissionMixin:
    permission_required = ISSUE_PERMISSION

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission_required):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


class CertificatesAdminMixin(WagtailAdminTemplateMixin):
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("issued_certificates:index"), "label": _("Certificates")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "font_warning": font_warning()}


def certificate_for(request, pk):
    """The certificate ``pk`` if it is in the user's scope, else 404."""
    certificate = certificate_list_for_admin(request.user).filter(pk=pk).first()
    if certificate is None:
        raise Http404
    return certificate
