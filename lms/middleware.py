from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class AcademyLocaleMiddleware:
    """Activate the language the visitor chose with the switcher, else
    Simplified Chinese.

    Django's LocaleMiddleware would fall back to the browser's
    Accept-Language; the academy is Chinese first, so a visitor who has not
    chosen sees Chinese whatever their browser says. A signed-in admin user's
    Wagtail preference still applies inside the admin.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
