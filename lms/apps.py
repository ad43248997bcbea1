from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    label = "lms"
    verbose_name = _("Academy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lms import outbox  # noqa: F401 - connects the worker's signals that close pending tasks
        from lms.exports import neutralise_wagtail_exports
        from lms.people.roles import sync_role_permissions

        neutralise_wagtail_exports()

        post_migrate.connect(sync_role_permissions, dispatch_uid="lms.sync_role_permissions")

        from lms.cohorts.models import NOMINATION_FOLDER
        from lms.cohorts.selectors import nomination_attachment_file_get_for_user
        from lms.imports.models import IMPORT_FOLDER
        from lms.imports.selectors import import_file_get_for_user
        from lms.ledger.models import LEDGER_EVIDENCE_FOLDER
        from lms.ledger.selectors import credit_evidence_file_get_for_user
        from lms.private_files import private_file_kind_register

        private_file_kind_register(IMPORT_FOLDER, import_file_get_for_user)
        private_file_kind_register(LEDGER_EVIDENCE_FOLDER, credit_evidence_file_get_for_user)
        private_file_kind_register(NOMINATION_FOLDER, nomination_attachment_file_get_for_user)
