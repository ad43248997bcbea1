from wagtail import hooks


# Course reports, attendance and check-in codes (courses/admin_views.py).
@hooks.register("register_admin_urls")
def register_course_report_urls():
    from . import admin_views

    return admin_views.admin_urls()


@hooks.register("register_admin_menu_item")
def register_course_report_menu_item():
    from . import admin_views

    return admin_views.menu_item()


@hooks.register("register_admin_viewset")
def register_offline_session_viewset():
    from .admin_views import offline_session_viewset

    return offline_session_viewset


# The public site's main navigation (themes/navigation.py). The catalogue's
# address is cached, so the link costs no query per page; publishing,
# unpublishing, moving or deleting a catalogue forgets it.
CATALOGUE_URL_CACHE_KEY = "courses:catalogue-url"


def _catalogue_url():
    from django.core.cache import cache

    url = cache.get(CATALOGUE_URL_CACHE_KEY)
    if url is None:
        from .models import CourseIndexPage

        catalogue = CourseIndexPage.objects.live().order_by("path").first()
        url = (catalogue.url or "") if catalogue is not None else ""
        cache.set(CATALOGUE_URL_CACHE_KEY, url, 600)
    return url


def _forget_catalogue_url(**kwargs):
    from django.core.cache import cache

    cache.delete(CATALOGUE_URL_CACHE_KEY)


def _connect_catalogue_signals():
    from django.db.models.signals import post_delete
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

    from .models import CourseIndexPage

    for signal in (page_published, page_unpublished, page_slug_changed, post_page_move):
        signal.connect(_forget_catalogue_url, sender=CourseIndexPage, dispatch_uid=f"catalogue-url-{id(signal)}")
    post_delete.connect(_forget_catalogue_url, sender=CourseIndexPage, dispatch_uid="catalogue-url-delete")


_connect_catalogue_signals()


@hooks.register("register_academy_nav_item")
def courses_nav_items():
    from django.utils.translation import gettext_lazy as _

    from themes.navigation import NavItem, has_teacher_profile

    return [
        NavItem(_("Courses"), _catalogue_url, order=100),
        NavItem(_("My learning"), "courses:my_learning", order=200, visible=has_teacher_profile),
    ]
