from django.conf import settings
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms.cohort_pages import my_cohorts

urlpatterns = [
    # Wagtail's site history, kept to the reader's district (lms/audit.py):
    # ahead of Wagtail's admin, at the same addresses.
    path("admin/", include("lms.audit")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("research-along/", include("mentors.urls")),
    path("my/cohorts/", my_cohorts, name="my_cohorts"),
    path("", include("themes.urls")),
    path("", include("certificates.urls")),
    path("", include("courses.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
