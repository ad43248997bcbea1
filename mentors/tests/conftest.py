import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(client):
    """Messages asserted in English (msgids); the site defaults to Chinese."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield
