"""Guessing the 6-digit check-in code: wrong codes are limited per teacher
and per running session; past a limit even the right code is refused, with
no attendance and no credit, until the window has passed."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from courses import services
from courses.constants import CHECKIN_WRONG_CODE_WINDOW_SECONDS, CHECKIN_WRONG_CODES_PER_TEACHER, CourseMode
from courses.models import Attendance
from courses.services import attendance
from courses.tests.factories import CheckinCodeFactory, CoursePageFactory, OfflineSessionFactory
from lms import ratelimit
from lms.models import TrainingCredit
from lms.tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db

RIGHT = "314159"


@pytest.fixture
def session():
    course = CoursePageFactory(mode=CourseMode.BLENDED, requires_lessons=False, required_sessions=1)
    session = OfflineSessionFactory(course=course)
    CheckinCodeFactory(session=session, code=RIGHT)
    return session


@pytest.fixture
def clock(monkeypatch):
    """Moves the rate limits' clock, not the database's."""
    now = [1_800_000_000.0]  # the start of a window: 1_800_000_000 is a multiple of 300
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    return now


def enrolled(session):
    teacher = TeacherFactory()
    services.enrolment_create(course=session.course, teacher=teacher)
    return teacher


def refusal(teacher, code):
    with pytest.raises(ValidationError) as excinfo:
        services.checkin(teacher=teacher, code=code)
    return excinfo.value.code, excinfo.value.messages[0]


def wrong_codes(teacher, count):
    for n in range(count):
        assert refusal(teacher, f"{n:06d}")[0] == "unknown"


def test_five_wrong_codes_then_even_the_right_one_is_refused_until_the_window_passes(session, clock):
    teacher = enrolled(session)
    wrong_codes(teacher, CHECKIN_WRONG_CODES_PER_TEACHER)
    code, message = refusal(teacher, RIGHT)
    assert code == "throttled"
    assert message == services.CHECKIN_TOO_MANY_WRONG_CODES % {"minutes": 5}
    clock[0] += CHECKIN_WRONG_CODE_WINDOW_SECONDS - 60
    assert refusal(teacher, RIGHT) == ("throttled", services.CHECKIN_TOO_MANY_WRONG_CODES % {"minutes": 1})
    assert not Attendance.objects.exists() and not TrainingCredit.objects.exists()
    clock[0] += 60
    attendance = services.checkin(teacher=teacher, code=RIGHT)
    assert attendance.enrolment.teacher == teacher and TrainingCredit.objects.count() == 1


def test_four_wrong_codes_do_not_stop_the_right_one_and_other_refusals_do_not_count(session, clock):
    teacher = enrolled(session)
    wrong_codes(teacher, CHECKIN_WRONG_CODES_PER_TEACHER - 1)
    services.checkin(teacher=teacher, code=RIGHT)
    # "Already checked in" is no guess: repeating it never locks anyone out.
    for _ in range(CHECKIN_WRONG_CODES_PER_TEACHER + 1):
        assert refusal(teacher, RIGHT)[0] == "again"


def test_one_teachers_lockout_does_not_touch_a_colleague(session, clock):
    guesser, colleague = enrolled(session), enrolled(session)
    wrong_codes(guesser, CHECKIN_WRONG_CODES_PER_TEACHER)
    assert refusal(guesser, "999999")[0] == "throttled"
    assert services.checkin(teacher=colleague, code=RIGHT).enrolment.teacher == colleague


def test_many_accounts_guessing_one_session_close_it_for_the_window(session, clock, monkeypatch):
    monkeypatch.setattr(attendance, "CHECKIN_WRONG_CODES_PER_SESSION", 6)
    for _ in range(3):
        wrong_codes(enrolled(session), 2)
    latecomer = enrolled(session)
    code, message = refusal(latecomer, RIGHT)
    assert code == "throttled"
    assert message == services.CHECKIN_SESSION_TOO_MANY_WRONG_CODES % {"minutes": 5}
    assert not Attendance.objects.exists()
    # A session elsewhere is not affected.
    other = OfflineSessionFactory()
    CheckinCodeFactory(session=other, code="271828")
    assert services.checkin(teacher=enrolled(other), code="271828").session == other
    clock[0] += CHECKIN_WRONG_CODE_WINDOW_SECONDS
    assert services.checkin(teacher=latecomer, code=RIGHT).session == session


def test_the_check_in_page_answers_429_with_the_message_in_chinese(client, session, clock):
    teacher = enrolled(session)
    client.force_login(teacher.user)
    for n in range(CHECKIN_WRONG_CODES_PER_TEACHER):
        assert client.post("/checkin/", {"code": f"{n:06d}"}).status_code == 200
    response = client.post("/checkin/", {"code": RIGHT})
    assert response.status_code == 429
    with translation.override("zh-hans"):
        expected = str(services.CHECKIN_TOO_MANY_WRONG_CODES % {"minutes": 5})
    assert expected in response.content.decode()
    assert "分钟" in expected
    assert not Attendance.objects.exists()
