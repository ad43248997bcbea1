"""HR's certificate screens in the Wagtail admin, as Wagtail registers them
(certificates/wagtail_hooks.py): their URLs, viewsets and menu. The
screens live by group: the templates, certificates and issuing one in
``admin_certificates``, bulk issues in ``admin_batches``.
"""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from .admin_batches import BatchDetailView, BatchIndexView, BatchProgressView, BatchRestartView, BatchZipView
from .admin_certificates import (
    CertificateIssueView,
    CertificatePdfView,
    CertificateReissueView,
    CertificateRevokeView,
    certificate_viewset,
    template_viewset,
)
from .admin_common import BATCH_PERMISSION, ISSUE_PERMISSION

__all__ = ["admin_urls", "admin_viewsets", "certificate_viewset", "menu_item", "template_viewset"]


urlpatterns = [
    path("issue/", CertificateIssueView.as_view(), name="issue"),
    path("<int:pk>/pdf/", CertificatePdfView.as_view(), name="pdf"),
    path("<int:pk>/revoke/", CertificateRevokeView.as_view(), name="revoke"),
    path("<int:pk>/reissue/", CertificateReissueView.as_view(), name="reissue"),
    path("batches/", BatchIndexView.as_view(), name="batches"),
    path("batches/<int:pk>/", BatchDetailView.as_view(), name="batch"),
    path("batches/<int:pk>/progress.json", BatchProgressView.as_view(), name="batch_progress"),
    path("batches/<int:pk>/restart/", BatchRestartView.as_view(), name="batch_restart"),
    path("batches/<int:pk>/certificates.zip", BatchZipView.as_view(), name="batch_zip"),
]


def admin_urls():
    return [path("certificate-actions/", include((urlpatterns, "certificates_admin"), namespace="certificates_admin"))]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def menu_item():
    menu = Menu(
        items=[
            PermissionMenuItem(_("Certificates"), reverse_lazy("issued_certificates:index"), name="certificates-list",
                               icon_name="doc-full", order=100, permission="certificates.view_certificate"),
            PermissionMenuItem(_("Issue one"), reverse_lazy("certificates_admin:issue"), name="certificates-issue",
                               icon_name="plus", order=200, permission=ISSUE_PERMISSION),
            PermissionMenuItem(_("Bulk issue"), reverse_lazy("certificates_admin:batches"),
                               name="certificates-batches", icon_name="list-ul", order=300,
                               permission=BATCH_PERMISSION),
            PermissionMenuItem(_("Templates"), reverse_lazy("wagtailsnippets_certificates_certificatetemplate:list"),
                               name="certificates-templates", icon_name="doc-empty", order=400,
                               permission="certificates.change_certificatetemplate"),
        ]
    )
    return SubmenuMenuItem(_("Certificates"), menu, name="certificates", icon_name="doc-full", order=350)


def admin_viewsets():
    return certificate_viewset
