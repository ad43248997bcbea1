from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentorsConfig(AppConfig):
    name = "mentors"
    verbose_name = _("Research-along")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lms.api import private_file_kind_register

        from .models import EVIDENCE_FOLDER
        from .selectors import evidence_file_get_for_user

        private_file_kind_register(EVIDENCE_FOLDER, evidence_file_get_for_user)
