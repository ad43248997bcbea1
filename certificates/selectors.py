"""Reads of certificates, each scoped to who may see them."""

import re

from .constants import TOKEN_PATTERN, BatchItemStatus
from .models import Certificate

TOKEN_RE = re.compile(TOKEN_PATTERN)
SERIAL_RE = re.compile(r"^[A-Z0-9]{1,12}-\d{4}-\d{6}$")
CHECK_CODE_RE = re.compile(r"^[A-Z0-9]{6}$")

# What the public page and the Open Badges assertion show, in one query.
_PUBLIC = Certificate.objects.select_related("superseded_by", "template")


def certificate_get_by_token(token):
    """The certificate with this verification token, or None (malformed
    tokens never reach the database)."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    return _PUBLIC.filter(token=token).first()


def certificate_get_by_serial_and_code(serial, check_code):
    """Both must match: a serial alone reveals nothing."""
    serial = (serial or "").strip().upper()
    check_code = (check_code or "").strip().upper().replace(" ", "")
    if not SERIAL_RE.match(serial) or not CHECK_CODE_RE.match(check_code):
        return None
    return _PUBLIC.filter(serial=serial, check_code=check_code).first()


def certificate_list_for_holder(user):
    """The signed-in user's own certificates, newest first; none for anyone
    who is not a teacher."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    return Certificate.objects.filter(holder__user=user).select_related("superseded_by").order_by("-issued_at", "-pk")


def certificate_get_for_holder(user, pk):
    return certificate_list_for_holder(user).filter(pk=pk).first()


def certificate_list_for_admin(user):
    """Every certificate for HR and academy admins; none for anyone else."""
    if not user.is_authenticated or not user.has_perm("certificates.view_certificate"):
        return Certificate.objects.none()
    return Certificate.objects.select_related("holder", "superseded_by", "template")


def issue_batch_progress(batch):
    """Done, failed and total of a batch, in one query."""
    from django.db.models import Count, Q

    counts = batch.items.aggregate(
        done=Count("pk", filter=Q(status=BatchItemStatus.DONE)),
        failed=Count("pk", filter=Q(status=BatchItemStatus.FAILED)),
        total=Count("pk"),
    )
    return {**counts, "status": batch.status}
