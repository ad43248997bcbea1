"""Reads for the public face's admin screens."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import DateTimeField, ExpressionWrapper, F, QuerySet, Value
from django.utils import timezone


def signin_lockout_list() -> QuerySet[AccessAttempt]:
    """Username and address pairs locked out of signing in now (django-axes'
    failure records), most recent first, each with when the lock lifts
    unless they try again."""
    cooloff = settings.AXES_COOLOFF_TIME
    return (
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=timezone.now() - cooloff
        )
        .annotate(locked_until=ExpressionWrapper(F("attempt_time") + Value(cooloff), output_field=DateTimeField()))
        .order_by("-attempt_time")
    )
