import datetime

import factory
from django.contrib.auth import get_user_model

from lms.constants import Locality, Stage, Subject
from lms.models import District, School, TeacherProfile
from lms.people.services import user_role_add


def district(code="370102"):
    """Districts are reference data created by a migration."""
    return District.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.cn")
    password = factory.django.Password("pw-for-tests-1")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    code = factory.Sequence(lambda n: f"S{n:05d}")
    name = factory.Sequence(lambda n: f"济南市第{n}实验学校")
    district = factory.LazyFunction(lambda: district("370102"))
    has_primary = True
    locality = Locality.URBAN


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeacherProfile

    user = factory.SubFactory(UserFactory)
    real_name = factory.Iterator(["张伟", "王芳", "李娜", "刘洋", "陈静"])
    staff_number = factory.Sequence(lambda n: f"T{n:07d}")
    school = factory.SubFactory(SchoolFactory)
    subject = Subject.SCIENCE
    stage = Stage.PRIMARY


def user_with_role(role, **kwargs):
    """A user in the group of ``role`` (see lms.people.roles for what it may do)."""
    user = UserFactory(**kwargs)
    user_role_add(user=user, role=role)
    return user


# --- Talent cohorts -------------------------------------------------------------


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "lms.Cohort"

    kind = "subject_leader"
    name = factory.Sequence(lambda n: f"济南市学科带头人培养对象（第{n}批）")
    intake_year = 2026
    capacity = 100
    period_start = factory.LazyFunction(lambda: datetime.date(2026, 1, 1))
    period_end = factory.LazyFunction(lambda: datetime.date(2026, 12, 31))


class CohortHoursRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "lms.CohortHoursRequirement"

    cohort = factory.SubFactory(CohortFactory)
    category = ""
    hours = 40


class CohortAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "lms.CohortAssessment"

    cohort = factory.SubFactory(CohortFactory)
    name = "专业能力考核"
    max_score = 100
    pass_mark = 60


class CohortMembershipFactory(factory.django.DjangoModelFactory):
    """A membership written directly, in any status, for tests that need
    many; services are tested through ``lms.cohorts.services``."""

    class Meta:
        model = "lms.CohortMembership"

    cohort = factory.SubFactory(CohortFactory)
    teacher = factory.SubFactory(TeacherFactory)
    status = "nominated"
    statement = "教学业绩突出，长期承担区级公开课。"
