"""A departed teacher is anonymised without moving any figure, and leaves no
trace of their name, staff number, phone or e-mail anywhere in the database."""

import datetime
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone

from certificates.models import Certificate
from certificates.selectors import certificate_get_by_serial_and_code
from certificates.tests.pdf import issued_pdf
from lms.constants import CreditCategory
from lms.dashboards.selectors import city_target_progress_list, dashboard_get
from lms.ledger.services import credit_record, ledger_reconcile
from lms.models import CreditTally, NominationAttachment, TeacherProfile, TeacherYearTally
from lms.privacy.services import pseudonym_for
from lms.privacy.tests.factories import EMAIL, PHONE, REAL_NAME, STAFF_NUMBER, academy_admin, full_teacher
from lms.tests.factories import TeacherFactory
from mentors.models import ActivityEvidence

pytestmark = pytest.mark.django_db

IDENTIFIERS = (REAL_NAME, STAFF_NUMBER, PHONE, EMAIL)
TEXT_FIELDS = (models.CharField, models.TextField)


def figures(admin):
    today = timezone.localdate()
    return {
        "dashboard": dashboard_get(user=admin, year=today.year, today=today),
        "targets": city_target_progress_list(today=today),
        "tallies": sorted(CreditTally.objects.values_list("year", "district_key", "dimension", "key", "hours",
                                                          "person_times", "entries")),
        "teacher_tallies": sorted(TeacherYearTally.objects.values_list("teacher", "year", "category", "hours",
                                                                       "person_times")),
        "reconcile": ledger_reconcile(),
        "teachers": TeacherProfile.objects.count(),
    }


def traces(needles):
    """Every (table.column, needle) where a needle still appears, in any text
    or JSON column of any model's table."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            where = f"{model._meta.db_table}.{field.column}"
            plain = models.QuerySet(model=model)
            if isinstance(field, models.JSONField):
                # Stored escaped (\\uXXXX) on some databases: compare decoded.
                for value in plain.exclude(**{f"{field.attname}__isnull": True}).values_list(field.attname, flat=True):
                    text = json.dumps(value, ensure_ascii=False)
                    found += [(where, needle) for needle in needles if needle in text]
            elif isinstance(field, TEXT_FIELDS):
                found += [(where, needle) for needle in needles
                          if plain.filter(**{f"{field.attname}__contains": needle}).exists()]
    return found


def test_anonymising_keeps_every_figure_and_leaves_no_trace():
    teacher = full_teacher()
    # Others in the figures too, one with the same surname.
    for other in (TeacherFactory(real_name="欧阳明"), TeacherFactory()):
        credit_record(teacher=other, category=CreditCategory.EXTERNAL, hours=Decimal("3"),
                      source_key=f"test:external:{other.pk}", occurred_on=timezone.localdate())
    certificate = Certificate.objects.get(holder=teacher)
    issued_pdf(certificate)  # drawn on commit, which a test's transaction never reaches
    certificate.refresh_from_db()
    files = [certificate.pdf, NominationAttachment.objects.get().file, ActivityEvidence.objects.get().file]
    assert all(file and file.storage.exists(file.name) for file in files)
    admin = academy_admin()
    before = figures(admin)
    assert before["reconcile"] == []
    assert {needle for _where, needle in traces(IDENTIFIERS)} == set(IDENTIFIERS)

    call_command("anonymise_teacher", STAFF_NUMBER, stdout=open("/dev/null", "w"))

    assert figures(admin) == before
    assert traces(IDENTIFIERS) == []
    teacher.refresh_from_db()
    teacher.user.refresh_from_db()
    assert teacher.staff_number == teacher.user.username == pseudonym_for(teacher)
    assert not teacher.user.is_active and not teacher.user.has_usable_password()
    assert not any(file.storage.exists(file.name) for file in files)
    # The other 欧阳 keeps their name.
    assert TeacherProfile.objects.filter(real_name="欧阳明").exists()
    # Still verifiable, under the masked name verification always showed.
    verified = certificate_get_by_serial_and_code(certificate.serial, certificate.check_code)
    assert verified.is_valid and verified.holder_name == "欧**岚" and verified.masked_holder_name == "欧**岚"


def test_anonymising_twice_or_an_unknown_staff_number_is_a_clear_error():
    teacher = TeacherFactory(staff_number="JN0001")
    call_command("anonymise_teacher", "JN0001", stdout=open("/dev/null", "w"))
    with pytest.raises(CommandError, match="已匿名化"):
        call_command("anonymise_teacher", pseudonym_for(teacher))
    with pytest.raises(CommandError, match="没有工号为 NOPE 的教师"):
        call_command("anonymise_teacher", "NOPE")


def test_import_files_past_retention_are_deleted_and_the_report_kept():
    from django.core.files.base import ContentFile

    from lms.constants import ImportKind, ImportStatus
    from lms.models import ImportBatch
    from lms.privacy.services import import_files_purge

    def batch(status, days_old):
        made = ImportBatch.objects.create(kind=ImportKind.TEACHERS, status=status, original_filename="名单.csv",
                                          file=ContentFile(b"x", name="r.csv"), row_count=5)
        ImportBatch.objects.filter(pk=made.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_old))
        return made

    old, recent, waiting = batch(ImportStatus.COMMITTED, 31), batch(ImportStatus.COMMITTED, 29), \
        batch(ImportStatus.VALIDATED, 90)
    stored = old.file.name
    assert import_files_purge() == 1
    old.refresh_from_db()
    assert not old.file and old.row_count == 5 and not old.file.storage.exists(stored)
    for kept in (recent, waiting):
        kept.refresh_from_db()
        assert kept.file.storage.exists(kept.file.name)
