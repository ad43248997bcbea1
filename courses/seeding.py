"""The demo academy's course catalogue: eleven courses across subjects,
stages and modes, with lessons, quizzes and offline sessions, and a
modest set of demo teachers enrolled, in progress and completed.

Called by ``lms.demo.seeding.demo_academy_seed`` inside its transaction. Its
cost does not depend on the number of teachers: pages are created one by
one (a few dozen), enrolments, progress and attempts are bulk-inserted for
at most ``ENROLLED_TEACHERS`` teachers, and only ``COMPLETED`` completions
are credited, through the ledger's bulk writer (``lms.ledger.bulk``), so the ledger, the
tallies and the dashboards agree.
"""

import datetime
import json
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page
from wagtail.signal_handlers import disable_reference_index_auto_update

from lms.api import BulkCredit, CreditCategory, Stage, Subject, TeacherProfile, credits_record_bulk

from .constants import COMPLETION_SOURCE_KEY, CourseCategory, CourseMode, EnrolmentStatus, QuestionKind
from .models import (
    Attendance,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
    OfflineSession,
    QuizAttempt,
)

ENROLLED_TEACHERS = 150
COMPLETED = 24
DEMO_TEACHER_USERNAME = "teacher"
DEMO_TRAINER_USERNAME = "trainer"


@dataclass(frozen=True)
class CourseSpec:
    slug: str
    title: str
    subject: str
    stage: str
    mode: str
    category: str
    hours: str
    summary: str
    lessons: tuple
    question: tuple  # (prompt, choices, index of the correct one)
    statement: tuple  # (true/false statement, is it true)
    audience: tuple = ()
    session: str = ""


COURSES = [
    CourseSpec("inquiry-primary-science", "新课标下的小学科学探究式教学", Subject.SCIENCE, Stage.PRIMARY,
               CourseMode.ONLINE, CourseCategory.SUBJECT_TEACHING, "8",
               "围绕《义务教育科学课程标准（2022年版）》，设计以探究为核心的小学科学课堂。",
               ("课程标准中的核心素养", "探究活动的五个环节", "探究式课堂的评价设计"),
               ("小学科学课程标准提出的核心素养不包括下列哪一项？", ["科学观念", "科学思维", "应试技巧"], 2),
               ("探究式教学中，提出问题可以由学生完成。", True)),
    CourseSpec("junior-physics-lab", "初中物理实验教学创新设计", Subject.PHYSICS, Stage.JUNIOR,
               CourseMode.BLENDED, CourseCategory.LAB_TEACHING, "12",
               "用身边的器材改进演示实验，线上学习与线下工作坊结合。",
               ("演示实验的改进思路", "自制教具与数字化传感器", "分组实验的组织与安全"),
               ("用传感器测量速度变化，主要优点是？", ["数据连续、可视化", "无需教师讲解", "不需要安全措施"], 0),
               ("分组实验前应先进行安全教育。", True), session="济南市教育教学研究院 物理实验室"),
    CourseSpec("senior-chemistry-lab-safety", "高中化学实验室安全与管理", Subject.CHEMISTRY, Stage.SENIOR,
               CourseMode.ONLINE, CourseCategory.LAB_TEACHING, "6",
               "危险化学品管理、废液处理与实验室应急预案，面向实验管理员。",
               ("危险化学品的分类存放", "实验废液的收集与处理", "实验室应急预案演练"),
               ("浓硫酸稀释时应当？", ["将水倒入浓硫酸", "将浓硫酸缓慢倒入水中并搅拌", "两者同时倒入"], 1),
               ("实验废液可以直接倒入下水道。", False), audience=("lab_manager",)),
    CourseSpec("campus-ecology", "跨学科主题学习：校园生态调查", Subject.BIOLOGY, Stage.JUNIOR,
               CourseMode.ONLINE, CourseCategory.CROSS_DISCIPLINARY, "10",
               "融合生物、地理与数学，带领学生完成一次校园生态调查。",
               ("跨学科主题的选题", "样方法调查植物多样性", "用数据讲好调查结论"),
               ("样方法常用于调查？", ["植物种群密度", "天体运行", "化学反应速率"], 0),
               ("跨学科学习需要明确的驱动性问题。", True)),
    CourseSpec("ai-enlightenment", "信息科技：人工智能启蒙教学", Subject.INFORMATION_TECHNOLOGY, Stage.PRIMARY,
               CourseMode.ONLINE, CourseCategory.SUBJECT_TEACHING, "8",
               "在小学信息科技课上讲清楚“机器如何学习”。",
               ("什么是人工智能", "用分类游戏理解机器学习", "人工智能伦理与安全"),
               ("机器学习模型通常从什么中学习规律？", ["数据", "教科书目录", "键盘布局"], 0),
               ("人工智能的回答总是正确的。", False)),
    CourseSpec("physics-olympiad-mechanics", "高中物理奥赛辅导：力学专题", Subject.PHYSICS, Stage.SENIOR,
               CourseMode.BLENDED, CourseCategory.OLYMPIAD_COACHING, "24",
               "面向物理奥赛教练的力学专题研修，含线下集中研讨。",
               ("质点运动学的竞赛题型", "刚体转动与角动量", "振动与波的综合问题"),
               ("角动量守恒的条件是？", ["合外力为零", "合外力矩为零", "速度不变"], 1),
               ("竞赛辅导应关注学生的思维过程而非只看答案。", True),
               audience=("backbone_teacher", "science_tech_tutor"), session="山东省实验中学 报告厅"),
    CourseSpec("research-methods", "教育科研方法：从问题到课题", Subject.SCIENCE, Stage.JUNIOR,
               CourseMode.ONLINE, CourseCategory.RESEARCH_METHODS, "10",
               "把教学中的真问题变成可研究的课题：选题、文献、设计与写作。",
               ("从教学问题到研究问题", "文献检索与综述", "行动研究的设计"),
               ("行动研究的基本循环是？", ["计划—行动—观察—反思", "背诵—考试—排名", "只写结论"], 0),
               ("课题研究需要查阅相关文献。", True)),
    CourseSpec("history-of-science", "科学教师素养：科学史与科学精神", Subject.SCIENCE, Stage.PRIMARY,
               CourseMode.ONLINE, CourseCategory.GENERAL_LITERACY, "6",
               "从伽利略到屠呦呦，用科学史故事培育学生的科学精神。",
               ("科学史融入课堂的方法", "中国古代科技成就", "当代中国科学家的故事"),
               ("屠呦呦因发现下列哪种药物获得诺贝尔奖？", ["青霉素", "青蒿素", "阿司匹林"], 1),
               ("科学结论可以随新证据而修正。", True)),
    CourseSpec("geography-fieldwork", "地理实践力：野外考察设计", Subject.GEOGRAPHY, Stage.SENIOR,
               CourseMode.OFFLINE, CourseCategory.LAB_TEACHING, "12",
               "以济南泉水与南部山区为案例，设计安全、可行的地理野外考察。",
               ("野外考察的选线与安全", "泉水成因的实地观察", "考察报告的评价"),
               ("济南泉水的形成主要与哪种地质条件有关？", ["石灰岩地层与地下水", "火山喷发", "冰川作用"], 0),
               ("野外考察前需要制定安全预案。", True), session="趵突泉公园东门集合"),
    CourseSpec("maker-projects", "通用技术：创客项目教学", Subject.GENERAL_TECHNOLOGY, Stage.SENIOR,
               CourseMode.ONLINE, CourseCategory.CROSS_DISCIPLINARY, "8",
               "以项目为载体组织创客教学：设计、制作、测试与迭代。",
               ("项目式学习的设计", "开源硬件入门", "作品评价与展示"),
               ("工程设计的一般过程包括？", ["发现问题—设计—制作—测试—改进", "只需画图", "直接购买成品"], 0),
               ("原型测试失败是设计过程中的正常环节。", True)),
    CourseSpec("maths-olympiad-number-theory", "高中数学奥赛辅导：数论初步", Subject.MATHEMATICS, Stage.SENIOR,
               CourseMode.ONLINE, CourseCategory.OLYMPIAD_COACHING, "20",
               "整除、同余与不定方程，面向数学奥赛教练的专题课程。",
               ("整除与最大公约数", "同余与剩余类", "不定方程的解法"),
               ("7 除以 3 的余数是？", ["0", "1", "2"], 1),
               ("任意两个相邻整数互素。", True)),
]


def _text(html, rng):
    return {"type": "rich_text", "id": str(uuid.UUID(int=rng.getrandbits(128))), "value": html}


def _quiz(spec, rng):
    prompt, choices, right = spec.question
    statement, truth = spec.statement
    return {
        "type": "quiz",
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "value": {
            "title": "单元测验",
            "pass_mark": 60,
            "attempts_allowed": 3,
            "questions": [
                {"prompt": prompt, "kind": QuestionKind.SINGLE, "true_is_correct": False, "explanation": "",
                 "choices": [{"text": text, "correct": index == right} for index, text in enumerate(choices)]},
                {"prompt": statement, "kind": QuestionKind.TRUE_FALSE, "true_is_correct": truth, "explanation": "",
                 "choices": []},
            ],
        },
    }


def _children_create(parent, instances):
    """Add ``instances`` as the last children of ``parent``, as treebeard's
    add_child would, without its per-page validation and reference-index
    work (seeding writes known-good pages; the search index is still kept)."""
    last = parent.get_last_child()
    start = Page._str2int(last.path[-Page.steplen:]) if last else 0
    with disable_reference_index_auto_update():
        for number, instance in enumerate(instances, start=start + 1):
            instance.depth = parent.depth + 1
            instance.path = Page._get_path(parent.path, instance.depth, number)
            instance.numchild = 0
            instance.locale_id = parent.locale_id
            instance._cached_parent_obj = parent
            instance.draft_title = instance.title
            instance.save(clean=False)
    Page.objects.filter(pk=parent.pk).update(numchild=start + len(instances))
    parent.numchild = start + len(instances)
    return instances


def _catalogue(home: Page) -> CourseIndexPage:
    catalogue = CourseIndexPage.objects.first()
    if catalogue is None:
        catalogue = home.add_child(instance=CourseIndexPage(title="课程中心", slug="courses"))
    return catalogue


def demo_catalogue_seed(*, seed: int, today: datetime.date, home: Page) -> int:
    """Create the demo courses and learning records; returns how many courses.
    The catalogue goes under ``home`` (the site's home page, which the caller
    finds: courses knows nothing of the theme) unless one exists already."""
    rng = random.Random(seed)
    catalogue = _catalogue(home)
    users = get_user_model().objects.in_bulk([DEMO_TRAINER_USERNAME, "academy"], field_name="username")
    trainer, academy = users.get(DEMO_TRAINER_USERNAME), users.get("academy")
    now = timezone.now()
    opens = now - datetime.timedelta(days=120)

    courses, quizzes, lessons_of = [], {}, {}
    pages = []
    for number, spec in enumerate(COURSES):
        pages.append(CoursePage(
            title=spec.title, slug=spec.slug, summary=spec.summary, subject=spec.subject, stage=spec.stage,
            mode=spec.mode, category=spec.category, credit_hours=Decimal(spec.hours), audience=list(spec.audience),
            description=f"<p>{spec.summary}</p>", enrol_opens_at=opens,
            enrol_closes_at=None if number % 4 else now + datetime.timedelta(days=60),
            capacity=None if number % 3 else 300, requires_lessons=True, requires_quizzes=True,
            required_sessions=1 if spec.session and spec.mode == CourseMode.OFFLINE else 0,
            owner=trainer if number % 2 == 0 else academy,
        ))
    _children_create(catalogue, pages)
    for spec, course in zip(COURSES, pages):
        lessons = []
        for index, title in enumerate(spec.lessons):
            body = [_text(f"<h2>{title}</h2><p>{spec.summary}</p><p>本节学习要点：{title}。</p>", rng)]
            if index == len(spec.lessons) - 1:
                quiz = _quiz(spec, rng)
                body.append(quiz)
                quizzes[course.pk] = quiz["id"]
            lessons.append(LessonPage(
                title=title, slug=f"lesson-{index + 1}", body=json.dumps(body, ensure_ascii=False),
                estimated_minutes=20 + 10 * index, owner=course.owner,
            ))
        lessons_of[course.pk] = _children_create(course, lessons)
        courses.append((spec, course))
    sessions = {}
    for spec, course in courses:
        if spec.session:
            start = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=14),
                                                                  datetime.time(9)))
            sessions[course.pk] = OfflineSession.objects.create(
                course=course, title=f"{spec.title} 线下研修", starts_at=start,
                ends_at=start + datetime.timedelta(hours=3), place=spec.session, capacity=60, hours=Decimal("3"),
            )
            OfflineSession.objects.create(
                course=course, title=f"{spec.title} 第二次研修", starts_at=start + datetime.timedelta(days=28),
                ends_at=start + datetime.timedelta(days=28, hours=3), place=spec.session, capacity=60,
                hours=Decimal("3"),
            )

    _learning_records_seed(rng=rng, courses=courses, lessons_of=lessons_of, quizzes=quizzes, sessions=sessions,
                           today=today, now=now)
    return len(courses)


def _learning_records_seed(*, rng, courses, lessons_of, quizzes, sessions, today, now):
    plan = _enrolment_plan(courses)
    enrolled_at = now - datetime.timedelta(days=40)
    Enrolment.objects.bulk_create(
        [Enrolment(course=course, teacher_id=teacher_pk, enrolled_at=enrolled_at) for teacher_pk, course, _s in plan],
        batch_size=500,
    )
    enrolments = {
        (e.teacher_id, e.course_id): e
        for e in Enrolment.objects.filter(teacher_id__in={pk for pk, _c, _s in plan}).select_related("teacher")
    }
    progress, attempts, attendance = [], [], []
    to_credit = []
    for number, (teacher_pk, course, status) in enumerate(plan):
        enrolment = enrolments[(teacher_pk, course.pk)]
        lessons = lessons_of[course.pk]
        done = len(lessons) if status == EnrolmentStatus.COMPLETED else number % len(lessons)
        day = now - datetime.timedelta(days=30 - number % 25)
        for lesson in lessons[:done]:
            progress.append(LessonProgress(enrolment=enrolment, lesson=lesson, completed_at=day,
                                           seconds_spent=900 + 60 * (number % 20)))
        attempts += _quiz_attempts(enrolment, lessons[-1], quizzes[course.pk], status, number, day)
        if status == EnrolmentStatus.COMPLETED:
            to_credit.append((enrolment, course, day))
        session = sessions.get(course.pk)
        if session is not None and number % 2 == 0:
            attendance.append(Attendance(session=session, enrolment=enrolment, via="trainer",
                                         recorded_at=session.starts_at))
    LessonProgress.objects.bulk_create(progress, batch_size=500)
    QuizAttempt.objects.bulk_create(attempts, batch_size=500)
    Attendance.objects.bulk_create(attendance, batch_size=500)

    _completions_credit(to_credit, today=today)


def _enrolment_plan(courses):
    """(teacher pk, course, status) of every demo enrolment: the demo
    teacher's three, then the other teachers' round the open courses, up to
    each course's capacity, ``COMPLETED`` of them completed."""
    open_courses = [(spec, course) for spec, course in courses if not spec.audience]
    teachers = list(
        TeacherProfile.objects.filter(school__isnull=False).order_by("pk").values_list("pk", "user__username")[
            :ENROLLED_TEACHERS
        ]
    )
    demo = [pk for pk, username in teachers if username == DEMO_TEACHER_USERNAME]
    if not demo:
        demo = list(TeacherProfile.objects.filter(user__username=DEMO_TEACHER_USERNAME).values_list("pk", flat=True))
    others = [pk for pk, username in teachers if username != DEMO_TEACHER_USERNAME]

    plan = []  # (teacher_pk, course, status)
    for demo_pk in demo:
        plan += [(demo_pk, open_courses[0][1], EnrolmentStatus.COMPLETED),
                 (demo_pk, open_courses[1][1], EnrolmentStatus.ENROLLED),
                 (demo_pk, open_courses[3][1], EnrolmentStatus.ENROLLED)]
    completed_left = COMPLETED
    for number, teacher_pk in enumerate(others):
        spec, course = open_courses[number % len(open_courses)]
        if course.capacity is not None and number // len(open_courses) >= course.capacity:
            continue
        status = EnrolmentStatus.ENROLLED
        if completed_left and number % 5 == 0 and spec.mode != CourseMode.OFFLINE:
            status = EnrolmentStatus.COMPLETED
            completed_left -= 1
        plan.append((teacher_pk, course, status))
    return plan


def _quiz_attempts(enrolment, lesson, quiz_id, status, number, day):
    """The attempts at the last lesson's quiz: a completed enrolment passed
    it (every third one at the second try), every fourth other one failed once."""
    attempts = []
    if status == EnrolmentStatus.COMPLETED:
        if number % 3 == 0:
            attempts.append(QuizAttempt(enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, number=1,
                                        answers={"q0": ["0"], "q1": ["false"]}, score=50, passed=False,
                                        submitted_at=day))
        attempts.append(QuizAttempt(enrolment=enrolment, lesson=lesson, quiz_id=quiz_id,
                                    number=2 if number % 3 == 0 else 1, answers={}, score=100, passed=True,
                                    submitted_at=day))
    elif number % 4 == 1:
        attempts.append(QuizAttempt(enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, number=1,
                                    answers={"q0": ["0"], "q1": ["false"]}, score=50, passed=False,
                                    submitted_at=day))
    return attempts


def _completions_credit(to_credit, *, today):
    """Credit the completed enrolments as completing each course credits it,
    in one batch, and link each enrolment to its entry."""
    ids = credits_record_bulk([
        BulkCredit(
            enrolment.teacher_id,
            CreditCategory.OFFLINE_WORKSHOP if course.mode == CourseMode.OFFLINE else CreditCategory.ONLINE_COURSE,
            course.credit_hours,
            COMPLETION_SOURCE_KEY.format(pk=enrolment.pk),
            occurred_on=min(timezone.localdate(day), today),
            evidence=enrolment,
            evidence_label=course.title,
            credited_via="course-completion",
        )
        for enrolment, course, day in to_credit
    ], with_ids=True).ids
    for enrolment, _course, day in to_credit:
        credit_id = ids[COMPLETION_SOURCE_KEY.format(pk=enrolment.pk)]
        Enrolment.objects.filter(pk=enrolment.pk).update(
            status=EnrolmentStatus.COMPLETED, completed_at=day, credit_id=credit_id
        )
