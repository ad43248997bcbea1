"""The public home page: the sections editors compose, the city's progress
read live from the ledger, the main navigation, and branding from the
site settings."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, Site

from lms.constants import CreditCategory, TargetMetric
from lms.ledger.services import credit_record
from lms.models import Target
from lms.tests.factories import TeacherFactory, UserFactory
from themes.blocks import BAD_LINK, NO_LINK, CallToActionBlock, LinkTargetBlock
from themes.models import BrandingSettings, HomePage
from themes.seeding import home_page_demo_seed

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def home():
    return HomePage.objects.get()


def publish_sections(sections):
    page = home()
    page.body = json.dumps(sections)
    page.save_revision().publish()
    return page


def text_of(response):
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def person_times_target():
    Target.objects.all().delete()
    return Target.objects.create(
        name="素养培训人次", metric=TargetMetric.PERSON_TIMES, value=1000,
        start=datetime.date(TODAY.year, 1, 1), deadline=datetime.date(TODAY.year, 12, 31),
    )


def test_announcements_and_text_sections_render_in_order(client):
    publish_sections([
        {"type": "text", "value": "<p>欢迎来到研修学院</p>"},
        {"type": "announcements", "value": {"heading": "通知公告", "items": [
            {"title": "寒假研修安排", "date": "2026-01-05", "body": "第一行\n第二行", "link": {"page": None, "url": "/my/hours/"}},
            {"title": "没有链接的通知", "date": None, "body": "", "link": {"page": None, "url": ""}},
        ]}},
    ])
    html = text_of(client.get("/"))
    assert html.index("欢迎来到研修学院") < html.index("通知公告")
    assert '<a href="/my/hours/">寒假研修安排</a>' in html
    assert "第一行<br>第二行" in html
    assert 'datetime="2026-01-05"' in html
    assert "没有链接的通知" in html and '<a href="">' not in html


def test_the_progress_section_counts_the_ledger_as_it_is_now(client, person_times_target):
    publish_sections([{"type": "progress", "value": {"heading": "全市目标", "intro": ""}}])
    assert "<strong class=\"target-current\">0</strong> / 1000" in text_of(client.get("/"))
    for n in range(3):
        teacher = TeacherFactory()
        credit_record(teacher=teacher, category=CreditCategory.ONLINE_COURSE, hours="2", source_key=f"home:{n}",
                      occurred_on=TODAY)
    html = text_of(client.get("/"))
    assert "素养培训人次" in html
    assert "<strong class=\"target-current\">3</strong> / 1000" in html
    # The bar is 3 / 1000 of the way; the marker shows where the plan expects the city to be today.
    assert 'style="width: 0%"' in html
    assert "meter-expected" in html


def test_the_progress_section_without_targets_says_so(client):
    Target.objects.all().delete()
    publish_sections([{"type": "progress", "value": {"heading": "全市目标", "intro": ""}}])
    client.cookies["django_language"] = "en"
    assert "The city's targets have not been set yet." in text_of(client.get("/"))


def test_featured_pages_drop_unpublished_ones(client):
    root = home()
    shown = root.add_child(instance=Page(title="初中物理实验教学", slug="physics-lab"))
    hidden = root.add_child(instance=Page(title="尚未发布的课程", slug="draft-course", live=False))
    publish_sections([{"type": "featured", "value": {
        "heading": "推荐课程", "pages": [shown.pk, hidden.pk], "more": {"page": None, "url": ""}, "more_label": "",
    }}])
    html = text_of(client.get("/"))
    assert "初中物理实验教学" in html and shown.url in html
    assert "尚未发布的课程" not in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/", "ftp://files.example/x"])
def test_a_link_must_be_a_path_or_a_web_address(url):
    with pytest.raises(ValidationError) as error:
        LinkTargetBlock().clean({"page": None, "url": url})
    assert str(BAD_LINK) in str(error.value.block_errors["url"])


def test_a_call_to_action_needs_somewhere_to_go():
    block = CallToActionBlock()
    value = block.to_python({"heading": "证书查验", "text": "", "button_label": "查验", "link": {"page": None, "url": ""}})
    with pytest.raises(ValidationError) as error:
        block.clean(value)
    assert str(NO_LINK) in str(error.value.block_errors["link"])
    good = block.to_python({"heading": "证书查验", "text": "", "button_label": "查验",
                            "link": {"page": None, "url": "/certificates/verify/"}})
    assert block.clean(good)


def test_the_home_page_costs_the_same_queries_with_3_or_30_announcements(client, person_times_target):
    def count_for(announcements):
        publish_sections([
            {"type": "announcements", "value": {"heading": "通知", "items": [
                {"title": f"通知{n}", "date": "2026-01-05", "body": "", "link": {"page": None, "url": ""}}
                for n in range(announcements)
            ]}},
            {"type": "progress", "value": {"heading": "进展", "intro": ""}},
        ])
        client.get("/")  # warm the site and settings caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    few, many = count_for(3), count_for(30)
    assert few == many
    assert few <= 8, few


def test_the_main_navigation_shows_each_visitor_their_pages(client):
    client.cookies["django_language"] = "en"
    html = text_of(client.get("/"))
    assert '<nav class="main-nav"' in html
    assert '<a href="/" aria-current="page">Home</a>' in html
    assert "My hours" not in html

    client.force_login(TeacherFactory().user)
    html = text_of(client.get("/my/hours/"))
    assert '<a href="/my/hours/" aria-current="page">My hours</a>' in html
    assert '<a href="/">Home</a>' in html

    client.force_login(UserFactory())  # signed in, but not a teacher
    assert "My hours" not in text_of(client.get("/"))


def test_the_logo_and_name_come_from_the_branding_settings(client):
    branding = BrandingSettings.for_site(Site.objects.get(is_default_site=True))
    branding.academy_name = "测试研修学院"
    branding.logo = Image.objects.create(title="院徽", file=get_test_image_file())
    branding.save()
    html = text_of(client.get("/"))
    assert "测试研修学院" in html
    assert 'class="brand-logo"' in html and 'alt=""' in html


def test_the_demo_home_page_has_announcements_and_progress(client):
    home_page_demo_seed(today=TODAY)
    html = text_of(client.get("/"))
    assert "通知公告" in html and "2026年度科学教师全员培训启动" in html
    assert "全市培训目标进展" in html
    assert home().live and home().body[0].block_type == "announcements"


def test_upcoming_sessions_list_the_next_ones_of_published_courses(client):
    from courses.tests.factories import CoursePageFactory, OfflineSessionFactory

    now = timezone.now()
    course = CoursePageFactory(title="初中化学实验教学工作坊", summary="微型实验的设计与组织。")
    draft = CoursePageFactory(title="尚未发布的工作坊", live=False)
    OfflineSessionFactory(course=course, title="第二次集中研修", starts_at=now + datetime.timedelta(days=9),
                          ends_at=now + datetime.timedelta(days=9, hours=3), place="济南市教育科学研究院")
    OfflineSessionFactory(course=course, title="第一次集中研修", starts_at=now + datetime.timedelta(days=2),
                          ends_at=now + datetime.timedelta(days=2, hours=3), place="历下区教师发展中心")
    OfflineSessionFactory(course=course, title="已经结束的研修", starts_at=now - datetime.timedelta(days=3),
                          ends_at=now - datetime.timedelta(days=3, hours=-3), place="线下")
    OfflineSessionFactory(course=draft, title="草稿课程的研修", starts_at=now + datetime.timedelta(days=1),
                          ends_at=now + datetime.timedelta(days=1, hours=2), place="线下")
    publish_sections([
        {"type": "sessions", "value": {"heading": "近期线下研修", "count": 4}},
        {"type": "featured", "value": {"heading": "推荐课程", "pages": [course.pk], "more": {"page": None, "url": ""},
                                       "more_label": ""}},
    ])
    html = text_of(client.get("/"))
    assert html.index("第一次集中研修") < html.index("第二次集中研修")
    assert "历下区教师发展中心" in html
    assert "已经结束的研修" not in html and "草稿课程的研修" not in html
    assert "微型实验的设计与组织。" in html  # the featured course's summary
