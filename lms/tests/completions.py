"""Listening to "completion recorded" (lms.events) in tests."""

import contextlib

from lms.events import completion_recorded


@contextlib.contextmanager
def completions_announced():
    """The completions announced while the block runs, in order; each must
    be announced inside a transaction."""
    from django.db import transaction

    announced = []

    def record(sender, *, completion, **kwargs):
        assert transaction.get_connection().in_atomic_block
        announced.append(completion)

    completion_recorded.connect(record, dispatch_uid="tests.completions_announced")
    try:
        yield announced
    finally:
        completion_recorded.disconnect(dispatch_uid="tests.completions_announced")


@contextlib.contextmanager
def nobody_listening():
    """As on a site without the certificates app: no receiver at all."""
    receivers = completion_recorded.receivers
    completion_recorded.receivers = []
    completion_recorded.sender_receivers_cache.clear()
    try:
        yield
    finally:
        completion_recorded.receivers = receivers
        completion_recorded.sender_receivers_cache.clear()
