import datetime
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import translation
from wagtail.models import ModelLogEntry

from lms.constants import CITY, CreditCategory, TallyDimension
from lms.ledger.services import (
    ABSURD_HOURS,
    ALREADY_REVERSED,
    CANNOT_REVERSE_REVERSAL,
    NEGATIVE_HOURS,
    NO_SCHOOL,
    REASON_REQUIRED,
    UNKNOWN_CATEGORY,
    credit_adjust,
    credit_record,
    credit_reverse,
    ledger_reconcile,
)
from lms.models import CreditCap, CreditTally, TeacherYearTally, TrainingCredit
from lms.tests.factories import SchoolFactory, TeacherFactory, UserFactory, district

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 3, 14)


@pytest.fixture
def teacher():
    return TeacherFactory(school=SchoolFactory(district=district("370102")), subject="physics", stage="junior")


def credit(teacher, key="course:1", hours="2.5", category=CreditCategory.ONLINE_COURSE, **kwargs):
    return credit_record(
        teacher=teacher, category=category, hours=hours, source_key=key, occurred_on=DAY, **kwargs
    )


def tally(district_key, dimension, key=""):
    row = CreditTally.objects.filter(year=2025, district_key=district_key, dimension=dimension, key=key).first()
    return (row.hours, row.person_times, row.entries) if row else None


def test_a_credit_records_the_teachers_place_and_updates_every_tally(teacher):
    result = credit(teacher)
    entry = result.credit

    assert result.created
    assert (entry.hours, entry.person_times, entry.year) == (Decimal("2.50"), 1, 2025)
    assert (entry.district, entry.school, entry.subject, entry.stage) == (
        teacher.school.district, teacher.school, "physics", "junior"
    )
    lixia = teacher.school.district_id
    assert tally(CITY, TallyDimension.TOTAL) == (Decimal("2.50"), 1, 1)
    assert tally(CITY, TallyDimension.DISTRICT, str(lixia)) == (Decimal("2.50"), 1, 1)
    assert tally(lixia, TallyDimension.SCHOOL, str(teacher.school_id)) == (Decimal("2.50"), 1, 1)
    assert tally(lixia, TallyDimension.SUBJECT, "physics") == (Decimal("2.50"), 1, 1)
    assert tally(CITY, TallyDimension.MONTH, "03") == (Decimal("2.50"), 1, 1)
    assert TeacherYearTally.objects.get(teacher=teacher, year=2025).hours == Decimal("2.50")


def test_the_same_evidence_is_credited_once(teacher):
    first = credit(teacher)
    second = credit(teacher, hours="9")
    assert not second.created and second.credit == first.credit
    assert TrainingCredit.objects.count() == 1
    assert tally(CITY, TallyDimension.TOTAL) == (Decimal("2.50"), 1, 1)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"hours": "-1"}, NEGATIVE_HOURS),
        ({"hours": "5000"}, ABSURD_HOURS),
        ({"hours": "NaN"}, ABSURD_HOURS),
        ({"category": "gardening"}, UNKNOWN_CATEGORY),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(teacher, kwargs, message):
    with pytest.raises(ValidationError) as error:
        credit(teacher, **kwargs)
    assert error.value.message == message
    assert not TrainingCredit.objects.exists() and not CreditTally.objects.exists()


def test_a_teacher_without_a_school_cannot_be_credited(teacher):
    teacher.school = None
    teacher.save()
    with pytest.raises(ValidationError) as error:
        credit(teacher)
    assert error.value.message == NO_SCHOOL
    assert not TrainingCredit.objects.exists()


def test_history_stays_with_the_old_district_when_a_teacher_moves(teacher):
    lixia = teacher.school.district_id
    old = credit(teacher, key="course:1").credit
    teacher.school = SchoolFactory(district=district("370112"))
    teacher.save()
    credit(teacher, key="course:2", hours="1")

    assert tally(CITY, TallyDimension.DISTRICT, str(lixia)) == (Decimal("2.50"), 1, 1)
    licheng = district("370112").pk
    assert tally(CITY, TallyDimension.DISTRICT, str(licheng)) == (Decimal("1.00"), 1, 1)

    # A reversal of the old entry counts against the old district too.
    credit_reverse(credit=old, reason="重复录入", reversed_by=None)
    assert tally(CITY, TallyDimension.DISTRICT, str(lixia)) == (Decimal("0.00"), 0, 2)
    assert tally(CITY, TallyDimension.DISTRICT, str(licheng)) == (Decimal("1.00"), 1, 1)


def test_a_reversal_cancels_an_entry_once_and_is_final(teacher):
    hr = UserFactory()
    entry = credit(teacher).credit
    reversal = credit_reverse(credit=entry, reason="课程未完成", reversed_by=hr).credit

    assert (reversal.hours, reversal.person_times, reversal.reverses) == (Decimal("-2.50"), -1, entry)
    assert tally(CITY, TallyDimension.TOTAL) == (Decimal("0.00"), 0, 2)
    assert TeacherYearTally.objects.get(teacher=teacher).hours == Decimal("0.00")

    with pytest.raises(ValidationError) as error:
        credit_reverse(credit=entry, reason="again", reversed_by=hr)
    assert error.value.message == ALREADY_REVERSED
    with pytest.raises(ValidationError) as error:
        credit_reverse(credit=reversal, reason="undo", reversed_by=hr)
    assert error.value.message == CANNOT_REVERSE_REVERSAL
    with pytest.raises(ValidationError) as error:
        credit_reverse(credit=credit(teacher, key="course:2").credit, reason="  ", reversed_by=hr)
    assert error.value.message == REASON_REQUIRED


def test_entries_are_never_updated_or_deleted(teacher):
    entry = credit(teacher).credit
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        TrainingCredit.objects.filter(pk=entry.pk).update(hours=1)
    with pytest.raises(TypeError):
        TrainingCredit.objects.all().delete()


def test_a_yearly_cap_credits_up_to_it_and_records_the_rest(teacher):
    CreditCap.objects.create(category=CreditCategory.RESEARCH_ALONG, yearly_hours=Decimal("10"))
    first = credit(teacher, key="activity:1", hours="8", category=CreditCategory.RESEARCH_ALONG).credit
    second = credit(teacher, key="activity:2", hours="5", category=CreditCategory.RESEARCH_ALONG).credit
    third = credit(teacher, key="activity:3", hours="1", category=CreditCategory.RESEARCH_ALONG).credit

    assert (first.hours, first.capped_hours) == (Decimal("8.00"), Decimal("0.00"))
    assert (second.hours, second.requested_hours, second.capped_hours) == (
        Decimal("2.00"), Decimal("5.00"), Decimal("3.00")
    )
    assert (third.hours, third.capped_hours, third.person_times) == (Decimal("0.00"), Decimal("1.00"), 1)
    # Other categories are not capped, and next year starts afresh.
    assert credit(teacher, key="course:9", hours="30").credit.capped_hours == 0
    next_year = credit_record(
        teacher=teacher, category=CreditCategory.RESEARCH_ALONG, hours="6", source_key="activity:4",
        occurred_on=datetime.date(2026, 1, 5),
    ).credit
    assert next_year.hours == Decimal("6.00")


def test_adjustments_need_a_reason_and_a_double_submit_adjusts_once(teacher):
    hr = UserFactory()
    with pytest.raises(ValidationError):
        credit_adjust(teacher=teacher, hours="3", person_times=0, occurred_on=DAY, reason="", adjusted_by=hr)
    credit(teacher, key="course:1")  # hours to take away
    for _attempt in range(2):
        credit_adjust(
            teacher=teacher, hours="-1.5", person_times=0, occurred_on=DAY, reason="外出培训学时核减",
            adjusted_by=hr, request_token="form-123",
        )
    entry = TrainingCredit.objects.get(category=CreditCategory.ADJUSTMENT)
    assert (entry.category, entry.hours, entry.credited_by) == (CreditCategory.ADJUSTMENT, Decimal("-1.50"), hr)


def test_every_credit_reversal_and_adjustment_is_in_the_audit_log(teacher):
    hr = UserFactory()
    entry = credit(teacher, credited_by=hr).credit
    credit_reverse(credit=entry, reason="错误", reversed_by=hr)
    credit_adjust(teacher=teacher, hours="1", person_times=0, occurred_on=DAY, reason="补录", adjusted_by=hr)
    actions = list(ModelLogEntry.objects.order_by("pk").values_list("action", "user"))
    assert actions == [("lms.credit", hr.pk), ("lms.credit_reverse", hr.pk), ("lms.credit_adjust", hr.pk)]


def test_reconcile_is_clean_when_healthy_and_finds_a_planted_difference(teacher):
    credit(teacher, key="course:1")
    credit(teacher, key="course:2", hours="1.5")
    credit_reverse(credit=TrainingCredit.objects.get(source_key="course:1"), reason="x", reversed_by=None)
    assert ledger_reconcile() == []

    CreditTally.objects.filter(district_key=CITY, dimension=TallyDimension.TOTAL).update(person_times=99)
    CreditTally.objects.filter(dimension=TallyDimension.SUBJECT).delete()
    TeacherYearTally.objects.update(hours=42)
    differences = ledger_reconcile()
    found = {(d.district_key, d.dimension) for d in differences}
    assert (CITY, TallyDimension.TOTAL) in found
    assert (teacher.school.district_id, TallyDimension.SUBJECT) in found
    assert (CITY, "teacher") in found

    out = StringIO()
    with pytest.raises(SystemExit), translation.override("en"):
        call_command("reconcile_ledger", stdout=out)
    assert "4 differences" in out.getvalue()
    out = StringIO()
    with pytest.raises(SystemExit), translation.override("zh-hans"):
        call_command("reconcile_ledger", stdout=out)
    assert "台账与汇总之间有 4 处不一致" in out.getvalue()

    call_command("reconcile_ledger", "--fix", stdout=StringIO())
    assert ledger_reconcile() == []
    assert tally(CITY, TallyDimension.TOTAL) == (Decimal("1.50"), 1, 3)
    assert TeacherYearTally.objects.get(teacher=teacher).hours == Decimal("1.50")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_credits_of_the_same_evidence_write_one_entry():
    teacher = TeacherFactory(school=SchoolFactory(district=district("370102")))
    start = threading.Barrier(20)
    results, errors = [], []

    def credit_once():
        try:
            start.wait()
            results.append(credit(teacher, key="course:concurrent").created)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=credit_once) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [False] * 19 + [True]
    assert TrainingCredit.objects.filter(source_key="course:concurrent").count() == 1
    assert tally(CITY, TallyDimension.TOTAL) == (Decimal("2.50"), 1, 1)
    assert ledger_reconcile() == []


@pytest.mark.postgres
def test_the_dashboards_tallies_are_one_statement_text_for_every_credit(teacher):
    """The 14 tally rows of a credit travel as arrays, so the statement that
    adds them reads the same for every credit, with few enough parameters
    for psycopg to reuse its parsed form; the rows still land in their
    sorted order and add up."""
    from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH, MAX_CACHED_STATEMENT_PARAMS

    from lms.ledger.tallies import _tally_upsert

    other = TeacherFactory(school=SchoolFactory(district=district("370112")), subject="biology", stage="senior")
    first = credit(teacher, key="course:a").credit
    second = credit_record(teacher=other, category=CreditCategory.ONLINE_COURSE, hours="4", source_key="course:b",
                           occurred_on=DAY.replace(month=11)).credit
    (sql, params), (other_sql, other_params) = _tally_upsert(first), _tally_upsert(second)
    assert sql == other_sql and params != other_params
    assert len(params) < MAX_CACHED_STATEMENT_PARAMS and len(sql) < MAX_CACHED_STATEMENT_LENGTH

    tallies = {(row.district_key, row.dimension, row.key): row.hours for row in CreditTally.objects.all()}
    # 14 rows each; the city's total, category and urban rows are shared.
    assert len(tallies) == 25
    assert tallies[(CITY, TallyDimension.TOTAL, "")] == Decimal("6.50")
    assert tallies[(other.school.district_id, TallyDimension.SCHOOL, str(other.school_id))] == Decimal("4.00")
    assert tallies[(CITY, TallyDimension.MONTH, "11")] == Decimal("4.00")
    assert ledger_reconcile() == []
