"""factory_boy factories for course pages and learning records.

Pages are created in the page tree under their parent (``parent=``, the
catalogue for courses) with treebeard's ``add_child``, as Wagtail does."""

import datetime
import json
import uuid
from decimal import Decimal

import factory
from django.utils import timezone

from courses.constants import CourseCategory, CourseMode, QuestionKind
from courses.models import CheckinCode, CourseIndexPage, CoursePage, Enrolment, LessonPage, OfflineSession
from lms.constants import Stage, Subject
from lms.tests.factories import TeacherFactory


def catalogue():
    """The catalogue page the courses migration creates under the home page."""
    return CourseIndexPage.objects.get()


class _PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        parent = parent or cls._default_parent()
        return parent.add_child(instance=model_class(*args, **kwargs))


class CoursePageFactory(_PageFactory):
    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"小学科学探究式教学设计 {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    subject = Subject.SCIENCE
    stage = Stage.PRIMARY
    credit_hours = Decimal("8")
    mode = CourseMode.ONLINE
    category = CourseCategory.SUBJECT_TEACHING
    requires_lessons = True
    requires_quizzes = True
    issues_certificate = True

    @classmethod
    def _default_parent(cls):
        return catalogue()


def quiz_block(*, quiz_id=None, title="单元测验", pass_mark=60, attempts_allowed=3, questions=None):
    """A quiz block as raw StreamField data. The default has three questions:
    single (B is right), multiple (A and C) and true/false (true)."""
    return {
        "type": "quiz",
        "id": quiz_id or str(uuid.uuid4()),
        "value": {
            "title": title,
            "pass_mark": pass_mark,
            "attempts_allowed": attempts_allowed,
            "questions": questions if questions is not None else [
                {"prompt": "光在真空中的传播速度约为？", "kind": QuestionKind.SINGLE, "true_is_correct": False,
                 "explanation": "光速约为每秒三十万千米。",
                 "choices": [{"text": "340 米/秒", "correct": False}, {"text": "3×10⁸ 米/秒", "correct": True},
                             {"text": "3×10⁵ 米/秒", "correct": False}]},
                {"prompt": "下列属于可再生能源的是？", "kind": QuestionKind.MULTIPLE, "true_is_correct": False,
                 "explanation": "",
                 "choices": [{"text": "太阳能", "correct": True}, {"text": "煤炭", "correct": False},
                             {"text": "风能", "correct": True}]},
                {"prompt": "植物的光合作用需要光。", "kind": QuestionKind.TRUE_FALSE, "true_is_correct": True,
                 "explanation": "", "choices": []},
            ],
        },
    }


RIGHT_ANSWERS = {"q0": ["1"], "q1": ["0", "2"], "q2": ["true"]}
WRONG_ANSWERS = {"q0": ["0"], "q1": ["1"], "q2": ["false"]}


def text_block(text="<p>本课介绍探究式教学的基本环节。</p>"):
    return {"type": "rich_text", "id": str(uuid.uuid4()), "value": text}


class LessonPageFactory(_PageFactory):
    class Meta:
        model = LessonPage

    title = factory.Sequence(lambda n: f"第{n}课 探究活动设计")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    body = factory.LazyFunction(lambda: json.dumps([text_block()]))
    is_required = True


def lesson_with_quiz(course, **quiz_kwargs):
    block = quiz_block(**quiz_kwargs)
    lesson = LessonPageFactory(parent=course, body=json.dumps([text_block(), block]))
    return lesson, block["id"]


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    course = factory.SubFactory(CoursePageFactory)
    teacher = factory.SubFactory(TeacherFactory)


class OfflineSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfflineSession

    course = factory.SubFactory(CoursePageFactory)
    title = "实验教学现场研修"
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=30))
    ends_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=2))
    place = "济南市教育教学研究院 301 室"
    hours = Decimal("3")


class CheckinCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckinCode

    session = factory.SubFactory(OfflineSessionFactory)
    code = factory.Sequence(lambda n: f"{n % 1000000:06d}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(minutes=5))
