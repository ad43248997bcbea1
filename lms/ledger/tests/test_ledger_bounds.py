"""The ledger's limits: no correction takes a teacher's yearly totals below
zero, even two at once; training dates within the ledger's range; and year
selectors offering only years with entries."""

import datetime
import re
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from lms.constants import CITY, LEDGER_EARLIEST_DATE, CreditCategory, Role
from lms.dashboards.selectors import dashboard_get
from lms.ledger.selectors import teacher_hours_summary
from lms.ledger.services import (
    BELOW_ZERO_HOURS,
    BELOW_ZERO_PERSON_TIMES,
    TOO_EARLY_DATE,
    credit_adjust,
    credit_record,
    credit_reverse,
    ledger_reconcile,
)
from lms.models import CreditTally, TeacherYearTally, TrainingCredit
from lms.people.services import user_role_add
from lms.tests.factories import SchoolFactory, TeacherFactory, UserFactory, district

DAY = datetime.date(2025, 3, 14)


@pytest.fixture
def teacher():
    return TeacherFactory(real_name="张小伟", staff_number="LX0001", school=SchoolFactory(district=district("370102")))


def course_credit(teacher, hours="1", key="course:1", day=DAY):
    return credit_record(teacher=teacher, category=CreditCategory.ONLINE_COURSE, hours=hours, source_key=key,
                         occurred_on=day).credit


def adjust(teacher, hours, person_times=0, token=None, day=DAY):
    return credit_adjust(teacher=teacher, hours=hours, person_times=person_times, occurred_on=day, reason="核减",
                         adjusted_by=None, request_token=token)


def year_totals(teacher, year=2025):
    rows = TeacherYearTally.objects.filter(teacher=teacher, year=year).values_list("hours", "person_times")
    return sum((hours for hours, _p in rows), Decimal("0")), sum(person_times for _h, person_times in rows)


def refusal(action):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        action()
    return caught.value


@pytest.mark.django_db
def test_an_adjustment_cannot_take_a_teachers_year_below_zero(teacher):
    course_credit(teacher, hours="1")  # 1 h, 1 person-time
    error = refusal(lambda: adjust(teacher, "-200"))
    assert error.code == "hours"
    with translation.override("en"):
        assert error.messages == [str(BELOW_ZERO_HOURS) % {"teacher": "张小伟", "hours": Decimal("-199.00"),
                                                              "year": 2025}]
    assert TrainingCredit.objects.count() == 1 and year_totals(teacher) == (Decimal("1.00"), 1)

    adjust(teacher, "-1", person_times=-1, token="form-1")
    assert year_totals(teacher) == (Decimal("0.00"), 0)
    # The same form sent again finds its entry; it is not refused.
    assert adjust(teacher, "-1", person_times=-1, token="form-1").created is False
    error = refusal(lambda: adjust(teacher, "0", person_times=-1))
    assert error.code == "person_times" and error.message == BELOW_ZERO_PERSON_TIMES
    # Another year's hours do not count for this one.
    course_credit(teacher, hours="50", key="course:2", day=datetime.date(2024, 5, 1))
    assert refusal(lambda: adjust(teacher, "-5")).code == "hours"
    assert year_totals(teacher) == (Decimal("0.00"), 0)
    assert ledger_reconcile() == []


@pytest.mark.django_db
def test_a_reversal_cannot_take_a_teachers_year_below_zero(teacher):
    entry = course_credit(teacher, hours="10")
    adjust(teacher, "-10", person_times=-1)
    error = refusal(lambda: credit_reverse(credit=entry, reason="重复登记", reversed_by=None))
    assert error.code == "hours"
    assert year_totals(teacher) == (Decimal("0.00"), 0)
    assert not TrainingCredit.objects.filter(reverses=entry).exists()
    assert ledger_reconcile() == []


@pytest.mark.django_db
@pytest.mark.parametrize("day", [datetime.date(1, 1, 1), datetime.date(1900, 6, 1), datetime.date(1999, 12, 31)])
def test_a_training_date_before_the_ledger_begins_is_refused(teacher, day):
    course_credit(teacher, hours="5")
    error = refusal(lambda: adjust(teacher, "1", day=day))
    assert error.code == "occurred_on" and error.message == TOO_EARLY_DATE
    error = refusal(lambda: course_credit(teacher, key="course:old", day=day))
    assert error.code == "occurred_on"
    assert not TeacherYearTally.objects.filter(year=day.year).exists()
    assert not CreditTally.objects.filter(year=day.year).exists()
    assert adjust(teacher, "1", day=LEDGER_EARLIEST_DATE).created


@pytest.mark.django_db
def test_the_adjust_form_shows_the_refusals_and_writes_nothing(client, teacher):
    course_credit(teacher, hours="1")
    hr = UserFactory(username="hr-user")
    user_role_add(user=hr, role=Role.HR)
    client.force_login(hr)
    for overrides, field in [({"hours": "-200"}, "hours"), ({"occurred_on": "0001-01-01"}, "occurred_on"),
                             ({"occurred_on": "1900-01-01"}, "occurred_on")]:
        data = {"teacher": "LX0001", "hours": "1", "person_times": "0", "occurred_on": "2025-06-20",
                "reason": "核减", "request_token": str(uuid.uuid4()), **overrides}
        response = client.post("/admin/ledger/adjust/", data)
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors, errors
        assert "请" in errors[field][0] or "不能" in errors[field][0], errors[field]  # in Chinese by default
    assert TrainingCredit.objects.count() == 1


@pytest.mark.django_db
def test_year_selectors_offer_only_years_with_entries(client, teacher):
    this_year = timezone.localdate().year
    course_credit(teacher, hours="3", day=datetime.date(2024, 5, 1))
    # Left by entries from before the dates were checked, and a year whose
    # only row holds nothing.
    TeacherYearTally.objects.create(teacher=teacher, year=1, category=CreditCategory.ADJUSTMENT, hours=5)
    TeacherYearTally.objects.create(teacher=teacher, year=2010, category=CreditCategory.ADJUSTMENT)
    CreditTally.objects.create(year=1900, district_key=CITY, dimension="total", key="", hours=5, person_times=1,
                               entries=1)

    summary = teacher_hours_summary(teacher, 2005, current_year=this_year)
    assert summary.selectable_years == (this_year, 2024)
    client.force_login(teacher.user)
    page = client.get(reverse("themes:my_hours"), {"year": "2005"}).content.decode()
    offered = re.findall(r'href="\?year=(\d+)"', page)
    assert sorted(set(offered)) == sorted({str(this_year), "2024"}), offered
    assert client.get(reverse("themes:my_hours"), {"year": "99999999999999999999"}).status_code == 200

    academy_admin = UserFactory(username="academy-admin")
    user_role_add(user=academy_admin, role=Role.ACADEMY_ADMIN)
    assert dashboard_get(user=academy_admin, year=this_year).years == sorted({this_year, 2024}, reverse=True)


THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_corrections_never_take_a_year_below_zero(teacher):
    entry = course_credit(teacher, hours="200")
    start = threading.Barrier(THREADS)
    done, refused, errors = [], [], []

    def correct(number):
        try:
            start.wait()
            if number == 0:
                done.append(credit_reverse(credit=entry, reason="重复登记", reversed_by=None))
            else:
                done.append(adjust(teacher, "-150", token=f"form-{number}"))
        except ValidationError as error:
            refused.append(error.code)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=correct, args=[number]) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(done) == 1 and refused == ["hours"] * (THREADS - 1)
    hours, person_times = year_totals(teacher)
    assert hours >= 0 and person_times >= 0
    assert ledger_reconcile() == []
