"""The academy's branding as every page's header reads it.

The default site's ``BrandingSettings`` are kept in the cache for a minute:
reading them cost two queries on every page of the site. Saving the
settings or a site forgets them at once in the process that saved; the
academy's other web processes show the change within the minute (with a
shared cache such as Redis, at once everywhere).
"""

from django.core.cache import cache

BRANDING_CACHE_KEY = "themes:branding"
BRANDING_CACHE_SECONDS = 60


def branding_current():
    from wagtail.models import Site

    from .models import BrandingSettings

    branding = cache.get(BRANDING_CACHE_KEY)
    if branding is None:
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            return BrandingSettings()
        branding = BrandingSettings.for_site(site)
        branding.logo  # kept with the settings, not read again on each page
        cache.set(BRANDING_CACHE_KEY, branding, BRANDING_CACHE_SECONDS)
    return branding


def branding_forget(**kwargs):
    cache.delete(BRANDING_CACHE_KEY)


def branding_signals_connect():
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Site

    from .models import BrandingSettings

    for model in (BrandingSettings, Site):
        post_save.connect(branding_forget, sender=model, dispatch_uid=f"branding-save-{model.__name__}")
        post_delete.connect(branding_forget, sender=model, dispatch_uid=f"branding-delete-{model.__name__}")
