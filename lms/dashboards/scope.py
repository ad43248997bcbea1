"""Who sees the whole city, and the ledger entries a user may drill into."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from lms.constants import DISTRICT_MANAGE_PERMISSION
from lms.ledger.models import TrainingCredit
from lms.people.selectors import district_list_for_user


def user_is_city_wide(user: AbstractBaseUser | AnonymousUser) -> bool:
    """City-wide staff hold the district-manage permission globally (the same
    test ``lms.people.selectors.teacher_list_for_user`` makes); a district admin
    holds it only on their district."""
    return user.is_authenticated and user.is_active and user.has_perm(DISTRICT_MANAGE_PERMISSION)


def credit_list_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[TrainingCredit]:
    """Ledger entries whose district is in the user's scope, for the
    drill-down listing and its exports."""
    return TrainingCredit.objects.filter(district__in=district_list_for_user(user)).select_related(
        "teacher", "district", "school"
    )
