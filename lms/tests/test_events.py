"""lms.events: a completion is announced inside the transaction that records
it (what it does for certificates: certificates/tests/test_completion_events.py)."""

import pytest
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from lms.events import Completion, CompletionKind, completion_announce
from lms.tests.completions import completions_announced


def test_a_completion_is_announced_only_inside_a_transaction():
    """No database: outside any transaction the announcement is refused
    before a receiver could write anything."""
    completion = Completion(
        kind=CompletionKind.COURSE, teacher_pk=1, evidence=None, subject=None, title="课程",
        occurred_on=timezone.localdate(), source_key="course-completion:1",
    )
    with completions_announced() as announced, pytest.raises(TransactionManagementError):
        completion_announce(completion)
    assert announced == []


def test_the_payload_is_frozen():
    completion = Completion(
        kind=CompletionKind.COHORT, teacher_pk=1, evidence=None, subject=None, title="学科带头人",
        occurred_on=timezone.localdate(), source_key="cohort-certification:1",
    )
    with pytest.raises(AttributeError):
        completion.teacher_pk = 2
