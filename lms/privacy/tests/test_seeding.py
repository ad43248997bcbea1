import pytest
from django.test import override_settings

from lms.demo.seeding import DEMO_TEACHER_DISTRICT, DEMO_TEACHER_USERNAME
from lms.privacy.models import NoticeAcknowledgement
from lms.privacy.seeding import demo_privacy_seed
from lms.privacy.selectors import correction_request_list_for_user
from lms.privacy.tests.factories import district_admin_of
from lms.tests.factories import SchoolFactory, TeacherFactory, district

pytestmark = pytest.mark.django_db


def test_the_demo_district_admin_finds_the_demo_teachers_open_request(client):
    teacher = TeacherFactory(user__username=DEMO_TEACHER_USERNAME,
                             school=SchoolFactory(district=district(DEMO_TEACHER_DISTRICT)))
    assert demo_privacy_seed() == 1
    assert demo_privacy_seed() == 0  # seeding again adds nothing
    request = correction_request_list_for_user(district_admin_of(district(DEMO_TEACHER_DISTRICT))).get()
    assert request.teacher == teacher and request.is_open and "高级教师" in request.text

    # And the demo teacher meets the notice at first sign-in, like a newcomer.
    assert not NoticeAcknowledgement.objects.exists()
    client.force_login(teacher.user)
    with override_settings(PRIVACY_NOTICE_REQUIRED=True):
        assert client.get("/my/data/")["Location"].startswith("/privacy/")
