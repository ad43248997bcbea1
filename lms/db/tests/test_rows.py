"""Instances read from hand-written rows match what the ORM reads."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from lms.constants import CreditCategory
from lms.db.rows import RowShape, fields_update, read_row
from lms.ledger.services import credit_record
from lms.models import School, TeacherProfile, TrainingCredit
from lms.tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db

TEACHER_AND_SCHOOL = """
SELECT {columns} FROM lms_teacherprofile t LEFT JOIN lms_school s ON s.id = t.school_id WHERE t.id = %s
"""


def fetch(sql, shapes, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql.format(columns=", ".join(shape.columns(connection) for shape in shapes)), params)
        return read_row(cursor.fetchone(), shapes, connection)


def field_values(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_every_field_converts_as_the_orm_converts_it():
    teacher = TeacherFactory(teaching_since=2009, is_backbone_teacher=True)
    entry = credit_record(teacher=teacher, category=CreditCategory.ONLINE_COURSE, hours=Decimal("2.50"),
                          source_key="rows:1", occurred_on=datetime.date(2026, 3, 1)).credit
    shape = RowShape(TrainingCredit, "c")
    (read,) = fetch("SELECT {columns} FROM lms_trainingcredit c WHERE c.id = %s", [shape], entry.pk)

    assert field_values(read) == field_values(TrainingCredit.objects.get(pk=entry.pk))
    # The types the rest of the code relies on, on SQLite as on PostgreSQL.
    assert read.hours == Decimal("2.50") and isinstance(read.hours, Decimal)
    assert read.occurred_on == datetime.date(2026, 3, 1)
    assert timezone.is_aware(read.created_at)
    assert read._state.adding is False and read._state.db == connection.alias

    shapes = (RowShape(TeacherProfile, "t"), RowShape(School, "s"))
    read_teacher, read_school = fetch(TEACHER_AND_SCHOOL, shapes, teacher.pk)
    assert field_values(read_teacher) == field_values(TeacherProfile.objects.get(pk=teacher.pk))
    assert read_teacher.is_backbone_teacher is True and read_teacher.is_lab_manager is False
    assert field_values(read_school) == field_values(School.objects.get(pk=teacher.school_id))


def test_an_outer_join_that_found_nothing_reads_as_none():
    teacher = TeacherFactory(school=None)
    read_teacher, read_school = fetch(TEACHER_AND_SCHOOL, (RowShape(TeacherProfile, "t"), RowShape(School, "s")),
                                      teacher.pk)
    assert read_teacher.pk == teacher.pk and read_teacher.school_id is None
    assert read_school is None


def test_fields_left_out_are_deferred_and_load_when_touched(django_assert_num_queries):
    teacher = TeacherFactory(real_name="李明", phone="13912345678")
    shape = RowShape(TeacherProfile, "t", fields=["id", "real_name"])
    (read,) = fetch("SELECT {columns} FROM lms_teacherprofile t WHERE t.id = %s", [shape], teacher.pk)

    assert read.get_deferred_fields() >= {"phone", "staff_number", "school_id"}
    with django_assert_num_queries(0):
        assert read.real_name == "李明"
    with django_assert_num_queries(1):
        assert read.phone == "13912345678"  # loaded, never a default value


def test_a_field_that_is_not_there_is_refused_at_once():
    with pytest.raises(ValueError, match="nickname"):
        RowShape(TeacherProfile, "t", fields=["id", "nickname"])


def test_an_update_writes_the_named_fields_only(django_assert_num_queries):
    teacher = TeacherFactory(real_name="王芳", phone="13900000000", teaching_since=2001)
    stale = TeacherProfile.objects.get(pk=teacher.pk)
    TeacherProfile.objects.filter(pk=teacher.pk).update(phone="13911112222")
    stale.real_name, stale.teaching_since, stale.phone = "王芳芳", None, "13000000000"
    with django_assert_num_queries(1):
        fields_update(stale, ["real_name", "teaching_since"], connection)
    stored = TeacherProfile.objects.get(pk=teacher.pk)
    assert (stored.real_name, stored.teaching_since, stored.phone) == ("王芳芳", None, "13911112222")
