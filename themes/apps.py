from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = _("Site and branding")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .branding import branding_signals_connect

        branding_signals_connect()
