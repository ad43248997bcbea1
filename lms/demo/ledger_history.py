"""The demo ledger's history: every teacher's entries from 2024 to today,
planned as data (caps, corrections and the demo teacher's fixed ledger
included), then written through the ledger's bulk writer.

The ledger covers 2024, 2025 and the current year, so its last year (and
only that) depends on the day the academy is seeded as well as on the seed.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from lms.constants import CreditCategory, Locality, Subject
from lms.demo.draw import pick, weighted_picker, weighted_sample
from lms.demo.ledger_catalogue import (
    ADJUSTMENTS,
    CATEGORY_HOURS,
    CATEGORY_WEIGHTS,
    CATEGORY_WEIGHTS_LEADING,
    COHORT_TRAININGS,
    CORRECTIONS_PER_YEAR_MAX,
    CORRECTIONS_SHARE,
    CREDITS_PER_YEAR,
    CREDITS_PER_YEAR_RURAL,
    DEMO_TEACHER_LEDGER,
    EXTERNAL_TRAININGS,
    GENERAL_COURSES,
    LEDGER_YEARS,
    MONTH_WEIGHTS,
    ONLINE_COURSES,
    PARTICIPATION,
    PARTICIPATION_LATER,
    QUIET_SCHOOL_SHARE,
    RESEARCH_ALONG_CAP,
    RESEARCH_ALONG_CAP_NOTE,
    RESEARCH_PROJECTS,
    REVERSAL_REASONS,
    RURAL_PARTICIPATION,
    STAGE_NAMES,
    SUBJECT_NAMES,
    WORKSHOP_TOPICS,
    CreditSpec,
)
from lms.ledger.bulk import BulkCredit, credits_record_bulk
from lms.models import CreditCap, TeacherProfile


def ledger_years(today):
    """The years the demo ledger covers: 2024, 2025 and the current year."""
    return tuple(year for year in sorted({*LEDGER_YEARS, today.year}) if year <= today.year)


def _days_in_month(year, month):
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (following - datetime.date(year, month, 1)).days


# Plain strings, not the enum members, in the plan's hot loops: comparing
# enum members costs several times more.
_ONLINE_COURSE = CreditCategory.ONLINE_COURSE.value
_OFFLINE_WORKSHOP = CreditCategory.OFFLINE_WORKSHOP.value
_RESEARCH_ALONG = CreditCategory.RESEARCH_ALONG.value
_EXTERNAL = CreditCategory.EXTERNAL.value
_ADJUSTMENT = CreditCategory.ADJUSTMENT.value
_ZERO = Decimal("0")


class _LedgerMaker:
    # Days between a training and its entry in the ledger.
    CREDIT_DELAYS = tuple(datetime.timedelta(days=days) for days in (0, 1, 1, 2, 3, 5, 7, 14))

    def __init__(self, rng, *, today):
        self.rng = rng
        self.today = today
        self.zone = timezone.get_current_timezone()
        self.category_pickers = {
            leading: weighted_picker([(category.value, weight) for category, weight in weights])
            for leading, weights in ((False, CATEGORY_WEIGHTS), (True, CATEGORY_WEIGHTS_LEADING))
        }
        self.hours_pickers = {
            category.value: weighted_picker([(Decimal(str(hours)), weight) for hours, weight in pairs])
            for category, pairs in CATEGORY_HOURS.items()
        }
        self.count_pickers = {
            False: weighted_picker(CREDITS_PER_YEAR), True: weighted_picker(CREDITS_PER_YEAR_RURAL)
        }
        self.day_pickers = {}
        first_day = datetime.date(today.year, 1, 1)
        days_in_year = (datetime.date(today.year + 1, 1, 1) - first_day).days
        # Teachers have had only part of the current year to train in.
        self.current_year_share = ((today - first_day).days + 1) / days_in_year

    def last_day(self, year):
        return self.today if year == self.today.year else datetime.date(year, 12, 31)

    def training_day(self, year):
        """A day in ``year``, never after today, busier months likelier."""
        if year not in self.day_pickers:
            month_weights = dict(MONTH_WEIGHTS)
            day, last, days = datetime.date(year, 1, 1), self.last_day(year), []
            while day <= last:
                days.append((day, month_weights[day.month] / _days_in_month(year, day.month)))
                day += datetime.timedelta(days=1)
            self.day_pickers[year] = weighted_picker(days)
        return self.day_pickers[year](self.rng)

    def credited_at(self, day, delay, at=None):
        """When an entry was written: office hours some days after the
        training, and never after the start of today."""
        credited_on = min(day + delay, self.today)
        if credited_on == self.today:
            at = datetime.time(0, 0)
        elif at is None:
            minute = 480 + int(self.rng.random() * 840)  # 08:00 to 21:59
            at = datetime.time(minute // 60, minute % 60)
        return datetime.datetime.combine(credited_on, at, tzinfo=self.zone)

    def label(self, category, teacher, project):
        rng = self.rng
        if category == _ONLINE_COURSE:
            if teacher.second_subject == Subject.SCIENCE and rng.random() < 0.5:
                pool = ONLINE_COURSES[Subject.SCIENCE]
            else:
                pool = ONLINE_COURSES[teacher.subject] if rng.random() < 0.7 else GENERAL_COURSES
            return pick(rng, pool)
        if category == _OFFLINE_WORKSHOP:
            topic = pick(rng, WORKSHOP_TOPICS)
            session = 1 + int(rng.random() * 6)
            return f"{STAGE_NAMES[teacher.stage]}{SUBJECT_NAMES[teacher.subject]}{topic}（第{session}期）"
        if category == _RESEARCH_ALONG:
            return f"科研跟学：{project}"
        if category == _EXTERNAL:
            return pick(rng, EXTERNAL_TRAININGS)
        return pick(rng, COHORT_TRAININGS)

    def teacher_credits(self, teacher, *, rural, years, quiet_school_codes):
        """One generated teacher's entries, numbered from 1 in date order.

        The hot loop of a large academy: categories are plain strings and
        lookups are hoisted out of the loops."""
        rng = self.rng
        pick_category = self.category_pickers[teacher.is_backbone_teacher or teacher.is_teaching_researcher]
        pick_count = self.count_pickers[rural]
        hours_pickers = self.hours_pickers
        delays = self.CREDIT_DELAYS
        staff_number = teacher.staff_number
        # A teacher works with one research group, whatever the year.
        project = pick(rng, RESEARCH_PROJECTS)
        credits = []
        for year in years:
            if year < teacher.teaching_since:
                continue
            current = year == self.today.year
            if current and teacher.school_code in quiet_school_codes:
                continue
            if rng.random() >= PARTICIPATION.get(year, PARTICIPATION_LATER) * (RURAL_PARTICIPATION if rural else 1):
                continue
            count = pick_count(rng)
            if current:
                count = max(1, round(count * self.current_year_share))
            trainings = []
            for _ in range(count):
                category = pick_category(rng)
                trainings.append((self.training_day(year), category, hours_pickers[category](rng),
                                  self.label(category, teacher, project)))
            trainings.sort(key=_first)
            research_used = None
            for day, category, requested, label in trainings:
                hours, capped, person_times = requested, _ZERO, 1
                if category == _RESEARCH_ALONG:
                    if research_used is None:
                        research_used = _ZERO
                    else:
                        # A year of research-along sessions is one training.
                        person_times = 0
                    hours, capped = _capped(category, requested, research_used)
                    research_used += hours
                credits.append(CreditSpec(
                    staff_number, len(credits) + 1, category, day, self.credited_at(day, pick(rng, delays)),
                    requested, hours, capped, person_times, label,
                ))
        return credits


def _first(item):
    return item[0]


def _capped(category, hours, used):
    """(hours credited, hours capped) as ``credit_record`` would split them,
    ``used`` being the hours already credited in the category that year."""
    if category != _RESEARCH_ALONG or hours <= 0:
        return hours, _ZERO
    credited = min(hours, max(RESEARCH_ALONG_CAP - used, _ZERO))
    return credited, hours - credited


def _demo_teacher_credits(maker, teacher, *, years):
    credits, reversals = [], []
    for year, entries in zip(years, DEMO_TEACHER_LEDGER):
        used = _ZERO
        for month, day, category, hours, label, extras in entries:
            occurred_on = min(datetime.date(year, month, day), maker.last_day(year))
            requested = Decimal(hours)
            credited, capped = _capped(category.value, requested, used)
            if category == CreditCategory.RESEARCH_ALONG:
                used += credited
            person_times = extras.get("person_times", 0 if capped else 1)
            credit = CreditSpec(
                staff_number=teacher.staff_number, number=len(credits) + 1, category=category.value,
                occurred_on=occurred_on,
                credited_at=maker.credited_at(occurred_on, datetime.timedelta(days=2), at=datetime.time(10, 0)),
                requested_hours=requested, hours=credited,
                capped_hours=capped, person_times=person_times, evidence_label=label,
                reason=extras.get("reason", ""),
            )
            credits.append(credit)
            if extras.get("reversed_because"):
                reversals.append((credit, extras["reversed_because"]))
    for original, reason in reversals:
        credits.append(_reversal(maker, original, number=len(credits) + 1, reason=reason, delay_days=21,
                                 at=datetime.time(15, 30)))
    return credits


def _reversal(maker, original, *, number, reason, delay_days, at=None):
    """The entry ``credit_reverse`` writes: the original's opposite, for the
    original's day."""
    delay = datetime.timedelta(days=delay_days)
    credited_at = max(maker.credited_at(original.credited_at.date(), delay, at=at), original.credited_at)
    return CreditSpec(
        staff_number=original.staff_number, number=number, category=original.category,
        occurred_on=original.occurred_on, credited_at=credited_at, requested_hours=-original.hours,
        hours=-original.hours, capped_hours=_ZERO, person_times=-original.person_times,
        evidence_label=original.evidence_label, reason=reason, reverses=original.number,
    )


def ledger_plan(rng, *, schools, teachers, today):
    """Every teacher's ledger entries, and the schools left without any
    credit this year."""
    maker = _LedgerMaker(rng, today=today)
    years = ledger_years(today)
    demo, generated = teachers[0], teachers[1:]
    candidates = [school for school in schools if school.code != demo.school_code]
    quiet = tuple(sorted(weighted_sample(
        rng, [school.code for school in candidates],
        [3.0 if school.locality == Locality.RURAL else 1.0 for school in candidates],
        round(len(schools) * QUIET_SCHOOL_SHARE),
    )))
    quiet_codes = frozenset(quiet)
    schools_by_code = {school.code: school for school in schools}

    credits = _demo_teacher_credits(maker, demo, years=years)
    by_teacher = []
    for teacher in generated:
        rural = schools_by_code[teacher.school_code].locality == Locality.RURAL
        entries = maker.teacher_credits(teacher, rural=rural, years=years, quiet_school_codes=quiet_codes)
        if entries:
            by_teacher.append(entries)
            credits.extend(entries)

    return credits + _corrections(rng, maker, credits, by_teacher, demo=demo, generated=generated, years=years), quiet


def _corrections(rng, maker, credits, by_teacher, *, demo, generated, years):
    """HR's corrections: a few adjustments and reversals a year, for teachers
    who trained that year; the adjustments first, then the reversals."""
    corrections = min(CORRECTIONS_PER_YEAR_MAX, round(len(generated) * CORRECTIONS_SHARE))
    next_number = {entries[0].staff_number: len(entries) + 1 for entries in by_teacher}
    adjustments, reversals = [], []
    for year in years:
        if not corrections:
            break
        in_year = [credit for credit in credits
                   if credit.occurred_on.year == year and credit.staff_number != demo.staff_number]
        # Reversing research-along would free room under its cap, which
        # the entries after it would then have to take up.
        reversible = [credit for credit in in_year if credit.category != _RESEARCH_ALONG]
        for original in rng.sample(reversible, min(corrections, len(reversible))):
            number = next_number[original.staff_number]
            next_number[original.staff_number] += 1
            reversals.append(_reversal(maker, original, number=number, reason=rng.choice(REVERSAL_REASONS),
                                       delay_days=rng.randint(3, 40)))
        remaining = _hours_left(in_year, reversals)
        trained = sorted(remaining)
        for staff_number in rng.sample(trained, min(corrections, len(trained))):
            reason, hours, person_times = rng.choice(ADJUSTMENTS)
            day = maker.training_day(year)
            if remaining[staff_number] + hours < 0:
                # HR would not cut more than the reversals left the teacher
                # that year: the ledger refuses a year below zero.
                continue
            number = next_number[staff_number]
            next_number[staff_number] += 1
            adjustments.append(CreditSpec(
                staff_number=staff_number, number=number, category=_ADJUSTMENT, occurred_on=day,
                credited_at=maker.credited_at(day, datetime.timedelta(days=rng.randint(5, 30))),
                requested_hours=hours, hours=hours,
                capped_hours=_ZERO, person_times=person_times, reason=reason,
            ))
    return adjustments + reversals


def _hours_left(in_year, reversals):
    """Each teacher's hours of the year once the planned reversals of that
    year's entries are made."""
    reversed_numbers = {(reversal.staff_number, reversal.reverses) for reversal in reversals}
    left = {}
    for credit in in_year:
        if (credit.staff_number, credit.number) not in reversed_numbers:
            left[credit.staff_number] = left.get(credit.staff_number, _ZERO) + credit.hours
        else:
            left.setdefault(credit.staff_number, _ZERO)
    return left


def ledger_write(*, plan):
    """Write the plan's ledger entries through the ledger's bulk writer: the
    rows ``credit_record`` and ``credit_reverse`` would write one by one
    (each teacher's district, school, locality, subject and stage copied,
    the research-along cap applied, the tallies added up), in a fixed number
    of statements. The plan's history has no audit-log lines: nobody
    credited it."""
    CreditCap.objects.get_or_create(
        category=CreditCategory.RESEARCH_ALONG,
        defaults={"yearly_hours": RESEARCH_ALONG_CAP, "note": RESEARCH_ALONG_CAP_NOTE},
    )
    if not plan.credits:
        return
    teacher_ids = dict(TeacherProfile.objects.values_list("staff_number", "pk"))
    credits = [_bulk_credit(credit, teacher_ids[credit.staff_number]) for credit in plan.credits
               if credit.reverses is None]
    # Reversals after the entries they reverse, as HR reverses them.
    credits += [_bulk_credit(credit, teacher_ids[credit.staff_number]) for credit in plan.credits
                if credit.reverses is not None]
    credits_record_bulk(credits, audit=False)


def _bulk_credit(credit, teacher_id):
    if credit.reverses is not None:
        return BulkCredit(teacher_id, reason=credit.reason, credited_at=credit.credited_at,
                          reverses_key=f"demo:{credit.staff_number}:{credit.reverses}")
    return BulkCredit(
        teacher_id, credit.category, credit.requested_hours, credit.source_key, credit.person_times,
        credit.occurred_on, evidence_label=credit.evidence_label, reason=credit.reason,
        credited_via="adjustment" if credit.category == _ADJUSTMENT else "seed_demo",
        credited_at=credit.credited_at,
    )
