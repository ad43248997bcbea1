"""The catalogue's reads: live courses by subject, stage, mode, category,
credit hours, open enrolment and a visitor's search text."""

import datetime
import re
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from wagtail.models import Page

from .constants import ACTIVE_STATUSES
from .models import CoursePage

# The catalogue's search box takes this many characters (the form says so).
SEARCH_MAX_CHARS = 100
# What the search backend is given of a search: its words, no more than
# this many. Quotes, brackets, *, ^, - and : are query syntax to SQLite's
# FTS5 and PostgreSQL's tsquery, and a stray one failed the whole page.
SEARCH_MAX_WORDS = 10
_SEARCH_WORD = re.compile(r"\w+")


def search_words(text: str) -> str:
    """A visitor's search text as plain words for the search backend: every
    character that is not part of a word dropped, so no text reaches the
    backend as query syntax; "" when no word is left."""
    return " ".join(_SEARCH_WORD.findall(text[:SEARCH_MAX_CHARS])[:SEARCH_MAX_WORDS])


# key: (label, at least, below)
HOURS_RANGES = {
    "lt8": ("< 8", Decimal("0"), Decimal("8")),
    "8to24": ("8–24", Decimal("8"), Decimal("24")),
    "gte24": ("≥ 24", Decimal("24"), None),
}


def catalogue_courses(
    catalogue: Page, *, subject: str = "", stage: str = "", mode: str = "", category: str = "", hours: str = "",
    open_only: bool = False, query: str = "", now: datetime.datetime | None = None,
) -> QuerySet[CoursePage]:
    """The live courses of ``catalogue`` matching the filters, newest first."""
    now = now or timezone.now()
    courses = CoursePage.objects.live().child_of(catalogue)
    if subject:
        courses = courses.filter(subject=subject)
    if stage:
        courses = courses.filter(stage=stage)
    if mode:
        courses = courses.filter(mode=mode)
    if category:
        courses = courses.filter(category=category)
    if hours:
        low, high = HOURS_RANGES[hours][1:]
        courses = courses.filter(credit_hours__gte=low)
        if high is not None:
            courses = courses.filter(credit_hours__lt=high)
    if open_only:
        courses = courses.filter(
            Q(enrol_opens_at__isnull=True) | Q(enrol_opens_at__lte=now),
            Q(enrol_closes_at__isnull=True) | Q(enrol_closes_at__gt=now),
        )
        taken = Count("enrolments", filter=Q(enrolments__status__in=ACTIVE_STATUSES))
        courses = courses.annotate(taken=taken).filter(Q(capacity__isnull=True) | Q(capacity__gt=F("taken")))
    query = query.replace("\x00", "")[:SEARCH_MAX_CHARS].strip()
    if query:
        # Wagtail's search backend ranks whole words; Chinese has no spaces
        # between words, so a phrase inside a title ("奥赛" in "高中物理奥赛
        # 辅导") is matched by substring as well.
        # Each word is looked for on its own too, so "物理" in quotes still
        # finds 高中物理奥赛辅导.
        words = search_words(query)
        found = Q(title__icontains=query) | Q(summary__icontains=query)
        if words:
            matches = [page.pk for page in CoursePage.objects.live().child_of(catalogue).search(words)[:200]]
            every_word = Q()
            for word in words.split():
                every_word &= Q(title__icontains=word) | Q(summary__icontains=word)
            found |= Q(pk__in=matches) | every_word
        courses = courses.filter(found)
    return courses.order_by("-first_published_at", "-pk")
