"""The privacy notice's version, the statuses of a correction request and
the parts of a teacher's record one may ask to correct."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Raise it whenever the notice's text changes in substance: everyone is asked
# to read and acknowledge the new version once.
PRIVACY_NOTICE_VERSION = "2026-12"

# Where the middleware remembers, per session, the version the user has
# acknowledged, so a signed-in page costs no query for it.
SESSION_KEY = "privacy_notice_version"

# Import files hold whole rosters; they are kept this long after upload, to
# answer questions about an import, then deleted (docs/privacy.md).
IMPORT_FILE_RETENTION_DAYS = 30

PSEUDONYM_PREFIX = "anon"


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class CorrectionField(models.TextChoices):
    REAL_NAME = "real_name", _("Name")
    PHONE = "phone", _("Mobile phone")
    EMAIL = "email", _("E-mail")
    SCHOOL = "school", _("School")
    SUBJECT = "subject", _("Subject")
    STAGE = "stage", _("Stage")
    TITLE = "title", _("Professional title")
    DEGREE = "degree", _("Degree")
    POSITIONS = "positions", _("Positions")
    STAFF_NUMBER = "staff_number", _("Staff number")
    HOURS = "hours", _("Training hours")
    CERTIFICATES = "certificates", _("Certificates")
    COHORTS = "cohorts", _("Cohorts")
    RESEARCH_ALONG = "research_along", _("Research-along")
    OTHER = "other", _("Something else")
