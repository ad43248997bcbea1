"""The demo academy's home page: announcements, the city's progress, and
links to what the other apps offer, so ``make run`` opens on a page that
shows the product working. Sections for apps that are not installed (or
have no content yet) are left out."""

import datetime
import json

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import HomePage

DEMO_INTRO = (
    "<p>面向全市中小学科学教育教师的网络研修平台：线上课程、线下工作坊、"
    "科研跟学与学科带头人、奥赛教练培养，学时自动记入个人学时台账。</p>"
)


def _announcements(today):
    return {
        "heading": "通知公告",
        "items": [
            {
                "title": "2026年度科学教师全员培训启动",
                "date": (today - datetime.timedelta(days=12)).isoformat(),
                "body": "全市科学教育教师年度培训全面启动，请各区县组织教师按时选课，年底前完成不少于72学时。",
                "link": {"page": None, "url": ""},
            },
            {
                "title": "学科带头人与奥赛教练培养对象遴选工作的通知",
                "date": (today - datetime.timedelta(days=30)).isoformat(),
                "body": "面向全市遴选学科带头人培养对象100名、奥赛教练100名（数学、物理、化学、生物、信息学），由学校或区县推荐。",
                "link": {"page": None, "url": ""},
            },
            {
                "title": "科研跟学导师名单发布",
                "date": (today - datetime.timedelta(days=45)).isoformat(),
                "body": "山东大学、山东师范大学、济南大学及在济科研院所的专家担任科研跟学导师，欢迎教师申请。",
                "link": {"page": None, "url": ""},
            },
        ],
    }


def _reverse_or_empty(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def home_page_demo_sections(*, today=None):
    """The home page's demo sections as StreamField JSON data."""
    today = today or timezone.localdate()
    sections = [
        {"type": "announcements", "value": _announcements(today)},
        {
            "type": "progress",
            "value": {
                "heading": "全市培训目标进展",
                "intro": "数据来自学时台账，每记入一条学时即时更新。",
            },
        },
    ]
    featured = _featured_course_ids()
    if featured:
        sections.append(
            {
                "type": "featured",
                "value": {
                    "heading": "推荐课程",
                    "pages": featured,
                    "more": {"page": _catalogue_id(), "url": ""},
                    "more_label": "浏览全部课程",
                },
            }
        )
        sections.append(
            {"type": "sessions", "value": {"heading": "近期线下研修", "count": 4}}
        )
    verify_url = _reverse_or_empty("certificates:verify")
    if verify_url:
        sections.append(
            {
                "type": "call_to_action",
                "value": {
                    "heading": "证书查验",
                    "text": "扫描证书上的二维码，或输入证书编号和校验码，查验本院颁发证书的真伪与状态。",
                    "button_label": "查验证书",
                    "link": {"page": None, "url": verify_url},
                },
            }
        )
    return sections


def _featured_course_ids():
    try:
        from courses.api import CoursePage
    except ImportError:
        return []
    return list(CoursePage.objects.live().order_by("path").values_list("pk", flat=True)[:4])


def _catalogue_id():
    try:
        from courses.api import CourseIndexPage
    except ImportError:
        return None
    return CourseIndexPage.objects.live().values_list("pk", flat=True).first()


def home_page_demo_seed(*, today=None):
    """Give the home page its demo introduction and sections, published."""
    home = HomePage.objects.first()
    if home is None:
        return None
    home.intro = DEMO_INTRO
    home.body = json.dumps(home_page_demo_sections(today=today))
    home.save_revision().publish()
    return home
