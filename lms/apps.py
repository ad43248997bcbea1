from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    label = "lms"
    verbose_name = _("Academy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import outbox  # noqa: F401 - connects the worker's signals that close pending tasks
        from .roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="lms.sync_role_permissions")
