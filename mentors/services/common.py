"""What every research-along service shares: the clock, e-mails promised in
the transaction, and who counts as an academy admin."""

from django.utils import timezone

from lms.api import task_enqueue

from ..constants import PAIRING_CHANGE_PERMISSION


def _now():
    return timezone.now()


def _notify_after_commit(task, *args):
    """Promise an e-mail task in the transaction (the outbox), sent once it
    has committed. A broker that cannot take it is logged, not raised: the
    confirmation or proposal it reports on is already saved, and the sweep
    sends the e-mail when the broker is back."""
    task_enqueue(task, args)


def is_academy_admin(user) -> bool:
    """Academy admins hold the pairing permissions on the model itself;
    mentors and teachers hold them only on their own pairings."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(PAIRING_CHANGE_PERMISSION))
