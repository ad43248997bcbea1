import pytest
from django.utils import translation

from lms.tests.completions import completions_announced


@pytest.fixture(autouse=True)
def english():
    """Messages asserted in English (msgids); the site defaults to Chinese."""
    with translation.override("en"):
        yield


@pytest.fixture
def announced():
    """The completions announced (lms.events) during the test."""
    with completions_announced() as completions:
        yield completions
