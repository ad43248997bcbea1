"""Whatever a visitor types into the catalogue's search, the page answers:
query syntax of SQLite's FTS5 or PostgreSQL's tsquery is searched for as
text, and what cannot be searched for is said so, never a server error."""

from decimal import Decimal

import pytest
from django.utils import translation

from courses.catalogue import catalogue_courses, search_words
from courses.forms import SEARCH_TOO_LONG, SEARCH_UNREADABLE
from courses.tests.factories import CoursePageFactory, catalogue

pytestmark = pytest.mark.django_db

SYNTAX = [
    '"', '""', '物理"', '"物理', "'", '*', '物理*', 'NEAR', 'NEAR(物理 奥赛)', 'OR', '物理 OR', 'AND', 'NOT', 'a NOT',
    '(', ')', '(物理', '-', '物理 -', '-物理', '^', ':', 'title:物理', '{', '}', '+', '&', '|', '!', '<->', '\\',
    '物理 & | ! 奥赛', "a'b", '%', '_', 'x' * 100, ' '.join(['词'] * 60),
]


def test_search_words_keeps_only_words():
    assert search_words('"高中 物理" OR (奥赛*) -辅导 NEAR') == "高中 物理 OR 奥赛 辅导 NEAR"
    assert search_words('"*()-^:') == ""
    assert search_words("x" * 5000) == "x" * 100
    assert len(search_words(" ".join(["词"] * 60)).split()) == 10


def test_any_search_text_lists_courses_or_says_why_not(client):
    physics = CoursePageFactory(title="高中物理奥赛辅导", credit_hours=Decimal("30"))
    url = catalogue().url
    client.cookies["django_language"] = "en"
    for text in SYNTAX:
        # The selector, as every caller reaches the search backend.
        list(catalogue_courses(catalogue(), query=text))
        response = client.get(url, {"q": text})
        assert response.status_code == 200, text
    assert [c.pk for c in catalogue_courses(catalogue(), query='"物理"')] == [physics.pk]
    assert [c.pk for c in catalogue_courses(catalogue(), query="a\x00b")] == []

    too_long = client.get(url, {"q": "物理" * 51}).content.decode()
    with translation.override("en"):
        assert str(SEARCH_TOO_LONG) % {"limit_value": 100} in too_long
    assert physics.title in too_long  # the search is left out, the catalogue shown
    nul = client.get(url, {"q": "物理\x00"}).content.decode()
    with translation.override("en"):
        assert str(SEARCH_UNREADABLE) in nul
    client.cookies["django_language"] = "zh-hans"
    nul = client.get(url, {"q": "物理\x00"}).content.decode()
    with translation.override("zh-hans"):
        assert str(SEARCH_UNREADABLE) in nul
    with translation.override("en"):
        assert str(SEARCH_UNREADABLE) not in nul
