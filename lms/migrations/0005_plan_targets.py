"""The targets Jinan's 2024–2026 science-education plan sets."""

import datetime

from django.db import migrations

PLAN_START = datetime.date(2024, 1, 1)
TARGETS = [
    # name, metric, cohort kind, value, is percentage, deadline
    ("科学教育教师素养培训 10 万人次", "person_times", "", 100000, False, datetime.date(2026, 12, 31)),
    ("科学教育学科带头人 100 名", "cohort_members", "subject_leader", 100, False, datetime.date(2026, 12, 31)),
    ("奥赛教练 100 名", "cohort_members", "olympiad_coach", 100, False, datetime.date(2026, 12, 31)),
    ("每所学校配备科学副校长", "schools_science_vp", "", 100, True, datetime.date(2024, 12, 31)),
    ("每所小学至少一名理工类硕士科学教师", "primary_schools_science_master", "", 100, True, datetime.date(2026, 12, 31)),
]


def forwards(apps, schema_editor):
    Target = apps.get_model("lms", "Target")
    for order, (name, metric, cohort_kind, value, is_percentage, deadline) in enumerate(TARGETS, start=1):
        Target.objects.update_or_create(
            metric=metric,
            cohort_kind=cohort_kind,
            district=None,
            defaults={
                "name": name,
                "value": value,
                "is_percentage": is_percentage,
                "start": PLAN_START,
                "deadline": deadline,
                "sort_order": order,
            },
        )


def backwards(apps, schema_editor):
    Target = apps.get_model("lms", "Target")
    for name, metric, cohort_kind, *_rest in TARGETS:
        Target.objects.filter(metric=metric, cohort_kind=cohort_kind, district=None).delete()


class Migration(migrations.Migration):
    dependencies = [("lms", "0004_ledger_and_targets")]
    operations = [migrations.RunPython(forwards, backwards)]
