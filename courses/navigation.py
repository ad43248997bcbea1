"""The catalogue's link in the public site's main navigation
(lms/navigation.py). Its address is cached, so the link costs no query
per page; publishing, unpublishing, moving or deleting a catalogue forgets
it (the signals are connected in ``CoursesConfig.ready``)."""

from django.core.cache import cache

CATALOGUE_URL_CACHE_KEY = "courses:catalogue-url"


def catalogue_url():
    url = cache.get(CATALOGUE_URL_CACHE_KEY)
    if url is None:
        from .models import CourseIndexPage

        catalogue = CourseIndexPage.objects.live().order_by("path").first()
        url = (catalogue.url or "") if catalogue is not None else ""
        cache.set(CATALOGUE_URL_CACHE_KEY, url, 600)
    return url


def catalogue_url_forget(**kwargs):
    cache.delete(CATALOGUE_URL_CACHE_KEY)


def catalogue_signals_connect():
    from django.db.models.signals import post_delete
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

    from .models import CourseIndexPage

    for signal in (page_published, page_unpublished, page_slug_changed, post_page_move):
        signal.connect(catalogue_url_forget, sender=CourseIndexPage, dispatch_uid=f"catalogue-url-{id(signal)}")
    post_delete.connect(catalogue_url_forget, sender=CourseIndexPage, dispatch_uid="catalogue-url-delete")


def nav_items():
    """The catalogue and "My learning" in the public site's main navigation."""
    from django.utils.translation import gettext_lazy as _

    from lms.api import NavItem, has_teacher_profile

    return [
        NavItem(_("Courses"), catalogue_url, order=100),
        NavItem(_("My learning"), "courses:my_learning", order=200, visible=has_teacher_profile),
    ]
