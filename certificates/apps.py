from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lms.api import completion_recorded, private_file_kind_register

        from .models import CERTIFICATE_PDF_FOLDER
        from .receivers import completion_certificate_promise
        from .selectors import certificate_pdf_get_for_user

        private_file_kind_register(CERTIFICATE_PDF_FOLDER, certificate_pdf_get_for_user)
        completion_recorded.connect(completion_certificate_promise, dispatch_uid="certificates.completion")
