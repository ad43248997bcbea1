import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Messages asserted in English (msgids); the site defaults to Chinese."""
    with translation.override("en"):
        yield


@pytest.fixture
def issued(settings):
    """Records the certificate issuer's calls."""
    from courses.tests import issuer

    issuer.CALLS.clear()
    settings.COURSES_CERTIFICATE_ISSUER = "courses.tests.issuer.record"
    return issuer.CALLS
