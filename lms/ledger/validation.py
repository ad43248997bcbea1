"""What the ledger accepts: the messages it refuses bad input with, and the
checks every writer (one credit at a time or in bulk) runs before writing."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.constants import LEDGER_EARLIEST_DATE, CreditCategory

# No single training credits more than this; anything above is a typo.
MAX_HOURS_PER_CREDIT = Decimal("200")
HOURS_QUANTUM = Decimal("0.01")
# Read once: CreditCategory.values builds its list afresh on every access.
_CATEGORIES = frozenset(CreditCategory.values)

NEGATIVE_HOURS = _("Hours cannot be negative; to correct an entry, reverse it.")
ABSURD_HOURS = _("%(hours)s hours is more than one training can credit (at most %(max)s).")
TOO_PRECISE_HOURS = _("Hours are credited to the hundredth of an hour at most.")
NO_SCHOOL = _("%(teacher)s has no school, so the credit would count for no district. Set their school first.")
UNKNOWN_CATEGORY = _("Unknown training category: %(category)s.")
BAD_PERSON_TIMES = _("A credit counts 0 or 1 person-time.")
EMPTY_SOURCE_KEY = _("A credit needs the key of the evidence it comes from.")
ALREADY_REVERSED = _("This entry has already been reversed.")
CANNOT_REVERSE_REVERSAL = _("A reversal cannot itself be reversed; make an adjustment instead.")
REASON_REQUIRED = _("Give a reason: it is kept with the entry for auditors.")
ADJUSTMENT_ZERO = _("An adjustment must change the hours or the person-times.")
FUTURE_DATE = _("The training date cannot be in the future.")
TOO_EARLY_DATE = _("The training date cannot be before %(earliest)s.")
BELOW_ZERO_HOURS = _(
    "This would leave %(teacher)s with %(hours)s hours in %(year)s; a teacher's hours for a year cannot go below zero."
)
BELOW_ZERO_PERSON_TIMES = _(
    "This would leave %(teacher)s with %(person_times)s person-times in %(year)s; "
    "a teacher's person-times for a year cannot go below zero."
)

LOG_CREDIT = "lms.credit"
LOG_REVERSAL = "lms.credit_reverse"
LOG_ADJUSTMENT = "lms.credit_adjust"


def _as_hours(value):
    try:
        hours = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError(ABSURD_HOURS, params={"hours": value, "max": MAX_HOURS_PER_CREDIT}, code="hours")
    if not hours.is_finite():
        raise ValidationError(ABSURD_HOURS, params={"hours": value, "max": MAX_HOURS_PER_CREDIT}, code="hours")
    if hours != hours.quantize(HOURS_QUANTUM):
        raise ValidationError(TOO_PRECISE_HOURS, code="hours")
    if abs(hours) > MAX_HOURS_PER_CREDIT:
        raise ValidationError(ABSURD_HOURS, params={"hours": hours, "max": MAX_HOURS_PER_CREDIT}, code="hours")
    return hours.quantize(HOURS_QUANTUM)


def _decimal(value):
    # SQLite hands numbers back as floats.
    return Decimal(str(value)).quantize(HOURS_QUANTUM)


def _credit_checked(*, category: str, hours, person_times: int, source_key: str,
                    occurred_on: datetime.date | None, today: datetime.date | None = None):
    """Check one credit as ``credit_record`` does: (hours as a Decimal, the
    day it counts for). Raises ValidationError on bad input."""
    hours = _as_hours(hours)
    if category not in _CATEGORIES:
        raise ValidationError(UNKNOWN_CATEGORY, params={"category": category}, code="category")
    if hours < 0 and category != CreditCategory.ADJUSTMENT:
        raise ValidationError(NEGATIVE_HOURS, code="hours")
    if person_times not in (0, 1) and not (category == CreditCategory.ADJUSTMENT and person_times == -1):
        raise ValidationError(BAD_PERSON_TIMES, code="person_times")
    if not source_key:
        raise ValidationError(EMPTY_SOURCE_KEY, code="source_key")
    today = today or timezone.localdate()
    occurred_on = occurred_on or today
    if occurred_on > today:
        raise ValidationError(FUTURE_DATE, code="occurred_on")
    if occurred_on < LEDGER_EARLIEST_DATE:
        raise ValidationError(TOO_EARLY_DATE, params={"earliest": LEDGER_EARLIEST_DATE.isoformat()}, code="occurred_on")
    return hours, occurred_on


def _apply_cap(cap, hours, used):
    """(hours credited, hours over the cap) for ``hours`` when ``used`` hours
    of the category's yearly ``cap`` (None: no cap) are already credited."""
    if cap is None:
        return hours, Decimal("0")
    room = max(cap - used, Decimal("0"))
    credited = min(hours, room)
    return credited, hours - credited
