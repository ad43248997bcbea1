"""Steps and checks of the fault drill (bench/faults/drill.sh runs them).

Run through Django's shell so the settings of the environment apply:

    DRILL_STEP=check python manage.py shell -c \
        "import runpy; runpy.run_path('bench/faults/drill.py', run_name='drill')"

The steps only touch rows they create (teachers with staff numbers
``DRILL…``, a template named ``drill``); ``check`` looks at the whole
database, as an operator would after a real incident.
"""

import datetime
import os
import sys

from django.db import connection
from django.db.models import Count
from django.utils import timezone

PREFIX = "DRILL"


def setup(teachers=None):
    """Teachers (staff numbers DRILL…) with a training each, and a template
    named "drill". Uses the test factories (the ``test`` extra)."""
    from certificates.constants import CertificateKind
    from certificates.models import CertificateTemplate
    from certificates.tests.factories import CertificateTemplateFactory
    from lms.constants import CreditCategory
    from lms.ledger.services import credit_record
    from lms.models import School, TeacherProfile
    from lms.tests.factories import SchoolFactory, TeacherFactory

    teachers = int(teachers or os.environ.get("DRILL_TEACHERS", "60"))
    if not CertificateTemplate.objects.filter(name="drill").exists():
        CertificateTemplateFactory(kind=CertificateKind.COURSE_COMPLETION, name="drill")
    school = School.objects.filter(code=f"{PREFIX}S").first() or SchoolFactory(code=f"{PREFIX}S")
    have = TeacherProfile.objects.filter(staff_number__startswith=PREFIX).count()
    for n in range(have, teachers):
        teacher = TeacherFactory(staff_number=f"{PREFIX}{n:05d}", user__username=f"{PREFIX}{n:05d}", school=school)
        credit_record(teacher=teacher, category=CreditCategory.OFFLINE_WORKSHOP, hours="6",
                      source_key=f"drill:{n}", occurred_on=datetime.date.today(), evidence_label="演练培训")
    print(TeacherProfile.objects.filter(staff_number__startswith=PREFIX).count())


def bulk_issue():
    """Start a bulk issue for the drill's teachers; prints the batch's pk."""
    from certificates.models import CertificateTemplate
    from certificates.services import issue_batch_create
    from lms.models import TeacherProfile

    template = CertificateTemplate.objects.get(name="drill")
    items = [
        {"holder_id": pk, "subject_key": f"drill:{timezone.now():%Y%m%d%H%M%S}", "subject_label": "演练培训"}
        for pk in TeacherProfile.objects.filter(staff_number__startswith=PREFIX).values_list("pk", flat=True)
    ]
    print(issue_batch_create(template=template, items=items, description="fault drill").pk)


def batch_progress(batch_pk):
    from certificates.models import IssueBatch

    batch = IssueBatch.objects.get(pk=batch_pk)
    print(batch.status, batch.items.filter(status="done").count(), batch.total)


def check():
    """What must hold after any fault: exits 1 on any breach."""
    from certificates.constants import CertificateStatus
    from certificates.models import Certificate, IssueBatchItem
    from lms.ledger.services import ledger_reconcile
    from lms.models import PendingTask

    problems = []
    differences = ledger_reconcile(fix=False)
    if differences:
        problems.append(f"{len(differences)} ledger tallies differ from the ledger (manage.py reconcile_ledger)")
    doubled = (
        Certificate.objects.filter(status=CertificateStatus.VALID)
        .values("holder_id", "kind", "subject_key", "subject_type_id", "subject_id")
        .annotate(n=Count("pk")).filter(n__gt=1)
    )
    if doubled.exists():
        problems.append(f"{doubled.count()} holders have the same certificate twice")
    missing = IssueBatchItem.objects.filter(status="done", certificate__isnull=True).count()
    if missing:
        problems.append(f"{missing} batch items are done without a certificate")
    pending = PendingTask.objects.count()
    stale = PendingTask.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(minutes=5)).count()
    if stale:
        problems.append(f"{stale} of {pending} pending tasks are older than five minutes")
    # Not a breach (a PDF missing from storage is drawn again on download),
    # but worth knowing after a disk fault.
    missing_pdfs = [
        c.serial for c in Certificate.objects.filter(status=CertificateStatus.VALID).exclude(pdf="")[:2000]
        if not c.pdf.storage.exists(c.pdf.name)
    ]
    print(f"database {connection.settings_dict['NAME']}: {len(problems)} problems")
    for problem in problems:
        print(" -", problem)
    if missing_pdfs:
        print(f"note: {len(missing_pdfs)} certificates have no PDF in this MEDIA_ROOT; downloads draw them again")
    sys.exit(1 if problems else 0)


if __name__ == "drill":
    STEPS = {"setup": setup, "bulk_issue": bulk_issue, "batch_progress": batch_progress, "check": check}
    STEPS[os.environ["DRILL_STEP"]](*os.environ.get("DRILL_ARGS", "").split())
