"""Sends a signed-in user to the privacy notice until they acknowledge its
current version.

Only page views are redirected (GET or HEAD, not XHR): a form posted in the
meantime is never lost. Never redirected: the notice and its
acknowledgement, signing in and out, the password pages, the language
switch, static and media files, and the admin's inner screens, so a staff
member is never locked out of work in progress. Staff meet the notice once
on the admin's home page, where signing in lands them.

The acknowledged version is remembered in the session, so after the first
page a request costs no query.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from lms.privacy.constants import PRIVACY_NOTICE_VERSION, SESSION_KEY
from lms.privacy.selectors import notice_acknowledged

# Pages always served, notice or not (with the prefixes below).
ALWAYS_OPEN_URL_NAMES = ("login", "logout", "password_change", "password_change_done", "password_reset",
                         "set_language", "privacy:notice", "privacy:notice_acknowledge")
ADMIN_PREFIX = "/admin/"
ADMIN_HOME = "/admin/"


class PrivacyNoticeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def __call__(self, request):
        if self._must_see_notice(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('privacy:notice')}?{query}")
        return self.get_response(request)

    def _always_open(self):
        if self._open_paths is None:
            paths = [reverse(name) for name in ALWAYS_OPEN_URL_NAMES]
            paths += [settings.STATIC_URL, settings.MEDIA_URL, "/accounts/"]
            self._open_paths = tuple(path for path in paths if path and path != "/")
        return self._open_paths

    def _must_see_notice(self, request):
        if not getattr(settings, "PRIVACY_NOTICE_REQUIRED", True):
            return False
        if request.method not in ("GET", "HEAD") or request.headers.get("x-requested-with") == "XMLHttpRequest":
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        path = request.path
        if path.startswith(ADMIN_PREFIX) and path != ADMIN_HOME:
            return False
        if path.startswith(self._always_open()):
            return False
        if request.session.get(SESSION_KEY) == PRIVACY_NOTICE_VERSION:
            return False
        if notice_acknowledged(user, PRIVACY_NOTICE_VERSION):
            request.session[SESSION_KEY] = PRIVACY_NOTICE_VERSION
            return False
        return True
