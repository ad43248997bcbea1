from django.conf import settings
from django.contrib.auth.views import PasswordChangeView
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms.cohorts.views import my_cohorts
from lms.private_files import private_file_view
from themes.api import ThrottledPasswordChangeForm

urlpatterns = [
    # Wagtail's site history, kept to the reader's district (lms/audit.py):
    # ahead of Wagtail's admin, at the same addresses.
    path("admin/", include("lms.audit")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Before Django's own: the current password is checked with a limit.
    path("accounts/password_change/", PasswordChangeView.as_view(form_class=ThrottledPasswordChangeForm),
         name="password_change"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("research-along/", include("mentors.urls")),
    path("my/cohorts/", my_cohorts, name="my_cohorts"),
    # Personal files, each checked against who asks (lms.private_files).
    path("files/<path:name>", private_file_view, name="private_file"),
    path("", include("lms.privacy.urls")),
    path("", include("themes.urls")),
    path("", include("certificates.urls")),
    path("", include("courses.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
