"""The demo academy's fixed accounts, one per role.

``seed_demo`` creates them; ``run_academy`` prints them. Their password is the
same for all and only ever used on a local demo database.
"""

from django.utils.translation import gettext_lazy as _

from lms.constants import Role

DEMO_PASSWORD = "jinan-demo-2026"

# username, role, real name, what they see first
DEMO_LOGINS = [
    ("academy", Role.ACADEMY_ADMIN, "王建国", _("academy admin: everything, at /admin/")),
    ("hr", Role.HR, "李秀英", _("HR: people, imports and certificates, at /admin/")),
    ("lixia-admin", Role.DISTRICT_ADMIN, "赵明", _("district admin of 历下区 only, at /admin/")),
    ("trainer", Role.TRAINER, "孙丽", _("trainer: publishes courses, at /admin/")),
    ("mentor", Role.MENTOR, "周志强", _("research mentor, on the site")),
    ("teacher", Role.TEACHER, "张伟", _("teacher, on the site")),
]
