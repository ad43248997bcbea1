"""Reference data: Jinan's districts and functional zones, and the role groups.

District codes are the national administrative division codes; the three
functional zones, which have none, get stable local codes.
"""

from django.db import migrations

DISTRICTS = [
    ("370102", "历下区", "district"),
    ("370103", "市中区", "district"),
    ("370104", "槐荫区", "district"),
    ("370105", "天桥区", "district"),
    ("370112", "历城区", "district"),
    ("370113", "长清区", "district"),
    ("370114", "章丘区", "district"),
    ("370115", "济阳区", "district"),
    ("370116", "莱芜区", "district"),
    ("370117", "钢城区", "district"),
    ("370124", "平阴县", "county"),
    ("370126", "商河县", "county"),
    ("JNGX", "高新区", "zone"),
    ("JNNB", "南部山区", "zone"),
    ("JNQB", "起步区", "zone"),
]

ROLES = ["Teacher", "Trainer", "HR", "District admin", "Mentor", "Academy admin"]


def forwards(apps, schema_editor):
    District = apps.get_model("lms", "District")
    Group = apps.get_model("auth", "Group")
    for order, (code, name, kind) in enumerate(DISTRICTS, start=1):
        District.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "sort_order": order})
    for role in ROLES:
        Group.objects.get_or_create(name=role)


def backwards(apps, schema_editor):
    apps.get_model("lms", "District").objects.filter(code__in=[code for code, _n, _k in DISTRICTS]).delete()
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("lms", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, backwards)]
