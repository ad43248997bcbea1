"""One event for every completion in the academy: "completion recorded".

Courses (a completed enrolment), mentors (a completed research-along
pairing) and cohorts (a certified member) each record a completion in a
transaction of their own. Once it is recorded, and still inside that
transaction, they call ``completion_announce`` with a ``Completion``. The
receivers of ``completion_recorded`` run there and then, in the same
transaction: whatever they write (the certificates app writes an outbox
promise, ``lms.outbox.task_enqueue``) commits or rolls back with the
completion, and the promised task reaches the broker only once it has
committed. A receiver's error rolls the completion back, as any error in
the completing transaction does; ``CompletionRefused`` is the one a receiver
raises on purpose, with a message for the person completing.

Who announces knows nothing of who listens: a site without the
certificates app completes exactly as before, and nothing is issued.
See docs/decisions/0095-one-completion-event.md.
"""

import datetime
import enum
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.transaction import TransactionManagementError
from django.dispatch import Signal

# Sent by ``completion_announce`` with ``sender`` the evidence's model class
# and ``completion`` a ``Completion``.
completion_recorded = Signal()

# The code of the refusal the certificates app raises when a completion
# needs its certificate (``certificate_required``) and HR has not marked a
# default template for the kind.
REFUSED_NO_CERTIFICATE_TEMPLATE = "no_certificate_template"


class CompletionKind(enum.StrEnum):
    COURSE = "course"
    RESEARCH_ALONG = "research_along"
    COHORT = "cohort"


@dataclass(frozen=True)
class Completion:
    """What was completed, by whom, when, and what it is worth.

    ``evidence`` is the row that records the completion (an enrolment, a
    pairing, a cohort membership); ``subject`` is what was completed (the
    course, the pairing, the cohort), the thing a certificate certifies.
    ``source_key`` names the completion uniquely (the ledger's key when the
    completion is credited). ``earns_certificate`` is false for a course
    that issues none; ``certificate_required`` says the completion must not
    stand without its certificate (a cohort qualification)."""

    kind: CompletionKind
    teacher_pk: int
    evidence: models.Model
    subject: models.Model
    title: str
    occurred_on: datetime.date
    source_key: str
    hours: Decimal | None = None
    started_on: datetime.date | None = None
    earns_certificate: bool = True
    certificate_required: bool = False


class CompletionRefused(ValidationError):
    """A receiver cannot let the completion stand; the announcing service's
    transaction rolls back and the message is for the person completing."""


def completion_announce(completion: Completion, *, using=None) -> None:
    """Tell the receivers of ``completion_recorded``, inside the transaction
    that records ``completion`` (refused outside one: what receivers write
    must commit or roll back with it). May raise ``CompletionRefused``."""
    if not transaction.get_connection(using).in_atomic_block:
        raise TransactionManagementError("A completion is announced inside the transaction that records it.")
    completion_recorded.send(sender=type(completion.evidence), completion=completion)
