"""The bulk writer writes exactly what credit_record and credit_reverse write
one by one: the same entries, the same tallies, the same audit-log lines,
and the same refusals. Runs on SQLite and, with DATABASE_URL set, PostgreSQL."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from wagtail.models import ModelLogEntry

from lms.constants import CreditCategory
from lms.ledger.bulk import BulkCredit, credits_record_bulk
from lms.ledger.services import (
    ALREADY_REVERSED,
    BELOW_ZERO_HOURS,
    NEGATIVE_HOURS,
    NO_SCHOOL,
    credit_record,
    credit_reverse,
    ledger_reconcile,
)
from lms.models import CreditCap, CreditTally, District, TeacherYearTally, TrainingCredit
from lms.tests.factories import SchoolFactory, TeacherFactory, UserFactory, district

pytestmark = pytest.mark.django_db
MARCH = datetime.date(2025, 3, 14)
ENTRY_COLUMNS = (
    "teacher_id", "category", "year", "occurred_on", "hours", "requested_hours", "capped_hours", "person_times",
    "source_key", "evidence_type_id", "evidence_id", "evidence_label", "reason", "credited_by_id", "credited_via",
    "district_id", "school_id", "locality", "subject", "stage", "reverses__source_key",
)


@pytest.fixture
def academy():
    CreditCap.objects.create(category=CreditCategory.RESEARCH_ALONG, yearly_hours=Decimal("40"))
    rural = SchoolFactory(district=District.objects.exclude(code="370102").order_by("code").first(), locality="rural")
    return {
        "physics": TeacherFactory(school=SchoolFactory(district=district("370102")), subject="physics",
                                  stage="junior"),
        "science": TeacherFactory(school=rural, subject="science", stage="primary"),
        "hr": UserFactory(username="hr-bulk"),
        "evidence_school": rural,
    }


def evidence(academy):
    """Every kind of credit: categories, a cap reached and passed, 0
    person-times, an adjustment that takes away, evidence objects, users,
    two years, and reversals of entries of the batch and of the ledger."""
    physics, science, hr = academy["physics"], academy["science"], academy["hr"]
    online, research = CreditCategory.ONLINE_COURSE, CreditCategory.RESEARCH_ALONG
    return [
        dict(teacher=physics, category=online, hours="2.5", source_key="course:1", occurred_on=MARCH,
             evidence=academy["evidence_school"], evidence_label="物理实验教学"),
        dict(teacher=physics, category=research, hours="24", source_key="activity:1",
             occurred_on=datetime.date(2025, 4, 2), credited_by=hr, credited_via="research-along"),
        dict(teacher=physics, category=research, hours="20", source_key="activity:2", person_times=0,
             occurred_on=datetime.date(2025, 9, 27), credited_by=hr, credited_via="research-along"),
        dict(teacher=physics, category=research, hours="3", source_key="activity:3", person_times=0,
             occurred_on=datetime.date(2025, 10, 1)),
        dict(teacher=science, category=CreditCategory.OFFLINE_WORKSHOP, hours="6", source_key="course:2",
             occurred_on=datetime.date(2024, 7, 12), evidence_label="小学科学工作坊"),
        dict(teacher=science, category=CreditCategory.EXTERNAL, hours="10", source_key="external:1",
             occurred_on=datetime.date(2024, 8, 20)),
        dict(teacher=science, category=CreditCategory.ADJUSTMENT, hours="-2", source_key="adjustment:1",
             person_times=0, occurred_on=datetime.date(2024, 9, 1), reason="核减：中途离场", credited_by=hr,
             credited_via="adjustment"),
        dict(teacher=science, category=CreditCategory.ADJUSTMENT, hours="1.5", source_key="adjustment:2",
             person_times=-1, occurred_on=datetime.date(2024, 9, 3), reason="更正", credited_via="adjustment"),
        {"reverses": "course:2", "reason": "重复录入", "reversed_by": hr},
        {"reverses": "ledger:before", "reason": "误录入", "reversed_by": hr},
        dict(teacher=physics, category=online, hours="4", source_key="course:3", occurred_on=MARCH),
    ]


def already_in_the_ledger(academy):
    """What both ways start from: entries credited before, one to reverse,
    and research-along hours the cap counts."""
    credit_record(teacher=academy["physics"], category=CreditCategory.RESEARCH_ALONG, hours="10",
                  source_key="ledger:research", occurred_on=datetime.date(2025, 1, 10))
    credit_record(teacher=academy["science"], category=CreditCategory.ONLINE_COURSE, hours="3",
                  source_key="ledger:before", occurred_on=datetime.date(2025, 2, 1))


def one_by_one(credits):
    for credit in credits:
        if "reverses" in credit:
            original = TrainingCredit.objects.get(source_key=credit["reverses"])
            credit_reverse(credit=original, reason=credit["reason"], reversed_by=credit["reversed_by"])
        else:
            credit_record(**credit)


def as_bulk(credits):
    bulk = []
    for credit in credits:
        if "reverses" in credit:
            bulk.append(BulkCredit(0, reason=credit["reason"], credited_by_id=credit["reversed_by"].pk,
                                   reverses_key=credit["reverses"]))
            continue
        credit = dict(credit)
        teacher, credited_by = credit.pop("teacher"), credit.pop("credited_by", None)
        bulk.append(BulkCredit(teacher.pk, credited_by_id=getattr(credited_by, "pk", None), **credit))
    return bulk


def ledger_state():
    """Every row the two ways write, with what differs by nature (ids,
    timestamps) left out and a reversal named by the entry it reverses."""
    entries = []
    for row in TrainingCredit.objects.values(*ENTRY_COLUMNS, "pk"):
        pk = row.pop("pk")
        if row["reverses__source_key"]:
            row["source_key"] = f"reversal of {row['reverses__source_key']}"
            row["evidence_id"] = row["reverses__source_key"]
        entries.append((row.pop("source_key"), pk, row))
    keys = {pk: key for key, pk, _row in entries}

    def logged(data):
        if data["source_key"].startswith("reversal:"):
            data = {**data, "source_key": f"reversal of {keys[int(data['source_key'].split(':')[1])]}"}
        return sorted(data.items())

    logs = sorted(
        (keys[int(line.object_id)], line.action, line.label, line.user_id, logged(line.data))
        for line in ModelLogEntry.objects.filter(content_type__model="trainingcredit")
    )
    return {
        "entries": sorted((key, row) for key, _pk, row in entries),
        "tallies": sorted(CreditTally.objects.values_list("year", "district_key", "dimension", "key", "hours",
                                                          "person_times", "entries")),
        "teacher_tallies": sorted(TeacherYearTally.objects.values_list("teacher_id", "year", "category", "hours",
                                                                       "person_times")),
        "log": logs,
    }


def state_after(write, credits):
    """The ledger after ``write``, rolled back so the other way starts from
    the same database."""
    with transaction.atomic():
        write(credits)
        state = ledger_state()
        transaction.set_rollback(True)
    return state


def test_the_bulk_writer_writes_exactly_what_credit_record_writes(academy):
    already_in_the_ledger(academy)
    credits = evidence(academy)

    expected = state_after(one_by_one, credits)
    written = state_after(lambda batch: credits_record_bulk(as_bulk(batch)), credits)

    assert written["entries"] == expected["entries"]
    assert written["tallies"] == expected["tallies"]
    assert written["teacher_tallies"] == expected["teacher_tallies"]
    assert written["log"] == expected["log"]
    # The cap counted the ledger's 10 hours: 24 + 20 + 3 asked, 30 credited.
    research = [row for key, row in written["entries"] if key.startswith("activity:")]
    assert [row["hours"] for row in research] == [Decimal("24.00"), Decimal("6.00"), Decimal("0.00")]


def test_the_ledger_reconciles_after_a_bulk_write(academy):
    already_in_the_ledger(academy)
    result = credits_record_bulk(as_bulk(evidence(academy)))

    assert result.created == 11
    assert ledger_reconcile() == []


def test_the_bulk_writer_skips_evidence_already_credited_as_credit_record_does(academy):
    already_in_the_ledger(academy)
    credits = [credit for credit in evidence(academy) if "reverses" not in credit]
    credits_record_bulk(as_bulk(credits))
    before = ledger_state()

    again = credits_record_bulk(as_bulk(credits), with_ids=True)
    twice_in_a_batch = credits_record_bulk(as_bulk([*credits[:1], {**credits[0], "hours": "9"}]))

    assert again.created == 0 and again.skipped == tuple(credit["source_key"] for credit in credits)
    assert again.ids == dict(TrainingCredit.objects.filter(
        source_key__in=again.skipped).values_list("source_key", "pk"))
    assert twice_in_a_batch.created == 0 and twice_in_a_batch.skipped == ("course:1", "course:1")
    assert ledger_state() == before
    # credit_record's contract, for comparison.
    assert not credit_record(**{**credits[0], "hours": "9"}).created
    assert ledger_state() == before


def test_the_first_of_two_credits_of_the_same_evidence_in_a_batch_counts(academy):
    physics = academy["physics"]
    result = credits_record_bulk([
        BulkCredit(physics.pk, CreditCategory.ONLINE_COURSE, "2", "course:9", occurred_on=MARCH),
        BulkCredit(physics.pk, CreditCategory.ONLINE_COURSE, "7", "course:9", occurred_on=MARCH),
    ])

    assert (result.created, result.skipped) == (1, ("course:9",))
    assert TrainingCredit.objects.get(source_key="course:9").hours == Decimal("2.00")
    assert ledger_reconcile() == []


@pytest.mark.parametrize(
    "credit, message",
    [
        (dict(category=CreditCategory.ONLINE_COURSE, hours="-1", source_key="x:1"), NEGATIVE_HOURS),
        (dict(category=CreditCategory.ADJUSTMENT, hours="-5", source_key="x:2", person_times=0, reason="核减"),
         BELOW_ZERO_HOURS),
    ],
)
def test_the_bulk_writer_refuses_what_credit_record_refuses_and_writes_nothing(academy, credit, message):
    physics = academy["physics"]
    good = BulkCredit(physics.pk, CreditCategory.ONLINE_COURSE, "2", "x:0", occurred_on=MARCH)

    with pytest.raises(ValidationError) as refused_one_by_one:
        credit_record(teacher=physics, occurred_on=MARCH, **credit)
    with pytest.raises(ValidationError) as refused_in_bulk:
        credits_record_bulk([BulkCredit(physics.pk, occurred_on=MARCH, **credit), good])

    assert refused_in_bulk.value.messages == refused_one_by_one.value.messages
    assert refused_in_bulk.value.message == message
    assert not TrainingCredit.objects.exists() and not CreditTally.objects.exists()


def test_the_bulk_writer_refuses_a_teacher_without_a_school_and_a_second_reversal(academy):
    nobody = TeacherFactory(school=None)
    with pytest.raises(ValidationError) as refused:
        credits_record_bulk([BulkCredit(nobody.pk, CreditCategory.ONLINE_COURSE, "2", "x:1", occurred_on=MARCH)])
    assert refused.value.message == NO_SCHOOL

    already_in_the_ledger(academy)
    reversal = BulkCredit(0, reason="重复", reverses_key="ledger:before")
    with pytest.raises(ValidationError) as twice:
        credits_record_bulk([reversal, reversal])
    assert twice.value.message == ALREADY_REVERSED
    credits_record_bulk([reversal])
    with pytest.raises(ValidationError) as again:
        credits_record_bulk([reversal])
    assert again.value.message == ALREADY_REVERSED
