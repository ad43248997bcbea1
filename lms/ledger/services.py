"""The training-hours ledger's public services, kept under their old name so
every caller's import stands. They live in:

- ``lms.ledger.writers``: ``credit_record``, ``credit_reverse``,
  ``credit_adjust`` (one credit a transaction, the only writers of single
  entries);
- ``lms.ledger.bulk``: ``credits_record_bulk`` (many credits at once, the
  same rows as ``credit_record`` one by one);
- ``lms.ledger.tallies``: which dashboard tallies an entry adds to;
- ``lms.ledger.reconciliation``: ``ledger_reconcile``;
- ``lms.ledger.validation``: the checks and messages they share.
"""

from lms.ledger.bulk import BulkCredit, BulkCreditResult, credits_record_bulk
from lms.ledger.reconciliation import TallyDifference, ledger_reconcile
from lms.ledger.tallies import tally_rows
from lms.ledger.validation import (
    ABSURD_HOURS,
    ADJUSTMENT_ZERO,
    ALREADY_REVERSED,
    BAD_PERSON_TIMES,
    BELOW_ZERO_HOURS,
    BELOW_ZERO_PERSON_TIMES,
    CANNOT_REVERSE_REVERSAL,
    EMPTY_SOURCE_KEY,
    FUTURE_DATE,
    HOURS_QUANTUM,
    MAX_HOURS_PER_CREDIT,
    NEGATIVE_HOURS,
    NO_SCHOOL,
    REASON_REQUIRED,
    TOO_EARLY_DATE,
    TOO_PRECISE_HOURS,
    UNKNOWN_CATEGORY,
)
from lms.ledger.writers import (
    LOG_ADJUSTMENT,
    LOG_CREDIT,
    LOG_REVERSAL,
    CreditResult,
    credit_adjust,
    credit_record,
    credit_reverse,
)

__all__ = [
    "ABSURD_HOURS", "ADJUSTMENT_ZERO", "ALREADY_REVERSED", "BAD_PERSON_TIMES", "BELOW_ZERO_HOURS",
    "BELOW_ZERO_PERSON_TIMES", "CANNOT_REVERSE_REVERSAL", "EMPTY_SOURCE_KEY", "FUTURE_DATE", "HOURS_QUANTUM",
    "MAX_HOURS_PER_CREDIT", "NEGATIVE_HOURS", "NO_SCHOOL", "REASON_REQUIRED", "TOO_EARLY_DATE", "TOO_PRECISE_HOURS",
    "UNKNOWN_CATEGORY", "LOG_ADJUSTMENT", "LOG_CREDIT", "LOG_REVERSAL", "BulkCredit", "BulkCreditResult",
    "CreditResult", "TallyDifference", "credit_adjust", "credit_record", "credit_reverse", "credits_record_bulk",
    "ledger_reconcile", "tally_rows",
]
