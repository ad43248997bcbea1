"""A teacher's "my hours" page and yearly hours transcript on the public
site: what they show, that they show only the signed-in teacher's own
ledger, and that their queries do not grow with the ledger."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from lms.constants import CreditCategory
from lms.ledger.services import credit_adjust, credit_record, credit_reverse, ledger_reconcile
from lms.models import CreditCap, TeacherYearTally, TrainingCredit
from lms.tests.factories import SchoolFactory, TeacherFactory, UserFactory, district
from themes.views import ENTRIES_PER_PAGE

pytestmark = pytest.mark.django_db

MY_HOURS = "/my/hours/"
THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1


def day(year, month=3, day_of_month=14):
    return datetime.date(year, month, day_of_month)


def credit(teacher, key, *, hours="2", category=CreditCategory.ONLINE_COURSE, on=None, **kwargs):
    return credit_record(
        teacher=teacher, category=category, hours=hours, source_key=key, occurred_on=on or day(LAST_YEAR), **kwargs
    ).credit


def page_text(response):
    assert response.status_code == 200
    return response.content.decode()


def in_english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def teacher():
    school = SchoolFactory(district=district("370102"), name="济南市历下区燕山小学")
    return TeacherFactory(user__username="zhangwei", real_name="张伟", staff_number="2012000123", school=school)


@pytest.fixture
def other_teacher():
    return TeacherFactory(user__username="lina", real_name="李娜",
                          school=SchoolFactory(district=district("370112"), name="历城区第二中学"))


@pytest.fixture
def course_page():
    """A page standing for a course, to be the evidence of a credit."""
    home = Page.objects.get(depth=2)
    return home.add_child(instance=Page(title="小学科学探究式教学设计", slug="inquiry-design"))


@pytest.fixture
def ledger(teacher, other_teacher, course_page):
    """Last year: a course with a page, a workshop that is later reversed,
    two research-along sessions of which the second goes over the cap, and
    an HR adjustment. This year: one course. The other teacher has entries
    in both years."""
    hr = UserFactory(username="hr-officer")
    CreditCap.objects.create(category=CreditCategory.RESEARCH_ALONG, yearly_hours=Decimal("40"))
    entries = {
        "course": credit(teacher, "course:1", hours="6", evidence=course_page, evidence_label=course_page.title),
        "workshop": credit(teacher, "workshop:1", hours="8", category=CreditCategory.OFFLINE_WORKSHOP,
                           evidence_label="小学科学实验教学能力提升工作坊", on=day(LAST_YEAR, 5)),
        "research-1": credit(teacher, "research:1", hours="30", category=CreditCategory.RESEARCH_ALONG,
                             evidence_label="科研跟学：山东大学物理学院", on=day(LAST_YEAR, 4)),
        "research-2": credit(teacher, "research:2", hours="13", category=CreditCategory.RESEARCH_ALONG,
                             evidence_label="科研跟学：山东大学物理学院", person_times=0, on=day(LAST_YEAR, 9)),
        "this-year": credit(teacher, "course:2", hours="2.5", evidence_label="信息科技课程标准解读",
                            on=day(THIS_YEAR, 1, 2)),
    }
    entries["reversal"] = credit_reverse(credit=entries["workshop"], reason="重复录入", reversed_by=hr).credit
    entries["adjustment"] = credit_adjust(
        teacher=teacher, hours="1.5", person_times=0, occurred_on=day(LAST_YEAR, 10), reason="补录区级教研活动",
        adjusted_by=hr, request_token="t-1",
    ).credit
    credit(other_teacher, "other:1", hours="7", evidence_label="别人的线下研修", on=day(LAST_YEAR, 6))
    credit(other_teacher, "other:2", hours="3", evidence_label="别人的线上课程", on=day(THIS_YEAR, 1, 2))
    return entries


def test_a_visitor_is_sent_to_log_in(client):
    for url in (MY_HOURS, f"/my/hours/{LAST_YEAR}/transcript/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_user_without_a_teacher_profile_gets_a_page_saying_it_is_for_teachers(client):
    client.force_login(UserFactory(username="mentor-wang"))
    in_english(client)
    for url in (MY_HOURS, f"/my/hours/{LAST_YEAR}/transcript/"):
        text = page_text(client.get(url))
        assert "This page is for teachers" in text
        assert "no teacher profile" in text


@pytest.mark.usefixtures("ledger")
def test_the_year_shows_hours_and_person_times_by_category_from_the_yearly_totals(client, teacher):
    client.force_login(teacher.user)
    in_english(client)
    text = page_text(client.get(MY_HOURS, {"year": LAST_YEAR}))

    # 6 (course) + 8 - 8 (workshop and its reversal) + 30 + 10 (research, 3 h capped) + 1.5 (adjustment)
    assert f"Hours in {LAST_YEAR}" in text
    assert '<span class="stat-value">47.50</span>' in text
    # Person-times: course 1, workshop 1 - 1, research 1 + 0, adjustment 0.
    assert '<span class="stat-value">2</span>' in text
    totals = text.split('class="hours-table"')[1].split("</table>")[0]
    assert "<th scope=\"row\">Research-along</th>" in totals and '<td class="num">40</td>' in totals
    assert "Offline workshop" not in totals, "a workshop cancelled by its reversal adds nothing"
    assert "Manual adjustment" in totals and '<td class="num">1.50</td>' in totals

    # The page reads the yearly tallies: change one and the page follows.
    TeacherYearTally.objects.filter(teacher=teacher, year=LAST_YEAR, category=CreditCategory.ONLINE_COURSE).update(
        hours=Decimal("16")
    )
    assert '<span class="stat-value">57.50</span>' in page_text(client.get(MY_HOURS, {"year": LAST_YEAR}))


def test_the_entries_show_caps_reversals_reasons_and_link_to_their_evidence(client, teacher, ledger, course_page):
    client.force_login(teacher.user)
    in_english(client)
    text = page_text(client.get(MY_HOURS, {"year": LAST_YEAR}))
    entries = text.split('id="hours-entries-title"')[1].split("</table>")[0]

    assert f'<a href="{course_page.url}">小学科学探究式教学设计</a>' in entries
    assert "3 h over the yearly cap" in entries
    assert "Reversed" in entries and "Cancelled on" in entries and "重复录入" in entries
    assert "Reversal" in entries and "Cancels the entry credited on" in entries
    assert "补录区级教研活动" in entries
    assert "小学科学实验教学能力提升工作坊" in entries
    # A label without a page to go to is plain text.
    assert "\">科研跟学：山东大学物理学院</a>" not in entries
    assert "科研跟学：山东大学物理学院" in entries
    # Newest first, and only last year's.
    assert entries.index(f"{LAST_YEAR}-10-14") < entries.index(f"{LAST_YEAR}-03-14")
    assert "信息科技课程标准解读" not in entries


@pytest.mark.usefixtures("ledger")
def test_another_teachers_entries_never_appear(client, teacher):
    client.force_login(teacher.user)
    pages = [
        client.get(MY_HOURS),
        client.get(MY_HOURS, {"year": LAST_YEAR}),
        # Parameters naming someone else are not a way in.
        client.get(MY_HOURS, {"year": LAST_YEAR, "teacher": "2", "staff_number": "T0000001"}),
        client.get(f"/my/hours/{LAST_YEAR}/transcript/"),
        client.get(f"/my/hours/{THIS_YEAR}/transcript/"),
    ]
    for response in pages:
        text = page_text(response)
        assert "别人的" not in text
        assert "李娜" not in text


@pytest.mark.usefixtures("ledger")
def test_the_year_selector_offers_years_with_credits_and_this_year(client, teacher):
    client.force_login(teacher.user)
    in_english(client)
    text = page_text(client.get(MY_HOURS))

    nav = text.split('class="year-nav"')[1].split("</nav>")[0]
    assert f'href="?year={THIS_YEAR}" aria-current="page"' in nav
    assert f'href="?year={LAST_YEAR}"' in nav
    assert "信息科技课程标准解读" in text and "小学科学探究式教学设计" not in text.split("All years")[0]
    years = text.split('id="hours-years-title"')[1]
    assert f">{THIS_YEAR}</a>" in years and f">{LAST_YEAR}</a>" in years
    # A nonsense year falls back to this year rather than failing.
    assert f"Hours in {THIS_YEAR}" in page_text(client.get(MY_HOURS, {"year": "drop table"}))
    assert f"Hours in {THIS_YEAR}" in page_text(client.get(MY_HOURS, {"year": THIS_YEAR + 5}))


def test_a_year_without_credits_says_what_to_do_next(client, teacher):
    client.force_login(teacher.user)
    in_english(client)
    text = page_text(client.get(MY_HOURS))

    assert f"No hours have been credited to you in {THIS_YEAR} yet." in text
    assert "Find a course" in text
    assert "ledger-table" not in text


def test_entries_are_paginated_by_50(client, teacher):
    bulk_credits(teacher, ENTRIES_PER_PAGE + 10)
    client.force_login(teacher.user)
    in_english(client)

    first = page_text(client.get(MY_HOURS, {"year": LAST_YEAR}))
    second = page_text(client.get(MY_HOURS, {"year": LAST_YEAR, "page": 2}))
    assert first.count('class="entry-training"') == ENTRIES_PER_PAGE
    assert second.count('class="entry-training"') == 10
    assert "Page 1 of 2" in first and f'href="?year={LAST_YEAR}&amp;page=2"' in first


def test_the_transcript_lists_every_credit_of_the_year_with_totals_and_the_teacher(client, teacher, ledger):
    client.force_login(teacher.user)
    in_english(client)
    text = page_text(client.get(f"/my/hours/{LAST_YEAR}/transcript/"))

    assert f"Training hours transcript {LAST_YEAR}" in text
    for detail in ("张伟", "2012000123", "济南市历下区燕山小学", "历下区"):
        assert detail in text
    table = text.split('class="transcript-table ledger-table"')[1].split("</table>")[0]
    # Every entry of the year, oldest first, none of this year's.
    assert table.count("<tr>") == 1 + 6
    assert table.index(f"{LAST_YEAR}-03-14") < table.index(f"{LAST_YEAR}-10-14")
    assert "信息科技课程标准解读" not in table
    totals = text.split('class="hours-table"')[1].split("</table>")[0]
    assert '<td class="num">47.50</td>' in totals
    # The buttons are not printed; the stylesheet has the print rules.
    assert 'class="transcript-actions no-print"' in text
    css = Path(finders.find("themes/academy.css")).read_text()
    assert "@media print" in css and ".no-print" in css.split("@media print")[1]


def test_a_transcript_for_a_year_to_come_or_long_ago_is_not_found(client, teacher):
    client.force_login(teacher.user)
    assert client.get(f"/my/hours/{THIS_YEAR + 1}/transcript/").status_code == 404
    assert client.get("/my/hours/1999/transcript/").status_code == 404
    text = page_text(client.get(f"/my/hours/{THIS_YEAR}/transcript/"))
    assert "张伟" in text


# --- Query counts ----------------------------------------------------------------------------


def bulk_credits(teacher, count, *, year=LAST_YEAR, evidence=None):
    """``count`` online-course entries written in bulk, tallies rebuilt."""
    school = teacher.school
    TrainingCredit.objects.bulk_create(
        TrainingCredit(
            teacher=teacher, category=CreditCategory.ONLINE_COURSE, year=year,
            occurred_on=datetime.date(year, 1, 1) + datetime.timedelta(days=n % 300),
            hours=Decimal("1.5"), requested_hours=Decimal("1.5"), person_times=1, source_key=f"bulk:{teacher.pk}:{n}",
            evidence_label=f"线上课程 {n}", district_id=school.district_id, school=school, locality=school.locality,
            subject=teacher.subject, stage=teacher.stage,
        )
        for n in range(count)
    )
    ledger_reconcile(fix=True)


def queries_for(client, django_assert_num_queries, url, expected):
    # The first request fills the caches (content types, the site), which
    # any later request finds filled.
    client.get(url)
    with django_assert_num_queries(expected):
        response = client.get(url)
    return page_text(response)


# Session, user, teacher, yearly tallies, (count,) entries, their evidence
# (the page; for the reversal, the entry it reverses), the site the page's URL
# is for, and the header: the user's permissions directly and through
# groups (the branding comes from the cache).
MY_HOURS_QUERIES = 11
TRANSCRIPT_QUERIES = 9


@pytest.mark.parametrize("entries", [3, 300])
def test_my_hours_runs_the_same_queries_for_3_or_300_entries(
    client, teacher, course_page, entries, django_assert_num_queries
):
    bulk_credits(teacher, entries - 2)
    latest = datetime.date(LAST_YEAR, 12, 30)
    credit(teacher, "course:page", evidence=course_page, evidence_label=course_page.title, on=latest)
    credit_reverse(credit=credit(teacher, "course:reversed", on=latest), reason="重复录入", reversed_by=None)
    client.force_login(teacher.user)

    text = queries_for(client, django_assert_num_queries, f"{MY_HOURS}?year={LAST_YEAR}", MY_HOURS_QUERIES)
    assert text.count('class="entry-training"') == min(entries + 1, ENTRIES_PER_PAGE)
    assert f'href="{course_page.url}"' in text


@pytest.mark.parametrize("entries", [3, 300])
def test_the_transcript_runs_the_same_queries_for_3_or_300_entries(
    client, teacher, course_page, entries, django_assert_num_queries
):
    bulk_credits(teacher, entries - 1)
    credit(teacher, "course:page", evidence=course_page, evidence_label=course_page.title)
    client.force_login(teacher.user)

    text = queries_for(client, django_assert_num_queries, f"/my/hours/{LAST_YEAR}/transcript/", TRANSCRIPT_QUERIES)
    assert text.split('class="transcript-table ledger-table"')[1].count("<tr>") == 1 + entries
